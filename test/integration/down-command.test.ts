// `down` on the command line, on real PostgreSQL: it runs only for a named environment that
// allows downgrades, and a rollback that drops a table or column holding data needs
// --accept-data-loss, refused before anything runs.
import { bigint, BedrockProject, EnvironmentConfig, ServiceStack, Table, text, varchar } from '../../lib';
import { Client } from 'pg';
import { downDataLoss, droppedBy } from '../../lib/runner/down-data-loss';
import { loadSqlParser } from '../../lib/sql/parser';
import { useTestDatabase } from '../support/database';
import { prepareServices } from '../support/platform';
import { testProject } from '../support/project';
import { cliOnDatabase } from '../support/cli-on-database';

const db = useTestDatabase();

beforeAll(async () => {
  await prepareServices(db, ['datahub', 'portfolio']);
});

const environments: EnvironmentConfig[] = [
  { name: 'dev', connection: { database: 'db', username: 'deployer' }, services: ['datahub', 'portfolio'], allowDowngrades: true },
  { name: 'prod', connection: { database: 'db', username: 'deployer' }, services: ['datahub', 'portfolio'] },
];

const klines = (extra: Record<string, ReturnType<typeof text>> = {}) => (stack: ServiceStack) => {
  new Table(stack, 'klines', { columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: varchar(32).notNull(), ...extra }, primaryKey: ['id'] });
};

/** A test project with the environments above, whose CLI runs against the test database. */
function project() {
  const base = testProject();
  const withEnvironments: BedrockProject = { ...base, environments };
  const cli = (...args: string[]) => cliOnDatabase(withEnvironments, db.url, args);
  return { tables: base.tables, cli };
}

async function ledger(): Promise<string[]> {
  const { rows } = await db.query(`SELECT id FROM bedrock.migrations WHERE service = 'datahub' ORDER BY id`);
  return rows.map((r) => r.id);
}

async function columns(): Promise<string[]> {
  const { rows } = await db.query(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'datahub' AND table_name = 'klines' ORDER BY ordinal_position`);
  return rows.map((r) => r.column_name);
}

/** datahub migrated to two migrations: klines, then its column `source`. */
async function migrated() {
  await db.query('DROP SCHEMA IF EXISTS bedrock CASCADE; DROP SCHEMA datahub CASCADE; CREATE SCHEMA datahub AUTHORIZATION datahub_owner');
  const p = project();
  p.tables.datahub = klines();
  expect((await p.cli('generate', 'datahub', 'add_klines_table')).code).toBe(0);
  p.tables.datahub = klines({ source: text() });
  expect((await p.cli('generate', 'datahub', 'add_source')).code).toBe(0);
  expect(await p.cli('migrate', '--service', 'datahub')).toMatchObject({ code: 0, err: '' });
  const ids = await ledger();
  expect(ids).toHaveLength(2);
  return { ...p, ids };
}

describe('down follows the environment', () => {
  test.each([
    [[], 'datahub: say which environment the database belongs to with --env <name> (environments: dev, prod; downgrades allowed in: dev): a rollback runs only where its environment allows downgrades'],
    [['--env', 'staging'], 'datahub: there is no environment "staging" (environments: dev, prod; downgrades allowed in: dev)'],
    [
      ['--env', 'prod'],
      'datahub: environment "prod" does not allow downgrades (allowDowngrades is not set on its row in stacks/environments.ts), so no migration is rolled back there. ' +
        'Undo the change with a new migration (`npm run bedrock -- generate datahub <description>`), or roll back where downgrades are allowed (dev)',
    ],
  ])('down %j is refused, and nothing is rolled back', async (env, message) => {
    const { cli, ids } = await migrated();
    expect(await cli('down', '--service', 'datahub', ...env)).toEqual({ code: 1, out: '', err: message });
    expect(await ledger()).toEqual(ids);
  });

  test('--env of an environment that allows downgrades rolls back', async () => {
    const { cli, ids } = await migrated();
    const result = await cli('down', '--service', 'datahub', '--env', 'dev');
    expect(result.err).toBe('');
    expect(result.out).toMatch(new RegExp(`^datahub: rolling back ${ids[1]}\\ndatahub: rolled back ${ids[1]} in \\d+ ms`));
    expect(await ledger()).toEqual([ids[0]]);
  });
});

describe('a rollback that destroys data needs --accept-data-loss', () => {
  test('a dropped column or table that holds data is refused before anything runs, naming each loss and the command', async () => {
    const { cli, ids } = await migrated();
    await db.query(`INSERT INTO datahub.klines (symbol, source) VALUES ('BTCUSDT', 'binance'), ('ETHUSDT', NULL)`);

    const column = await cli('down', '--service', 'datahub', '--env', 'dev', '--steps', '1');
    expect(column).toEqual({
      code: 1,
      out: '',
      err:
        'datahub: this rollback destroys data; nothing was rolled back:\n' +
        `  - ${ids[1]}: drops column datahub.klines.source, which holds values (backups are on here: the rollback copies it first, and its output names the copy and the restore command)\n` +
        'If that is intended, run again with --accept-data-loss (`npm run bedrock -- down --service datahub --env dev --steps 1 --accept-data-loss`).',
    });
    const both = await cli('down', '--service', 'datahub', '--env', 'dev', '--to', 'base');
    expect(both.err).toBe(
      'datahub: this rollback destroys data; nothing was rolled back:\n' +
        `  - ${ids[1]}: drops column datahub.klines.source, which holds values (backups are on here: the rollback copies it first, and its output names the copy and the restore command)\n` +
        `  - ${ids[0]}: drops table datahub.klines, which holds rows (backups are on here: the rollback copies it first, and its output names the copy and the restore command)\n` +
        'If that is intended, run again with --accept-data-loss (`npm run bedrock -- down --service datahub --env dev --to base --accept-data-loss`).',
    );
    expect(await ledger()).toEqual(ids);
    expect(await columns()).toEqual(['id', 'symbol', 'source']);

    // A column holding only NULLs loses nothing.
    await db.query('UPDATE datahub.klines SET source = NULL');
    expect(await cli('down', '--service', 'datahub', '--env', 'dev', '--steps', '1')).toMatchObject({ code: 0, err: '' });
    expect(await columns()).toEqual(['id', 'symbol']);

    const refused = await cli('down', '--service', 'datahub', '--env', 'dev', '--to', 'base');
    expect(refused.err).toContain(`  - ${ids[0]}: drops table datahub.klines, which holds rows (backups are on here: the rollback copies it first, and its output names the copy and the restore command)\n`);
    expect(await ledger()).toEqual([ids[0]]);
    expect(await cli('down', '--service', 'datahub', '--env', 'dev', '--to', 'base', '--accept-data-loss')).toMatchObject({ code: 0, err: '' });
    expect(await ledger()).toEqual([]);
    expect((await db.query(`SELECT to_regclass('datahub.klines') AS t`)).rows[0].t).toBeNull();
  });

  test('empty tables roll back without the flag', async () => {
    const { cli } = await migrated();
    expect(await cli('down', '--service', 'datahub', '--env', 'dev', '--to', 'base')).toMatchObject({ code: 0, err: '' });
    expect(await ledger()).toEqual([]);
  });
});

describe('what a down statement drops, by PostgreSQL parser', () => {
  test('statements, not words: comments and strings that mention DROP count for nothing', () => {
    expect(droppedBy(`SELECT 'DROP TABLE datahub.klines'; -- DROP TABLE datahub.klines\n/* ALTER TABLE t DROP COLUMN c */`, 'datahub')).toEqual([]);
    expect(
      droppedBy('ALTER TABLE klines DROP COLUMN a, ADD COLUMN b int, DROP COLUMN IF EXISTS "C d";\nDROP TABLE IF EXISTS x, other.y CASCADE;\nTRUNCATE datahub.z;\nDROP INDEX datahub.i;', 'datahub'),
    ).toEqual([
      { kind: 'column', schema: 'datahub', table: 'klines', column: 'a' },
      { kind: 'column', schema: 'datahub', table: 'klines', column: 'C d' },
      { kind: 'table', schema: 'datahub', table: 'x', how: 'drops' },
      { kind: 'table', schema: 'other', table: 'y', how: 'drops' },
      { kind: 'table', schema: 'datahub', table: 'z', how: 'truncates' },
    ]);
    expect(() => droppedBy('DROP TABL x', 'datahub')).toThrow('syntax error at or near "TABL"');
  });
});

describe('the data-loss check runs no code of the migrations', () => {
  // Found by an attacker's pass: the check read whatever to_regclass found, views included, as
  // the deploying user, so a view's functions ran as that user before `down` even refused.
  test('a view dropped by a down is not read; tables are read as the owner role, read-only', async () => {
    await db.query('DROP SCHEMA IF EXISTS datahub CASCADE; CREATE SCHEMA datahub AUTHORIZATION datahub_owner');
    await db.query(`CREATE VIEW datahub.report AS SELECT 1 AS one WHERE pg_catalog.pg_try_advisory_lock(4242)`);
    await db.query(`CREATE TABLE datahub.rows (id int); INSERT INTO datahub.rows VALUES (1); ALTER TABLE datahub.rows OWNER TO datahub_owner`);
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      await loadSqlParser();
      const losses = await downDataLoss(client, 'datahub', 'datahub_owner', [{ id: 'm1', down_sql: 'DROP TABLE datahub.report; DROP TABLE datahub.rows;' }]);
      expect(losses).toEqual(['m1: drops table datahub.rows, which holds rows']);
      const locks = await db.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242`);
      expect(locks.rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
  });
});
