// The daily command line on real PostgreSQL: --env connects as stacks/environments.ts says,
// migrate without --service runs every service of the environment in its order (all checked
// first, the first failure stops the rest), --json prints one document, and the exit codes
// tell CI what state the database is in.
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bigint, BedrockProject, EnvironmentConfig, runCli, ServiceStack, Table, text, varchar } from '../../lib';
import { useTestDatabase } from '../support/database';
import { prepareServices } from '../support/platform';
import { testProject } from '../support/project';
import { cliOnDatabase, connectionOf } from '../support/cli-on-database';
import type { CheckDocument, HistoryDocument, RulesDocument, StatusDocument } from '../../lib/cli/json-documents';

const db = useTestDatabase();

beforeAll(async () => {
  await prepareServices(db, ['datahub', 'portfolio']);
});

beforeEach(async () => {
  await db.query('DROP SCHEMA IF EXISTS bedrock CASCADE; DROP SCHEMA datahub CASCADE; DROP SCHEMA portfolio CASCADE');
  await prepareServices(db, ['datahub', 'portfolio']);
});

// portfolio first: migrate follows the environment's order, not the registry's.
const environments: EnvironmentConfig[] = [
  { name: 'ci', connection: { database: 'db', username: 'deployer' }, services: ['portfolio', 'datahub'] },
  { name: 'dev', connection: { database: 'db', username: 'deployer' }, services: ['portfolio', 'datahub'], allowDowngrades: true },
];

const klines = (extra: Record<string, ReturnType<typeof text>> = {}) => (stack: ServiceStack) => {
  new Table(stack, 'klines', { columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: varchar(32).notNull(), ...extra }, primaryKey: ['id'] });
};
const positions = (stack: ServiceStack) => {
  new Table(stack, 'positions', { columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: varchar(32).notNull() }, primaryKey: ['id'] });
};

/** A project with both services' first migration generated, its CLI on the test database. */
async function generated(root?: string) {
  const base = testProject(root);
  const project: BedrockProject & { tables: typeof base.tables } = { ...base, environments };
  project.tables.datahub = klines();
  project.tables.portfolio = positions;
  const cli = (...args: string[]) => cliOnDatabase(project, db.url, args);
  expect((await cli('generate', 'datahub', 'add_klines')).code).toBe(0);
  expect((await cli('generate', 'portfolio', 'add_positions')).code).toBe(0);
  return { project, cli, root: base.root, migrations: (service: string) => readdirSync(project.migrationsDirectory(service)).filter((f) => f.endsWith('.sql')).sort() };
}

async function ledger(): Promise<string[]> {
  if ((await db.query(`SELECT to_regclass('bedrock.migrations') AS t`)).rows[0].t === null) return [];
  return (await db.query(`SELECT service || ' ' || status AS row FROM bedrock.migrations ORDER BY service, id`)).rows.map((r) => r.row);
}

/** Runs the CLI with exactly these environment variables for the connection (no test helper in between). */
async function rawCli(project: BedrockProject, env: Record<string, string | undefined>, args: string[]) {
  const saved = { DATABASE_URL: process.env.DATABASE_URL, PGPASSWORD: process.env.PGPASSWORD };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  const out: string[] = [];
  const err: string[] = [];
  try {
    const code = await runCli(project, args, { log: (l) => out.push(l), error: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe('--env: the connection comes from the environment', () => {
  test("status --env reads the database the environment names, in the environment's service order, and exits 3 while migrations are pending", async () => {
    const { cli, migrations } = await generated();
    const result = await cli('status', '--env', 'ci', '--json');
    expect(result.code).toBe(3);
    expect(result.err).toBe('status: pending in portfolio, datahub');
    const document = JSON.parse(result.out) as StatusDocument;
    expect(document).toEqual({
      bedrock: 1,
      command: 'status',
      environment: 'ci',
      services: [
        { service: 'portfolio', state: 'pending', head: null, applied: [], pending: migrations('portfolio').map((f) => f.replace(/\.sql$/, '')), unknown: [], edited: [], stopped: [], backups: [] },
        { service: 'datahub', state: 'pending', head: null, applied: [], pending: migrations('datahub').map((f) => f.replace(/\.sql$/, '')), unknown: [], edited: [], stopped: [], backups: [] },
      ],
    });
  });

  test('the environment really decides: a database that does not exist is named, with no secret, and nothing else is tried', async () => {
    const { project } = await generated();
    const elsewhere: BedrockProject = { ...project, environments: [{ ...environments[0], connection: { ...connectionOf(db.url), database: 'bedrock_no_such_database' } }] };
    const result = await rawCli(elsewhere, { DATABASE_URL: undefined, PGPASSWORD: 'hunter2-secret' }, ['status', '--env', 'ci']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('Cannot connect to PostgreSQL with environment "ci" (host 127.0.0.1');
    expect(result.err).toContain('database bedrock_no_such_database');
    expect(result.err).toContain('database "bedrock_no_such_database" does not exist');
    expect(result.err).not.toContain('hunter2-secret');
  });

  test('DATABASE_URL beside --env is refused: two answers to "which database" must not meet silently', async () => {
    const { project } = await generated();
    const pointed: BedrockProject = { ...project, environments: [{ ...environments[0], connection: connectionOf(db.url) }] };
    const result = await rawCli(pointed, { DATABASE_URL: db.url }, ['migrate', '--env', 'ci']);
    expect(result).toMatchObject({ code: 1, out: '' });
    expect(result.err).toContain('--env ci and DATABASE_URL both say which database to use: unset DATABASE_URL');
    expect(await ledger()).toEqual([]);
  });

  test('DATABASE_URL alone keeps working', async () => {
    const { project } = await generated();
    const result = await rawCli(project, { DATABASE_URL: db.url }, ['status', '--service', 'datahub']);
    expect(result.code).toBe(3);
    expect(result.out).toMatch(/^datahub: at nothing applied; 0 applied; 1 pending/);
  });

  test('an unknown environment, and a service it does not run, are named with the choices', async () => {
    const { cli, project } = await generated();
    expect(await cli('status', '--env', 'staging')).toEqual({ code: 1, out: '', err: '--env "staging": there is no such environment (environments: ci, dev; see stacks/environments.ts)' });
    const narrow: BedrockProject = { ...project, environments: [{ ...environments[0], services: ['portfolio'] }] };
    expect(await cliOnDatabase(narrow, db.url, ['history', 'datahub', '--env', 'ci'])).toEqual({
      code: 1,
      out: '',
      err: 'datahub: environment "ci" does not run service datahub (its services: portfolio)',
    });
  });
});

describe('migrate without --service', () => {
  test("applies every service of the environment, in the environment's order; then status exits 0 and history --json lists the runs", async () => {
    const { cli } = await generated();
    const result = await cli('migrate', '--env', 'ci');
    expect(result).toMatchObject({ code: 0, err: '' });
    const lines = result.out.split('\n');
    expect(lines[0]).toBe('migrate: 2 services, in this order: portfolio, datahub (environment ci)');
    expect(lines[lines.length - 1]).toBe('migrate: 2 services at their heads');
    const firstDatahub = lines.findIndex((l) => l.startsWith('datahub:'));
    expect(lines.findIndex((l) => l.startsWith('portfolio:'))).toBeLessThan(firstDatahub);
    expect(lines.slice(firstDatahub).some((l) => l.startsWith('portfolio:'))).toBe(false);
    expect(await ledger()).toEqual(['datahub applied', 'portfolio applied']);

    const status = await cli('status', '--env', 'ci');
    expect(status.code).toBe(0);
    expect(status.err).toBe('');
    const history = await cli('history', 'datahub', '--env', 'ci', '--json');
    expect(history.code).toBe(0);
    const document = JSON.parse(history.out) as HistoryDocument;
    expect(document).toMatchObject({ bedrock: 1, command: 'history', service: 'datahub' });
    expect(document.entries).toHaveLength(1);
    expect(document.entries[0]).toMatchObject({ action: 'up', by: 'postgres', error: null, note: null });
    expect(new Date(document.entries[0].at).toISOString()).toBe(document.entries[0].at);
  });

  test('checks every service before running any: one refused folder, and nothing is migrated', async () => {
    const { cli, project, migrations } = await generated();
    appendFileSync(path.join(project.migrationsDirectory('datahub'), migrations('datahub')[0]), 'DROP TABLE datahub.klines;\n');
    const result = await cli('migrate', '--env', 'ci');
    expect(result.code).toBe(1);
    expect(result.err).toContain('datahub: refusing to run migrations that `check` refuses:');
    expect(result.err).toContain('No service was migrated.');
    expect(await ledger()).toEqual([]);
  });

  test('the first failing service stops the rest, and says which are done and which did not start', async () => {
    const { cli } = await generated();
    // The table exists already, made by hand: portfolio's first migration fails (and, in one transaction, leaves nothing).
    await db.query('CREATE TABLE portfolio.positions (id bigint)');
    const result = await cli('migrate', '--env', 'ci');
    expect(result.code).toBe(1);
    expect(result.err).toContain('relation "positions" already exists');
    expect(result.err).toContain('migrate stopped at portfolio: done none; not started datahub. Fix portfolio, then run migrate again');
    expect(await ledger()).toEqual([]);
    const status = await cli('status', '--env', 'ci');
    expect(status).toMatchObject({ code: 3, err: 'status: pending in portfolio, datahub' });
  });

  test('--to needs --service', async () => {
    const { cli } = await generated();
    expect(await cli('migrate', '--to', 'x')).toEqual({ code: 1, out: '', err: 'migrate: --to names a migration of one service: give --service too' });
  });
});

describe('status exit codes', () => {
  test('5 when an applied migration was edited since (and rehashed, so the folder itself passes check)', async () => {
    const { cli, project, migrations } = await generated();
    expect((await cli('migrate', '--env', 'ci')).code).toBe(0);
    const file = migrations('datahub')[0];
    appendFileSync(path.join(project.migrationsDirectory('datahub'), file), '-- a comment changes the checksum\n');
    expect((await cli('rehash', 'datahub')).code).toBe(0);
    const status = await cli('status', '--env', 'ci');
    expect(status.code).toBe(5);
    expect(status.out).toContain(`EDITED since applied: ${file.replace(/\.sql$/, '')}`);
    expect(status.err).toBe('status: edited in datahub');
  });

  test('6 when the database holds a migration this checkout does not have', async () => {
    const older = await generated();
    const newerRoot = mkdtempSync(path.join(tmpdir(), 'bedrock-newer-'));
    cpSync(older.root, newerRoot, { recursive: true });
    const newer = await (async () => {
      const base = testProject(newerRoot);
      const project: BedrockProject & { tables: typeof base.tables } = { ...base, environments };
      project.tables.datahub = klines({ source: text() });
      project.tables.portfolio = positions;
      const cli = (...args: string[]) => cliOnDatabase(project, db.url, args);
      expect((await cli('generate', 'datahub', 'add_source')).code).toBe(0);
      return { cli };
    })();
    expect((await newer.cli('migrate', '--env', 'ci')).code).toBe(0);
    const status = await older.cli('status', '--env', 'ci', '--json');
    expect(status.code).toBe(6);
    const datahub = (JSON.parse(status.out) as StatusDocument).services.find((s) => s.service === 'datahub')!;
    expect(datahub.state).toBe('unknown');
    expect(datahub.unknown).toEqual([expect.stringContaining('_datahub_add_source')]);
  });
});

describe('migrate --env of an environment that allows downgrades', () => {
  test('rolls back a head below the database, as deploy does, but refuses to destroy data unasked', async () => {
    const older = await generated();
    const newerRoot = mkdtempSync(path.join(tmpdir(), 'bedrock-newer-'));
    cpSync(older.root, newerRoot, { recursive: true });
    const base = testProject(newerRoot);
    const newer: BedrockProject & { tables: typeof base.tables } = { ...base, environments };
    newer.tables.datahub = klines({ source: text() });
    newer.tables.portfolio = positions;
    expect((await cliOnDatabase(newer, db.url, ['generate', 'datahub', 'add_source'])).code).toBe(0);
    expect((await cliOnDatabase(newer, db.url, ['migrate', '--env', 'dev'])).code).toBe(0);
    await db.query(`INSERT INTO datahub.klines (symbol, source) VALUES ('BTC', 'binance')`);

    // ci does not allow downgrades: the runner refuses a head below the database.
    const refusedByEnvironment = await older.cli('migrate', '--env', 'ci', '--service', 'datahub');
    expect(refusedByEnvironment.code).toBe(1);
    expect(refusedByEnvironment.err).toContain('beyond the plan\'s head, and this environment does not allow downgrades');
    const refused = await older.cli('migrate', '--env', 'dev');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('migrate would roll back migrations whose downs destroy data; nothing was run:');
    expect(refused.err).toContain('datahub: ');
    expect(refused.err).toContain('`npm run bedrock -- migrate --env dev --accept-data-loss`');
    expect((await db.query('SELECT source FROM datahub.klines')).rows).toEqual([{ source: 'binance' }]);

    const accepted = await older.cli('migrate', '--env', 'dev', '--accept-data-loss');
    expect(accepted).toMatchObject({ code: 0, err: '' });
    expect(accepted.out).toMatch(/datahub: rolled back \S+_datahub_add_source/);
    expect((await db.query(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = 'datahub' AND column_name = 'source'`)).rows).toEqual([{ n: 0 }]);
  });
});

describe('--json and exit codes of commands that need no database', () => {
  test('check --json: one document on stdout; 8 when anything is refused', async () => {
    const { cli, project, migrations } = await generated();
    const ok = await cli('check', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toEqual({ bedrock: 1, command: 'check', ok: true, services: [{ service: 'datahub', problems: [], warnings: [] }, { service: 'portfolio', problems: [], warnings: [] }] } satisfies CheckDocument);

    appendFileSync(path.join(project.migrationsDirectory('datahub'), migrations('datahub')[0]), 'DROP TABLE datahub.klines;\n');
    const refused = await cli('check', '--json');
    expect(refused.code).toBe(8);
    expect(refused.err).toBe('check: 2 problem(s) refused');
    const document = JSON.parse(refused.out) as CheckDocument;
    expect(document.ok).toBe(false);
    // The checksum, and the schema part no longer what `generate` writes (its line named).
    expect(document.services[0].problems).toEqual([expect.stringContaining('was edited after it was generated'), expect.stringMatching(/line \d+: the file is not what `generate` writes/)]);
    expect(document.services[1].problems).toEqual([]);
  });

  test('rules --json lists every rule once, with its kind and severity', async () => {
    const { cli } = await generated();
    const result = await cli('rules', '--json');
    expect(result.code).toBe(0);
    const { rules, ...head } = JSON.parse(result.out) as RulesDocument;
    expect(head).toEqual({ bedrock: 1, command: 'rules' });
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    expect(new Set(rules.map((r) => r.kind))).toEqual(new Set(['model', 'statement', 'lint']));
    expect(rules.find((r) => r.id === 'BEDROCK-O1')).toMatchObject({ kind: 'model', severity: 'error' });
    expect(rules.filter((r) => r.kind === 'lint').some((r) => r.severity === 'warning')).toBe(true);
    for (const rule of rules) expect(Object.keys(rule).sort()).toEqual(['acknowledgeable', 'description', 'enforcedAt', 'id', 'kind', 'name', 'severity']);
  });

  test('usage errors exit 2; help exits 0', async () => {
    const { cli } = await generated();
    const unknown = await cli('status', '--no-such-option');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("unknown option '--no-such-option'");
    expect((await cli('history')).code).toBe(2);
    expect((await cli('--help')).code).toBe(0);
  });
});

test('the installed bin: `npx bedrock` runs the same command line', () => {
  const root = path.join(__dirname, '..', '..');
  expect(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).bin).toEqual({ bedrock: 'scripts/bedrock.js' });
  const result = spawnSync(process.execPath, [path.join(root, 'scripts', 'bedrock.js'), 'rules', '--json'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect((JSON.parse(result.stdout) as RulesDocument).command).toBe('rules');
});
