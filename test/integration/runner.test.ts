// The runner on real PostgreSQL, through the command line: every Bedrock service up to its
// head and back to nothing; failures leave nothing behind; concurrent runs; edited migrations.
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BedrockProject, bigint, ServiceStack, Table, text } from '../../lib';
import { testProject } from '../support/project';
import { createStatements } from '../../lib/migrations/create-statements';
import { modelOf } from '../../lib/project';
import { converge } from '../../lib/runner/runner';
import { migrationPlan } from '../../lib/migrations/migration-plan';
import { migrationDirectoryOf } from '../../lib/project';
import { bedrockProject } from '../../stacks';
import { useTestDatabase } from '../support/database';
import { cliOnDatabase } from '../support/cli-on-database';
import { prepareServices } from '../support/platform';
import { catalogOf } from '../support/schema-state';
import { Client } from 'pg';
import { spawn, spawnSync } from 'node:child_process';
import { manifestText } from '../../lib/runner/manifest';
import { checksumOf, parseMigration } from '../../lib/migrations/migration-file';
import { runnerBundle } from '../../lib/runner/bundle';
import type { DriftDocument } from '../../lib/catalog/drift-report';

const db = useTestDatabase();
const reference = useTestDatabase();
const services = bedrockProject.registry.names;

/** Bedrock, with its migrations copied to a folder the test may change. */
function copyOfBedrock(): BedrockProject {
  const root = mkdtempSync(path.join(tmpdir(), 'bedrock-runner-'));
  for (const service of services) {
    const source = path.join('stacks', service, 'migrations');
    if (existsSync(source)) cpSync(source, path.join(root, service), { recursive: true });
  }
  return { ...bedrockProject, migrationsDirectory: (service) => path.join(root, service) };
}

const cli = (project: BedrockProject, ...args: string[]) => cliOnDatabase(project, db.url, args);

async function ledger(service: string) {
  if ((await db.query(`SELECT to_regclass('bedrock.migrations') AS t`)).rows[0].t === null) return [];
  return (await db.query(`SELECT id, status FROM bedrock.migrations WHERE service = $1 ORDER BY id`, [service])).rows;
}

/** Polls until `probe` is true; fails the test after `ms`. */
async function waitFor(what: string, probe: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  await prepareServices(db, services);
  await prepareServices(reference, services);
});

describe('every Bedrock service: up to head, down to base, up again', () => {
  test.each(services.filter((s) => s !== 'notification'))('%s', async (service) => {
    const project = copyOfBedrock();
    const up = await cli(project, 'migrate', '--service', service);
    expect(up.err).toBe('');
    expect(up.out).toMatch(new RegExp(`^${service}: applying (\\d{8}_\\d{6}_${service}_\\w+)\\n${service}: applied \\1 in \\d+ ms\\n${service}: at .* \\(1 applied, 0 rolled back\\) in \\d+ ms$`));

    // The catalog equals a fresh create of the model.
    await reference.query(`DROP SCHEMA ${service} CASCADE; CREATE SCHEMA ${service}`);
    for (const statement of createStatements(modelOf(project, service))) await reference.query(statement);
    expect(await catalogOf(db.client, service)).toEqual(await catalogOf(reference.client, service));
    // Tables belong to the owner role: migrations ran as it.
    const owners = await db.query(`SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = $1`, [service]);
    expect(owners.rows).toEqual([{ tableowner: `${service}_owner` }]);

    const again = await cli(project, 'migrate', '--service', service);
    expect(again.out).toMatch(/up to date, nothing to do/);

    const down = await cli(project, 'down', '--service', service, '--env', 'local', '--to', 'base');
    expect(down.err).toBe('');
    const left = await db.query(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1
       UNION ALL SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1 AND t.typtype = 'e'`,
      [service],
    );
    expect(left.rows).toEqual([]);
    expect(await ledger(service)).toEqual([]);
    expect((await cli(project, 'migrate', '--service', service)).code).toBe(0);
    const history = await cli(project, 'history', service);
    expect(history.out.split('\n').map((l) => l.split(/\s+/)[1])).toEqual(['up', 'down', 'up']);
  });
});

describe('failures', () => {
  function projectWithMigration(sql: string, transactional = true) {
    const project = copyOfBedrock();
    const dir = project.migrationsDirectory('portfolio');
    const head = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort().pop()!.replace('.sql', '');
    const id = `29990101_000000_portfolio_extra_step`;
    const text = [`-- Migration ${id}`, '-- service: portfolio', `-- parent: ${head}`, ...(transactional ? [] : ['-- transactional: false']), '', '-- +up', sql, '', '-- +down', 'SELECT 1;', ''].join('\n');
    writeFileSync(path.join(dir, `${id}.sql`), text);
    // Hand-written migrations are registered with rehash after review.
    const directory = migrationDirectoryOf(project, 'portfolio');
    const all = readdirSync(dir).filter((f) => f.endsWith('.sql'));
    expect(all).toHaveLength(2);
    directory.rehash(directory.read().migrations);
    writeFileSync(path.join(dir, 'snapshots', `${id}.json`), readFileSync(path.join(dir, 'snapshots', `${head}.json`)));
    return { project, id, head };
  }

  beforeEach(async () => {
    await db.query('DROP SCHEMA IF EXISTS bedrock CASCADE; DROP SCHEMA portfolio CASCADE; CREATE SCHEMA portfolio AUTHORIZATION portfolio_owner');
  });

  test('bad SQL leaves the database and the ledger exactly as before', async () => {
    const { project, id, head } = projectWithMigration(`ALTER TABLE portfolio.positions ADD COLUMN note text;\nALTER TABLE portfolio.no_such_table ADD COLUMN x int;`);
    const before = await catalogOf(db.client, 'portfolio');
    const result = await cli(project, 'migrate', '--service', 'portfolio');
    expect(result.code).toBe(1);
    expect(result.err).toBe(`portfolio: migration ${id} failed: relation "portfolio.no_such_table" does not exist (SQLSTATE 42P01). Rolled back: the database and the ledger are as they were before it`);
    expect(before).not.toEqual(await catalogOf(db.client, 'portfolio')); // the first migration did apply
    expect(await ledger('portfolio')).toEqual([{ id: head, status: 'applied' }]);
    const columns = await db.query(`SELECT 1 FROM information_schema.columns WHERE table_schema = 'portfolio' AND column_name = 'note'`);
    expect(columns.rowCount).toBe(0);
  });

  // Found by an attacker's pass: `check` and synth refused this file, but `migrate` ran it.
  test('migrate refuses a hand-edited migration that check refuses, before anything runs', async () => {
    const { project, id } = projectWithMigration('RESET ROLE;\nCREATE TABLE datahub.stolen AS SELECT current_user AS who;');
    const result = await cli(project, 'migrate', '--service', 'portfolio');
    expect(result.code).toBe(1);
    expect(result.err).toContain("portfolio: refusing to run migrations that `check` refuses:");
    expect(result.err).toContain(`portfolio: ${id}.sql line 6: [BEDROCK-S2] RESET ROLE`);
    expect(result.err).toContain(`portfolio: ${id}.sql line 7: [BEDROCK-S1]`);
    expect(await ledger('portfolio')).toEqual([]);
    expect((await db.query(`SELECT to_regclass('datahub.stolen') AS t`)).rows[0].t).toBeNull();
  });

  test('a migration whose SQL ends in a comment applies (the comment cannot swallow the ledger row)', async () => {
    const { project, id, head } = projectWithMigration('ALTER TABLE portfolio.positions ADD COLUMN note text; -- a note for reviewers');
    const result = await cli(project, 'migrate', '--service', 'portfolio');
    expect(result.err).toBe('');
    expect(await ledger('portfolio')).toEqual([{ id: head, status: 'applied' }, { id, status: 'applied' }]);
  });

  test('an applied migration that was edited is refused before anything runs', async () => {
    const project = copyOfBedrock();
    expect((await cli(project, 'migrate', '--service', 'portfolio')).code).toBe(0);
    const dir = project.migrationsDirectory('portfolio');
    const file = path.join(dir, readdirSync(dir).find((f) => f.endsWith('.sql'))!);
    appendFileSync(file, '-- sneaky\n');
    const directory = migrationDirectoryOf(project, 'portfolio');
    directory.rehash(directory.read().migrations); // even with the checksums file updated to match
    const result = await cli(project, 'migrate', '--service', 'portfolio');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^portfolio: REFUSED: migration \S+ was applied with checksum [0-9a-f]{64}, but the plan has [0-9a-f]{64}\. An applied migration was edited\./);
  });

  test('a second concurrent runner waits, then finds nothing to do', async () => {
    const { project } = projectWithMigration('SELECT pg_sleep(1.5);');
    const plan = migrationPlan('portfolio', 'portfolio_owner', migrationDirectoryOf(project, 'portfolio').read().migrations);
    const clients = [new Client({ connectionString: db.url }), new Client({ connectionString: db.url })];
    await Promise.all(clients.map((c) => c.connect()));
    try {
      const logs: string[][] = [[], []];
      const first = converge(clients[0], { plan, allowDowngrades: false, log: (l) => logs[0].push(l) });
      await new Promise((r) => setTimeout(r, 300));
      const second = await converge(clients[1], { plan, allowDowngrades: false, log: (l) => logs[1].push(l) });
      expect((await first).applied).toHaveLength(2);
      expect(second.applied).toEqual([]);
      // The holder says when it took the lock (its application_name publishes it), not when it connected.
      expect(logs[1][0]).toMatch(/^portfolio: waiting for another deploy to finish: it holds the migration lock since (\S+Z) \(for \d+\.\d s\): pid \d+ \(user postgres, application "bedrock-runner portfolio locked \1", [^)]+\)$/);
      expect(logs[1][1]).toMatch(/up to date, nothing to do/);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  test('a second runner that waits too long fails naming the holder', async () => {
    const { project } = projectWithMigration('SELECT pg_sleep(1.5);');
    const plan = migrationPlan('portfolio', 'portfolio_owner', migrationDirectoryOf(project, 'portfolio').read().migrations);
    const clients = [new Client({ connectionString: db.url }), new Client({ connectionString: db.url })];
    await Promise.all(clients.map((c) => c.connect()));
    try {
      const first = converge(clients[0], { plan, allowDowngrades: false });
      await new Promise((r) => setTimeout(r, 300));
      await expect(converge(clients[1], { plan, allowDowngrades: false, lockWaitMs: 300 })).rejects.toThrow(
        /^portfolio: another deploy holds the migration lock since (\S+Z) \(for \d+\.\d s\): pid \d+ \(user postgres, application "bedrock-runner portfolio locked \1", [^)]+\)\. Waited 0 s; try again when it has finished$/,
      );
      await first;
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  test('a lock_timeout stops a migration that waits on a busy table, and it rolls back', async () => {
    const project = copyOfBedrock();
    await cli(project, 'migrate', '--service', 'portfolio');
    const { project: withExtra, id } = projectWithMigration('ALTER TABLE portfolio.positions ADD COLUMN note text;');
    const blocker = new Client({ connectionString: db.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN; LOCK TABLE portfolio.positions IN ACCESS SHARE MODE');
      const plan = migrationPlan('portfolio', 'portfolio_owner', migrationDirectoryOf(withExtra, 'portfolio').read().migrations);
      await expect(converge(db.client, { plan, allowDowngrades: false, lockTimeoutMs: 200, lockRetries: { retries: 0, backoffMs: 100, maxBackoffMs: 100 } })).rejects.toThrow(
        `portfolio: migration ${id} failed: canceling statement due to lock timeout (SQLSTATE 55P03); it waited 200 ms for its locks on each of 1 tries, held by pid `,
      );
      expect(await ledger('portfolio')).toEqual([{ id: migrationDirectoryOf(withExtra, 'portfolio').read().migrations[0].id, status: 'applied' }]);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
  });

  test('down --steps and migrate --to move one migration at a time', async () => {
    const { project, id, head } = projectWithMigration('ALTER TABLE portfolio.positions ADD COLUMN note text;');
    expect((await cli(project, 'migrate', '--service', 'portfolio', '--to', head)).out).toMatch(/1 applied/);
    expect((await cli(project, 'status', '--service', 'portfolio')).out).toBe(`portfolio: at ${head}; 1 applied; 1 pending (${id})`);
    expect((await cli(project, 'migrate', '--service', 'portfolio')).out).toMatch(/1 applied/);
    const down = await cli(project, 'down', '--service', 'portfolio', '--env', 'local', '--steps', '1');
    expect(down.out).toMatch(new RegExp(`rolled back ${id} in \\d+ ms`));
    expect(await ledger('portfolio')).toEqual([{ id: head, status: 'applied' }]);
    const tooMany = await cli(project, 'down', '--service', 'portfolio', '--env', 'local', '--steps', '5');
    expect(tooMany).toMatchObject({ code: 1, err: 'portfolio: --steps must be between 1 and 1' });
    expect((await cli(project, 'migrate', '--service', 'portfolio', '--to', 'nope')).err).toContain('portfolio: there is no migration nope');
  });

  test('downgrades only where allowed', async () => {
    const { project, id, head } = projectWithMigration('-- bedrock:acknowledge BEDROCK-L1 positions is empty in this test\nCREATE INDEX positions_symbol_only_idx ON portfolio.positions (symbol);');
    expect((await cli(project, 'migrate', '--service', 'portfolio')).code).toBe(0);
    const plan = migrationPlan('portfolio', 'portfolio_owner', migrationDirectoryOf(project, 'portfolio').read().migrations.slice(0, 1));
    await expect(converge(db.client, { plan, allowDowngrades: false })).rejects.toThrow(`portfolio: the database holds ${id} beyond the plan's head, and this environment does not allow downgrades.`);
    const result = await converge(db.client, { plan, allowDowngrades: true });
    expect(result).toEqual({ applied: [], rolledBack: [id] });
    expect(await ledger('portfolio')).toEqual([{ id: head, status: 'applied' }]);
  });

  test('a migration outside a transaction (CREATE INDEX CONCURRENTLY) runs; a failing index step resumes; a failing step not safe to retry waits for resolve', async () => {
    const ok = projectWithMigration('CREATE INDEX CONCURRENTLY positions_opened_idx ON portfolio.positions (opened_at);\nCREATE INDEX CONCURRENTLY positions_closed_idx ON portfolio.positions (closed_at);', false);
    const applied = await cli(ok.project, 'migrate', '--service', 'portfolio');
    expect(applied.out).toContain(`applied ${ok.id} (outside a transaction)`);
    const indexes = await db.query(`SELECT indexname FROM pg_indexes WHERE schemaname = 'portfolio' AND indexname LIKE 'positions_%ed_idx' ORDER BY 1`);
    expect(indexes.rows.map((r) => r.indexname)).toEqual(['positions_closed_idx', 'positions_opened_idx']);

    // A named index step is safe to run again: recorded in progress, resumed by the next migrate.
    await db.query('DROP SCHEMA bedrock CASCADE; DROP SCHEMA portfolio CASCADE; CREATE SCHEMA portfolio AUTHORIZATION portfolio_owner');
    const retried = projectWithMigration('CREATE INDEX CONCURRENTLY positions_opened_idx ON portfolio.positions (opened_at);\nCREATE INDEX CONCURRENTLY broken_idx ON portfolio.positions (no_such_column);', false);
    const stopped = await cli(retried.project, 'migrate', '--service', 'portfolio');
    expect(stopped.err).toContain(`portfolio: migration ${retried.id} step 2 of 2 (line 8, outside a transaction) failed: column "no_such_column" does not exist (SQLSTATE 42703).`);
    expect(stopped.err).toContain(`the ledger records ${retried.id} as in progress at step 2 of 2: once the cause is fixed, the next deploy resumes at that step (no resolve needed)`);
    expect(await ledger('portfolio')).toEqual([{ id: retried.head, status: 'applied' }, { id: retried.id, status: 'partial' }]);
    const inProgress = await cli(retried.project, 'status', '--service', 'portfolio');
    expect(inProgress.out).toContain(`IN PROGRESS: ${retried.id} stopped at step 2 of 2: column "no_such_column" does not exist`);
    expect(inProgress).toMatchObject({ code: 4, err: 'status: failed in portfolio' });
    expect((await cli(retried.project, 'resolve', '--service', 'portfolio', retried.id, '--rolled-back')).code).toBe(0);
    expect(await ledger('portfolio')).toEqual([{ id: retried.head, status: 'applied' }]);

    // An unnamed index: a retry could not find what a failed build left, so a person settles it.
    await db.query('DROP SCHEMA bedrock CASCADE; DROP SCHEMA portfolio CASCADE; CREATE SCHEMA portfolio AUTHORIZATION portfolio_owner');
    const bad = projectWithMigration('CREATE INDEX CONCURRENTLY positions_opened_idx ON portfolio.positions (opened_at);\nCREATE INDEX CONCURRENTLY ON portfolio.positions (no_such_column);', false);
    const failed = await cli(bad.project, 'migrate', '--service', 'portfolio');
    expect(failed.err).toContain(`portfolio: migration ${bad.id} step 2 of 2 (line 8, outside a transaction) failed: column "no_such_column" does not exist (SQLSTATE 42703). Part of it may have run; it is recorded as failed.`);
    expect(await ledger('portfolio')).toEqual([{ id: bad.head, status: 'applied' }, { id: bad.id, status: 'failed' }]);
    const refused = await cli(bad.project, 'migrate', '--service', 'portfolio');
    expect(refused.err).toContain(`migration ${bad.id} failed earlier and is unresolved`);
    expect(refused.err).toContain(`resolve --service portfolio ${bad.id} --applied`);
    const failedStatus = await cli(bad.project, 'status', '--service', 'portfolio', '--json');
    expect(failedStatus.code).toBe(4);
    expect(JSON.parse(failedStatus.out).services[0]).toMatchObject({ state: 'failed', stopped: [{ id: bad.id, status: 'failed', step: null, steps: null, error: expect.stringContaining('step 2 of 2: column "no_such_column" does not exist') }] });
    expect((await cli(bad.project, 'status', '--service', 'portfolio')).out).toContain(`FAILED: ${bad.id}: step 2 of 2: column "no_such_column" does not exist`);
    expect((await cli(bad.project, 'resolve', '--service', 'portfolio', bad.id, '--rolled-back')).code).toBe(0);
    expect(await ledger('portfolio')).toEqual([{ id: bad.head, status: 'applied' }]);
  });
});

describe('the runner process', () => {
  beforeEach(async () => {
    await db.query('DROP SCHEMA IF EXISTS bedrock CASCADE; DROP SCHEMA portfolio CASCADE; CREATE SCHEMA portfolio AUTHORIZATION portfolio_owner');
  });

  test('killed with SIGKILL mid-migration, it leaves nothing half-applied, and the next run completes', async () => {
    const project = copyOfBedrock();
    const migrations = migrationDirectoryOf(project, 'portfolio').read().migrations;
    // A slow migration: the first table is created, then the runner dies during the sleep.
    const text = migrations[0].text.replace('-- +up\n', '-- +up\nCREATE TABLE portfolio.half (id int);\nSELECT pg_sleep(2);\n');
    const sql = parseMigration(`${migrations[0].id}.sql`, text);
    const manifest = manifestText(migrationPlan('portfolio', 'portfolio_owner', [sql]), [sql]);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'bedrock-kill-')), 'manifest.json');
    writeFileSync(file, manifest);
    const args = [runnerBundle(), '--manifest', file, '--expect', checksumOf(manifest)];
    const env = { ...process.env, DATABASE_URL: db.url };

    const child = spawn(process.execPath, args, { env, stdio: 'pipe' });
    const exited = new Promise((r) => child.on('exit', r));
    await waitFor('the runner to be inside the migration', async () => {
      const busy = await db.query(`SELECT 1 FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND application_name LIKE 'bedrock-runner portfolio %' AND query LIKE '%pg_sleep%'`);
      return busy.rowCount === 1;
    });
    child.kill('SIGKILL');
    await exited;
    // PostgreSQL notices the dead client once the statement ends, and aborts its transaction.
    await waitFor("the killed runner's session to end", async () => {
      const left = await db.query(`SELECT 1 FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND application_name LIKE 'bedrock-runner portfolio%'`);
      return left.rowCount === 0;
    });
    // The migration and its ledger row travel as one transaction: the server either commits
    // both or neither. Killed after sending it, the runner still gets it applied and recorded.
    const tables = await db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'portfolio' ORDER BY 1`);
    const recorded = await ledger('portfolio');
    expect({ tables: tables.rows.map((r) => r.tablename), recorded }).toEqual({ tables: ['half', 'positions', 'trades'], recorded: [{ id: sql.id, status: 'applied' }] });

    const rerun = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    expect(rerun.stderr).toBe('');
    expect(rerun.status).toBe(0);
    expect(rerun.stdout).toMatch(/portfolio: at \S+ \(up to date, nothing to do\)/);
  });

  test('killed before its transaction reached the server, it leaves nothing, and the next run completes', async () => {
    const project = copyOfBedrock();
    const migrations = migrationDirectoryOf(project, 'portfolio').read().migrations;
    const manifest = manifestText(migrationPlan('portfolio', 'portfolio_owner', migrations), migrations);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'bedrock-kill-')), 'manifest.json');
    writeFileSync(file, manifest);
    const args = [runnerBundle(), '--manifest', file, '--expect', checksumOf(manifest)];
    const env = { ...process.env, DATABASE_URL: db.url };
    // Hold the service's lock, so the runner stops while waiting for it, before any migration.
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    await holder.query(`SELECT pg_advisory_lock(hashtext('bedrock'), hashtext('portfolio'))`);
    try {
      const child = spawn(process.execPath, args, { env, stdio: 'pipe' });
      const exited = new Promise((r) => child.on('exit', r));
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      await waitFor('the runner to wait for the lock', async () => output.includes('waiting for another deploy'));
      child.kill('SIGKILL');
      await exited;
    } finally {
      await holder.end();
    }
    expect((await db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'portfolio'`)).rows).toEqual([]);
    expect(await ledger('portfolio')).toEqual([]);
    const rerun = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    expect(rerun.status).toBe(0);
    expect(rerun.stdout).toMatch(/portfolio: applied \S+ in \d+ ms/);
    expect(await ledger('portfolio')).toEqual([{ id: migrations[0].id, status: 'applied' }]);
  });

  test('refuses a manifest that is not the one the plan names', async () => {
    const project = copyOfBedrock();
    const migrations = migrationDirectoryOf(project, 'portfolio').read().migrations;
    const manifest = manifestText(migrationPlan('portfolio', 'portfolio_owner', migrations), migrations);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'bedrock-manifest-')), 'manifest.json');
    writeFileSync(file, manifest.replace('CREATE TABLE', 'CREATE UNLOGGED TABLE'));
    const result = spawnSync(process.execPath, [runnerBundle(), '--manifest', file, '--expect', 'f'.repeat(64)], { env: { ...process.env, DATABASE_URL: db.url }, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^REFUSED: the migrations to run \(sha256 [0-9a-f]{64}\) are not the ones the plan showed/);
    expect((await db.query(`SELECT to_regclass('bedrock.migrations') AS t`)).rows[0].t).toBeNull();
  });
});

describe('drift and baseline', () => {
  beforeEach(async () => {
    await db.query('DROP SCHEMA IF EXISTS bedrock CASCADE; DROP SCHEMA portfolio CASCADE; CREATE SCHEMA portfolio AUTHORIZATION portfolio_owner');
  });

  // This database has no platform stack (no app roles, no grants): its privilege findings are
  // left to drift-ownership.test.ts; here, the tables and columns the migrations made.
  const schemaFindings = (out: string) => (JSON.parse(out) as DriftDocument).services[0].findings.filter((f) => f.kind === 'schema' || f.kind === 'extra-object' || f.kind === 'owner');

  test('drift lists each difference of the service\'s own objects and exits non-zero', async () => {
    const project = copyOfBedrock();
    await cli(project, 'migrate', '--service', 'portfolio');
    const clean = await cli(project, 'drift', '--service', 'portfolio', '--json');
    expect(schemaFindings(clean.out)).toEqual([]);
    // Changes made by hand, outside any migration:
    await db.query(`ALTER TABLE portfolio.positions ADD COLUMN rogue integer;
      ALTER TABLE portfolio.trades ALTER COLUMN fee DROP NOT NULL;
      DROP INDEX portfolio.trades_tags_idx;
      COMMENT ON TABLE portfolio.trades IS NULL;
      CREATE TABLE datahub.unrelated (id int)`);
    const drift = await cli(project, 'drift', '--service', 'portfolio', '--json');
    expect(drift.code).toBe(7);
    const head = migrationDirectoryOf(project, 'portfolio').read().migrations.at(-1)!.id;
    expect(schemaFindings(drift.out).map((f) => f.message.replace(` (compared with the state after ${head}, which the ledger records)`, ''))).toEqual([
      'column of portfolio.positions: rogue is in the database but not in the model',
      'column portfolio.trades.fee: notNull is true in the model, false in the database',
      'index of portfolio.trades: trades_tags_idx is missing from the database',
      'table portfolio.trades: comment is Executions on the exchange, each filling part of a position in the model, none in the database',
    ]);
    expect(drift.err).toBe('drift: 1 service(s) differ from their plan (portfolio)');
    // Nothing of the comparison stayed behind.
    expect((await db.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bedrock_scratch_%'`)).rowCount).toBe(0);
  });

  // The CLI's own session has pg_catalog alone on its path; what the model names from an
  // extension (installed in public) must still resolve where the model is created and compared.
  test('a model using an extension operator class migrates and shows no drift', async () => {
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public; DROP SCHEMA IF EXISTS datahub CASCADE; CREATE SCHEMA datahub AUTHORIZATION datahub_owner');
    const project = testProject();
    project.tables.datahub = (stack: ServiceStack) => {
      new Table(stack, 'symbols', { columns: { id: bigint().generatedAlwaysAsIdentity(), name: text().notNull() }, primaryKey: ['id'], indexes: [{ columns: [{ column: 'name', opclass: 'gin_trgm_ops' }], method: 'gin' }] });
    };
    expect((await project.cli('generate', 'datahub', 'add_symbols')).code).toBe(0);
    expect(await cli(project, 'migrate', '--service', 'datahub')).toMatchObject({ code: 0, err: '' });
    expect(schemaFindings((await cli(project, 'drift', '--service', 'datahub', '--json')).out)).toEqual([]);
  });

  test('baseline adopts a database built by the old process, then migrate has nothing to do', async () => {
    const project = copyOfBedrock();
    // The old process: the same tables, created by other means, no ledger.
    await db.query('SET ROLE portfolio_owner');
    for (const statement of createStatements(modelOf(project, 'portfolio'))) await db.query(statement);
    await db.query('RESET ROLE');
    const adopted = await cli(project, 'baseline', '--service', 'portfolio');
    expect(adopted.err).toBe('');
    expect(adopted.out).toMatch(/^portfolio: baselined at \S+ \(1 migration\(s\) recorded, none run\)$/);
    expect(await ledger('portfolio')).toEqual([{ id: expect.any(String), status: 'baselined' }]);
    expect((await cli(project, 'migrate', '--service', 'portfolio')).out).toMatch(/up to date, nothing to do/);
  });

  test("baseline refuses tables the owner role does not own (the next migration would fail with \"must be owner\"), and records nothing", async () => {
    const project = copyOfBedrock();
    // Built by the old process as another role: the right tables, the wrong owner.
    for (const statement of createStatements(modelOf(project, 'portfolio'))) await db.query(statement);
    const refused = await cli(project, 'baseline', '--service', 'portfolio');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('table portfolio.positions is owned by postgres, not portfolio_owner: migrations run as portfolio_owner and would fail with "must be owner"; ALTER TABLE portfolio.positions OWNER TO portfolio_owner');
    expect(await ledger('portfolio')).toEqual([]);
  });

  test('baseline refuses a database that differs from the model, and records nothing', async () => {
    const project = copyOfBedrock();
    await db.query(`CREATE TABLE portfolio.positions (id bigint PRIMARY KEY)`);
    const refused = await cli(project, 'baseline', '--service', 'portfolio');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('portfolio: REFUSED: the database differs from the tables in code, so it cannot be recorded as at the head:');
    expect(refused.err).toContain('table portfolio.trades is missing from the database');
    expect(await ledger('portfolio')).toEqual([]);
  });
});

test('check refuses CREATE INDEX CONCURRENTLY in a migration that runs in a transaction', async () => {
  const project = copyOfBedrock();
  const dir = project.migrationsDirectory('portfolio');
  const head = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort().pop()!.replace('.sql', '');
  const id = '29990101_000000_portfolio_concurrent_index';
  writeFileSync(path.join(dir, `${id}.sql`), ['-- service: portfolio', `-- parent: ${head}`, '-- +up', 'CREATE INDEX CONCURRENTLY x_idx ON portfolio.positions (symbol);', '-- +down', 'DROP INDEX portfolio.x_idx;', ''].join('\n'));
  writeFileSync(path.join(dir, 'snapshots', `${id}.json`), readFileSync(path.join(dir, 'snapshots', `${head}.json`)));
  expect((await cli(project, 'rehash', 'portfolio')).code).toBe(0);
  const checked = await cli(project, 'check', 'portfolio');
  expect(checked.code).toBe(8);
  expect(checked.err).toBe(
    `portfolio: ${id}.sql line 4: [BEDROCK-L11] CREATE INDEX runs CREATE INDEX CONCURRENTLY inside a transaction on portfolio.positions: SHARE UPDATE EXCLUSIVE lock (blocks nothing), reads the whole table. PostgreSQL refuses it in a transaction block: the deploy stops there. Safe form: put a \`-- +step outside transaction\` line above it, alone in its step`,
  );
});
