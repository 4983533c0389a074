// The legacy database the adoption is proven against (issue 13): the committed schema.sql builds
// the seed's nine tables and Alembic's version table at the chain's head; where Debian's
// python3-alembic is installed, the real `alembic upgrade head` builds exactly the same catalog;
// rows go in with every foreign key satisfied; and all of it on PostgreSQL 14 too.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { readLiveSchema } from '../../lib/catalog/live-schema';
import { schemaDifferences } from '../../lib/catalog/schema-differences';
import { quoteIdentifier } from '../../lib';
import { hasTestServer, TestDatabase, useTestDatabase } from '../support/database';
import { buildLegacyDatabase, insertLegacyRows, LEGACY_FIXTURE, LEGACY_HEAD, LEGACY_TABLES, LegacyDatabase, legacyAlembicUnavailable } from '../support/legacy-database';

// The legacy user: a non-superuser login that owns what it builds, as a deploying user would.
const LEGACY_ROLE = `legacy_${randomBytes(4).toString('hex')}`;
const LEGACY_PASSWORD = 'legacy-test';

const fixtureDb = useTestDatabase();
const alembicDb = useTestDatabase();
const fixtureDb14 = useTestDatabase(14);
const alembicDb14 = useTestDatabase(14);
const has14 = hasTestServer(14);
/** The servers (their `postgres` database's superuser URL) the legacy role was made on. */
const servers = new Set<string>();

/** Makes the legacy role on the database's server (once) and lets it create in public; returns its URL. */
async function legacyUrl(db: TestDatabase): Promise<string> {
  const exists = await db.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [LEGACY_ROLE]);
  if (exists.rowCount === 0) await db.query(`CREATE ROLE ${quoteIdentifier(LEGACY_ROLE)} LOGIN PASSWORD '${LEGACY_PASSWORD}'`);
  servers.add(Object.assign(new URL(db.url), { pathname: '/postgres' }).toString());
  // PostgreSQL 15 and newer grant CREATE on public to nobody but its owner.
  await db.query(`GRANT CREATE ON SCHEMA public TO ${quoteIdentifier(LEGACY_ROLE)}`);
  const url = new URL(db.url);
  url.username = LEGACY_ROLE;
  url.password = LEGACY_PASSWORD;
  return url.toString();
}

// Registered after the databases' own hooks, so it runs once they are dropped (jest runs afterAll
// hooks in the order they were added) and the role owns nothing any more.
afterAll(async () => {
  for (const server of servers) {
    const admin = new Client({ connectionString: server });
    await admin.connect();
    try {
      await admin.query(`DROP ROLE IF EXISTS ${quoteIdentifier(LEGACY_ROLE)}`);
    } finally {
      await admin.end();
    }
  }
});

let fromFixture: LegacyDatabase;
beforeAll(async () => {
  fromFixture = await buildLegacyDatabase(fixtureDb.client, await legacyUrl(fixtureDb), { via: 'fixture' });
});

/** The head of the chain in alembic/versions/: the one revision no other revision revises. */
function headOfVersionFiles(): string {
  const folder = join(LEGACY_FIXTURE, 'alembic', 'versions');
  const files = readdirSync(folder).filter((file) => file.endsWith('.py'));
  const field = (text: string, name: string) => text.match(new RegExp(`^${name} = (?:'([0-9a-f]+)'|None)$`, 'm'));
  const revisions = files.map((file) => {
    const text = readFileSync(join(folder, file), 'utf8');
    return { file, revision: field(text, 'revision')?.[1], down: field(text, 'down_revision')?.[1] };
  });
  const heads = revisions.filter((r) => !revisions.some((other) => other.down === r.revision));
  expect(heads).toHaveLength(1);
  return heads[0].revision ?? '';
}

const EXPECTED_TABLES = [...Object.keys(LEGACY_TABLES), 'alembic_version'].sort();

async function tablesAndOwners(db: TestDatabase): Promise<{ name: string; owner: string }[]> {
  const { rows } = await db.query<{ name: string; owner: string }>(
    `SELECT c.relname AS name, pg_get_userbyid(c.relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S') ORDER BY 1`,
  );
  return rows;
}

async function enumOwners(db: TestDatabase): Promise<{ name: string; owner: string }[]> {
  const { rows } = await db.query<{ name: string; owner: string }>(
    `SELECT t.typname AS name, pg_get_userbyid(t.typowner) AS owner FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' AND t.typtype = 'e' ORDER BY 1`,
  );
  return rows;
}

test('the chain has one head, and schema.sql ends there (LEGACY_HEAD)', () => {
  expect(LEGACY_HEAD).toMatch(/^[0-9a-f]{12}$/);
  expect(headOfVersionFiles()).toBe(LEGACY_HEAD);
  // The seed's naming convention: {YYYYMMDD_HHMMSS}_{service}_{description}.py.
  const services = [...new Set(Object.values(LEGACY_TABLES))].join('|');
  for (const file of readdirSync(join(LEGACY_FIXTURE, 'alembic', 'versions'))) expect(file).toMatch(new RegExp(`^\\d{8}_\\d{6}_(${services})_[a-z0-9_]+\\.py$`));
});

test('schema.sql builds the nine tables and alembic_version at the head, all owned by the legacy user', async () => {
  expect(fromFixture).toEqual({ via: 'fixture', revision: LEGACY_HEAD });
  const relations = await tablesAndOwners(fixtureDb);
  const tables = relations.filter((r) => !r.name.endsWith('_seq'));
  expect(tables.map((r) => r.name)).toEqual(EXPECTED_TABLES);
  // SERIAL / BIGSERIAL sequences and the identity columns' sequences, all the legacy user's.
  expect(relations.filter((r) => r.name.endsWith('_seq')).map((r) => r.name)).toEqual([
    'backtest_reports_id_seq', 'backtest_tasks_id_seq', 'chain_data_id_seq', 'klines_id_seq', 'ml_models_id_seq',
    'positions_id_seq', 'signals_id_seq', 'trades_id_seq', 'training_jobs_id_seq',
  ]);
  expect(new Set(relations.map((r) => r.owner))).toEqual(new Set([LEGACY_ROLE]));
  expect(await enumOwners(fixtureDb)).toEqual(['kline_interval', 'signalside', 'task_status', 'training_status'].map((name) => ({ name, owner: LEGACY_ROLE })));

  // What an adoption must carry over, read back as the catalog holds it.
  const live = await readLiveSchema(fixtureDb.client, 'public');
  const table = (name: string) => live.tables.find((t) => t.name === name)!;
  expect(table('klines').columns.find((c) => c.name === 'id')).toMatchObject({ type: 'bigint', serial: true });
  expect(table('ml_models').columns.find((c) => c.name === 'id')).toMatchObject({ type: 'integer', identity: 'by default' });
  expect(table('training_jobs').columns.find((c) => c.name === 'id')).toMatchObject({ type: 'bigint', identity: 'always' });
  expect(table('chain_data').columns.find((c) => c.name === 'payload')).toMatchObject({ type: 'jsonb', default: "'{}'::jsonb", notNull: true });
  expect(table('chain_data').columns.find((c) => c.name === 'observed_at')).toMatchObject({ type: 'timestamp without time zone', comment: 'UTC, stored without time zone' });
  expect(table('chain_data').uniques).toEqual([{ name: 'chain_data_tx_hash_key', columns: ['tx_hash'] }]);
  expect(table('klines').uniques.map((u) => u.name)).toEqual(['uq_klines_exchange_symbol_timeframe_open_time']);
  expect(table('signals').checks.map((c) => c.name)).toEqual(['ck_signals_strength_range']);
  expect(table('signals').indexes.map((i) => i.name)).toEqual(['ix_signals_strategy', 'ix_signals_symbol_confidence', 'ix_signals_symbol_generated_at']);
  expect(table('signals').indexes.find((i) => i.name === 'ix_signals_symbol_confidence')!.columns).toEqual([{ column: 'symbol' }, { column: 'ml_confidence_score', order: 'desc' }]);
  expect(table('signals').foreignKeys).toEqual([
    { name: 'signals_ml_model_id_fkey', columns: ['ml_model_id'], references: { schema: 'public', table: 'ml_models', columns: ['id'] }, onDelete: 'set null', onUpdate: 'no action' },
  ]);
  expect(table('trades').foreignKeys.map((fk) => [fk.name, fk.references.table, fk.onDelete])).toEqual([['trades_position_id_fkey', 'positions', 'cascade']]);
  expect(table('positions').comment).toBe('Open and closed positions per account and symbol');
});

test('the real `alembic upgrade head`, online, builds exactly the catalog schema.sql builds', async () => {
  const unavailable = await legacyAlembicUnavailable();
  if (unavailable) {
    console.log(`SKIPPED: the online Alembic build was not compared with schema.sql. ${unavailable}`);
    expect(unavailable).toMatch(/Alembic was not run/);
    return;
  }
  const legacy = await buildLegacyDatabase(alembicDb.client, await legacyUrl(alembicDb), { via: 'alembic' });
  expect(legacy).toEqual({ via: 'alembic', revision: LEGACY_HEAD });
  expect(await tablesAndOwners(alembicDb)).toEqual(await tablesAndOwners(fixtureDb));
  expect(await enumOwners(alembicDb)).toEqual(await enumOwners(fixtureDb));
  const fromFixture = await readLiveSchema(fixtureDb.client, 'public');
  const fromAlembic = await readLiveSchema(alembicDb.client, 'public');
  expect(schemaDifferences('public', fromFixture, fromAlembic)).toEqual([]);
  expect(fromAlembic.tables).toHaveLength(10);
});

test('rows go into all nine tables with every foreign key satisfied, and legacy unqualified queries see them', async () => {
  await insertLegacyRows(fixtureDb.client, 250);
  for (const name of Object.keys(LEGACY_TABLES)) {
    const { rows } = await fixtureDb.query<{ count: string }>(`SELECT count(*) FROM public.${quoteIdentifier(name)}`);
    expect([name, rows[0].count]).toEqual([name, '250']);
  }
  const orphans = await fixtureDb.query<{ fk: string; count: string }>(
    `SELECT 'trades.position_id' AS fk, count(*) FROM trades t LEFT JOIN positions p ON p.id = t.position_id WHERE p.id IS NULL
     UNION ALL SELECT 'backtest_reports.task_id', count(*) FROM backtest_reports r LEFT JOIN backtest_tasks k ON k.id = r.task_id WHERE k.id IS NULL
     UNION ALL SELECT 'training_jobs.model_id', count(*) FROM training_jobs j LEFT JOIN ml_models m ON m.id = j.model_id WHERE j.model_id IS NULL OR m.id IS NULL
     UNION ALL SELECT 'signals.ml_model_id', count(*) FROM signals s LEFT JOIN ml_models m ON m.id = s.ml_model_id WHERE s.ml_model_id IS NULL OR m.id IS NULL`,
  );
  expect(orphans.rows).toEqual([
    { fk: 'trades.position_id', count: '0' },
    { fk: 'backtest_reports.task_id', count: '0' },
    { fk: 'training_jobs.model_id', count: '0' },
    { fk: 'signals.ml_model_id', count: '0' },
  ]);

  // The old process: the legacy user, unqualified names, and its SERIAL ids continue after the rows.
  const legacyClient = new Client({ connectionString: await legacyUrl(fixtureDb) });
  await legacyClient.connect();
  try {
    const inserted = await legacyClient.query<{ id: number }>(
      `INSERT INTO positions (account_id, symbol, avg_entry_price) VALUES ('acct-new', 'BTCUSDT', 42000) RETURNING id`,
    );
    expect(inserted.rows[0].id).toBe(251);
    const side = await legacyClient.query(`SELECT count(*)::int AS n FROM signals WHERE side = 'BUY'`);
    expect(side.rows[0].n).toBeGreaterThan(0);
    // ON DELETE CASCADE from positions to trades, as the legacy code relies on.
    const position = await legacyClient.query<{ position_id: number }>('SELECT position_id FROM trades ORDER BY id LIMIT 1');
    await legacyClient.query('DELETE FROM positions WHERE id = $1', [position.rows[0].position_id]);
    const left = await legacyClient.query('SELECT count(*)::int AS n FROM trades WHERE position_id = $1', [position.rows[0].position_id]);
    expect(left.rows[0].n).toBe(0);
  } finally {
    await legacyClient.end();
  }
});

const on14 = has14 ? test : test.skip;
if (!has14) console.log('SKIPPED: PostgreSQL 14 is not available (the optional dependency postgresql-14-binaries, linux x64 only, is not installed): the legacy database was not built on 14');

on14('on PostgreSQL 14 the legacy database builds the same way, with rows, and Alembic online matches schema.sql', async () => {
  const legacy = await buildLegacyDatabase(alembicDb14.client, await legacyUrl(alembicDb14), { rows: 100 });
  if (legacy.reason) console.log(`PostgreSQL 14: ${legacy.reason}`);
  expect(legacy.revision).toBe(LEGACY_HEAD);
  expect((await alembicDb14.query('SELECT version()')).rows[0].version).toMatch(/^PostgreSQL 14\./);
  expect((await tablesAndOwners(alembicDb14)).filter((r) => !r.name.endsWith('_seq')).map((r) => r.name)).toEqual(EXPECTED_TABLES);
  const counts = await alembicDb14.query<{ n: number }>(`SELECT (SELECT count(*) FROM trades t JOIN positions p ON p.id = t.position_id)::int AS n`);
  expect(counts.rows[0].n).toBe(100);

  await buildLegacyDatabase(fixtureDb14.client, await legacyUrl(fixtureDb14), { via: 'fixture' });
  const differences = schemaDifferences('public', await readLiveSchema(fixtureDb14.client, 'public'), await readLiveSchema(alembicDb14.client, 'public'));
  expect(differences).toEqual([]);
  if (legacy.via === 'fixture') console.log('PostgreSQL 14: both databases came from schema.sql, so the comparison with the online Alembic build was not made');
});
