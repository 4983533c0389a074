// SCRATCH (attack 11): deleted after the run.
import { Client } from 'pg';
import { parseMigration } from '../../lib/migrations/migration-file';
import { migrationPlan } from '../../lib/migrations/migration-plan';
import { converge } from '../../lib/runner/runner';
import { runnerFlags } from '../../lib/runner/runner-flags';
import { useTestDatabase, TestDatabase } from '../support/database';
import { prepareServices } from '../support/platform';

const db = useTestDatabase();
const FAST = { lockTimeoutMs: 200, statementTimeoutMs: 20_000, lockWaitMs: 5_000, lockRetries: { retries: 2, backoffMs: 100, maxBackoffMs: 400 } };

function file(id: string, up: string, down: string, header = '') {
  const text = `-- Migration ${id}\n-- service: datahub\n-- parent: none\n${header}--\n\n-- +up\n${up}\n\n-- +down\n${down}\n`;
  return parseMigration(`${id}.sql`, text);
}

async function run(database: TestDatabase, migrations: ReturnType<typeof file>[], extra: Record<string, unknown> = {}) {
  const client = new Client({ connectionString: database.url });
  client.on('error', () => undefined);
  await client.connect();
  const log: string[] = [];
  try {
    const result = await converge(client, { plan: migrationPlan('datahub', 'datahub_owner', migrations), allowDowngrades: false, ...FAST, log: (l) => log.push(l), ...extra });
    return { result, log };
  } catch (error) {
    return { error: (error as Error).message, log };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function fresh() {
  await db.query(`DROP SCHEMA IF EXISTS bedrock CASCADE; DROP SCHEMA IF EXISTS datahub CASCADE; CREATE SCHEMA datahub AUTHORIZATION datahub_owner`);
  await db.query(`SET ROLE datahub_owner;
    CREATE TABLE datahub.klines (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, symbol text NOT NULL, price numeric NOT NULL);
    INSERT INTO datahub.klines (symbol, price) SELECT 'S' || g, g FROM generate_series(1, 1000) g;
    RESET ROLE`);
}
const ledger = async () => (await db.query(`SELECT id, status, steps_done, steps_total, error FROM bedrock.migrations ORDER BY id`)).rows;
const idx = async () => (await db.query(`SELECT n.nspname, c.relname, pg_get_indexdef(i.indexrelid) d, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid=i.indexrelid JOIN pg_namespace n ON n.oid=c.relnamespace WHERE n.nspname NOT IN ('pg_catalog','pg_toast','bedrock') ORDER BY 1,2`)).rows;

beforeAll(() => prepareServices(db, ['datahub']));
beforeEach(fresh);

test('A: an index of the same name already there: resumed run records the step done', async () => {
  await db.query(`SET ROLE datahub_owner; CREATE INDEX klines_volume_idx ON datahub.klines (price); RESET ROLE`);
  const m = file('20260101_000000_datahub_volume',
    `-- +step\nALTER TABLE datahub.klines ADD COLUMN volume numeric;\n-- +step outside transaction\nCREATE INDEX CONCURRENTLY klines_volume_idx ON datahub.klines (volume);`,
    `-- +step outside transaction\nDROP INDEX CONCURRENTLY datahub.klines_volume_idx;\n-- +step\nALTER TABLE datahub.klines DROP COLUMN volume;`);
  const first = await run(db, [m]);
  console.log('A first', JSON.stringify(first, null, 1), await ledger());
  const second = await run(db, [m]);
  console.log('A second', JSON.stringify(second, null, 1), await ledger(), await idx());
});

test('B: legacy v1 row of a transactional:false migration rolls back inside a transaction', async () => {
  await db.query(`SET ROLE datahub_owner; CREATE INDEX CONCURRENTLY klines_sym_idx ON datahub.klines (symbol); RESET ROLE`);
  await db.query(`CREATE SCHEMA bedrock; CREATE TABLE bedrock.migrations (service text NOT NULL, id text NOT NULL, checksum text NOT NULL, up_sql text NOT NULL, down_sql text NOT NULL, transactional boolean NOT NULL,
      status text NOT NULL CHECK (status IN ('applied', 'failed', 'baselined')), applied_at timestamptz NOT NULL DEFAULT clock_timestamp(), applied_by text NOT NULL DEFAULT session_user, duration_ms integer, error text, PRIMARY KEY (service, id));
    CREATE TABLE bedrock.migration_history (at timestamptz NOT NULL DEFAULT clock_timestamp(), service text NOT NULL, id text NOT NULL, action text NOT NULL CHECK (action IN ('up', 'down', 'baseline', 'failed', 'resolved')), by text NOT NULL DEFAULT session_user, duration_ms integer, error text);
    INSERT INTO bedrock.migrations (service, id, checksum, up_sql, down_sql, transactional, status) VALUES ('datahub', '20250101_000000_datahub_sym', 'x', 'CREATE INDEX CONCURRENTLY klines_sym_idx ON datahub.klines (symbol);', 'DROP INDEX CONCURRENTLY datahub.klines_sym_idx;', false, 'applied')`);
  const r = await run(db, [], { allowDowngrades: true });
  console.log('B', JSON.stringify(r, null, 1), await ledger());
});

test('C: mixed-case schema-qualified quoted index name, failed unique build leaves INVALID: dropped?', async () => {
  await db.query(`INSERT INTO datahub.klines (symbol, price) VALUES ('S1', 5)`);
  const m = file('20260101_000000_datahub_uq',
    `-- +step outside transaction\nCREATE UNIQUE INDEX CONCURRENTLY "Klines ""Sym"" Idx" ON datahub.klines (symbol);`,
    `-- +step outside transaction\nDROP INDEX CONCURRENTLY datahub."Klines ""Sym"" Idx";`);
  const first = await run(db, [m]);
  console.log('C first', JSON.stringify(first, null, 1), await ledger(), await idx());
  await db.query(`DELETE FROM datahub.klines WHERE symbol = 'S1' AND price = 5`);
  const second = await run(db, [m]);
  console.log('C second', JSON.stringify(second, null, 1), await ledger(), await idx());
});

test('D: --offline-max-rows 0 as environment allows', () => {
  let out: unknown;
  try { out = runnerFlags(['--offline-max-rows', '0']); } catch (e) { out = (e as Error).message; }
  console.log('D', out);
});
