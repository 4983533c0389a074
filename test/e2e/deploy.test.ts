// A real `cdktf deploy` of a migrations-only stack against the test PostgreSQL: applies; a
// second deploy changes nothing; a new migration applies alone; removing it rolls it back;
// `cdktf destroy` leaves the tables. And the stack folder, copied elsewhere, applies with
// plain terraform and node. Runs only where terraform is on PATH.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bigint, generateMigration, MigrationDirectory, quoteIdentifier, text, varchar } from '../../lib';
import { schemaOf } from '../support/schema-state';
import { Table } from '../../lib';
import { projectRoot, run, terraformOnPath } from '../support/commands';
import { useTestDatabase } from '../support/database';

const db = useTestDatabase();
const terraform = terraformOnPath();
const cdktf = path.join(projectRoot, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf');
const service = 'mlops';
const owner = `${service}_owner`;

const appSource = (migrations: string) => `
import { App, LocalBackend, TerraformStack } from '${path.join(projectRoot, 'lib', 'cdk')}';
import { loadSqlParser } from '${path.join(projectRoot, 'lib')}';
import { MigrationDirectory } from '${path.join(projectRoot, 'lib', 'migrations', 'migration-directory')}';
import { ServiceMigrations } from '${path.join(projectRoot, 'lib', 'migrations', 'service-migrations')}';

loadSqlParser().then(() => {
  const app = new App();
  const stack = new TerraformStack(app, 'migrations');
  new LocalBackend(stack, { path: 'terraform.migrations.tfstate' });
  const directory = new MigrationDirectory(${JSON.stringify(migrations)}, '${service}', '${service}');
  const state = directory.read();
  if (state.problems.length) throw new Error(state.problems.join('\\n'));
  new ServiceMigrations(stack, 'migrations', { service: '${service}', ownerRole: '${owner}', migrations: state.migrations, allowDowngrades: true });
  app.synth();
});
`;

function model(withNote: boolean) {
  return schemaOf(service, (stack) => {
    new Table(stack, 'events', {
      columns: { id: bigint().generatedAlwaysAsIdentity(), kind: varchar(32).notNull(), ...(withNote ? { note: text() } : {}) },
      primaryKey: ['id'],
    });
  });
}

async function ledgerIds(): Promise<string[]> {
  return (await db.query(`SELECT id FROM bedrock.migrations WHERE service = $1 ORDER BY id`, [service])).rows.map((r) => r.id);
}

async function columns(): Promise<string[]> {
  return (await db.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'events' ORDER BY ordinal_position`, [service])).rows.map((r) => r.column_name);
}

const maybe = terraform ? test : test.skip;
if (!terraform) console.log('SKIPPED test/e2e/deploy.test.ts: terraform is not on PATH, so no real deploy could run');

maybe('cdktf deploy applies, changes nothing the second time, applies a new migration alone, rolls back a removed one, and destroy keeps the tables', async () => {
  const exists = await db.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [owner]);
  if (exists.rowCount === 0) await db.query(`CREATE ROLE ${quoteIdentifier(owner)} NOLOGIN`);
  await db.query(`CREATE SCHEMA ${quoteIdentifier(service)} AUTHORIZATION ${quoteIdentifier(owner)}`);

  const work = mkdtempSync(path.join(tmpdir(), 'bedrock-e2e-deploy-'));
  const migrations = path.join(work, 'migrations');
  mkdirSync(migrations);
  writeFileSync(path.join(work, 'app.ts'), appSource(migrations));
  writeFileSync(path.join(work, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: `node ${path.join(projectRoot, 'scripts', 'run-app.js')} ${path.join(work, 'app.ts')}`, sendCrashReports: 'false' }));
  const directory = new MigrationDirectory(migrations, service, service);
  const env = { DATABASE_URL: db.url, TF_IN_AUTOMATION: '1' };
  const deploy = () => run(process.execPath, [cdktf, 'deploy', '--auto-approve'], { cwd: work, env });
  try {
    const first = generateMigration({ directory, model: model(false), description: 'create_events' });
    expect(first.written).toBe(true);
    const one = deploy();
    expect(one.status).toBe(0);
    expect(one.stdout).toMatch(new RegExp(`${service}: applied \\d{8}_\\d{6}_${service}_create_events in \\d+ ms`));
    expect(await columns()).toEqual(['id', 'kind']);
    const [firstId] = await ledgerIds();

    const again = deploy();
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('No changes.');
    expect(await ledgerIds()).toEqual([firstId]);

    const second = generateMigration({ directory, model: model(true), description: 'add_note', now: new Date(Date.now() + 2000) });
    expect(second.written).toBe(true);
    const three = deploy();
    expect(three.status).toBe(0);
    expect(three.stdout).toMatch(/1 applied, 0 rolled back/);
    expect(await columns()).toEqual(['id', 'kind', 'note']);
    expect(await ledgerIds()).toEqual([firstId, (second as { migration: { id: string } }).migration.id]);

    directory.remove((second as { migration: { id: string } }).migration.id, directory.read().migrations.slice(0, 1));
    const four = deploy();
    expect(four.status).toBe(0);
    expect(four.stdout).toMatch(/0 applied, 1 rolled back/);
    expect(four.stdout).toMatch(/migration_\w+add_note\w*: Destroy/);
    expect(await columns()).toEqual(['id', 'kind']);
    expect(await ledgerIds()).toEqual([firstId]);

    const destroyed = run(process.execPath, [cdktf, 'destroy', '--auto-approve'], { cwd: work, env });
    expect(destroyed.status).toBe(0);
    expect(await columns()).toEqual(['id', 'kind']);

    // The synthesized folder on its own: copied away, plain terraform with node applies it.
    const copy = path.join(work, 'copy');
    cpSync(path.join(work, 'cdktf.out', 'stacks', 'migrations'), copy, { recursive: true });
    await db.query(`DROP SCHEMA bedrock CASCADE; DROP SCHEMA ${quoteIdentifier(service)} CASCADE; CREATE SCHEMA ${quoteIdentifier(service)} AUTHORIZATION ${quoteIdentifier(owner)}`);
    const bin = path.join(work, 'bin');
    mkdirSync(bin);
    const plainEnv = { ...env, PATH: `${bin}:/bin`, TF_DATA_DIR: path.join(copy, '.terraform') };
    cpSync(process.execPath, path.join(bin, 'node'));
    cpSync(terraform!, path.join(bin, 'terraform'));
    expect(run(path.join(bin, 'terraform'), ['init', '-input=false', '-no-color'], { cwd: copy, env: plainEnv }).status).toBe(0);
    const applied = run(path.join(bin, 'terraform'), ['apply', '-auto-approve', '-input=false', '-no-color'], { cwd: copy, env: plainEnv });
    expect(applied.status).toBe(0);
    expect(await columns()).toEqual(['id', 'kind']);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}, 180_000);
