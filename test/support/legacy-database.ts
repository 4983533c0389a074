// The legacy database issue 13 adopts from: Project Bedrock's nine tables in `public`, owned by
// the user that built them, Alembic's version table beside them. Built by the real Alembic chain
// of test/fixtures/legacy-alembic/ (the seed's database_migrations/ layout) where Debian's
// python3-alembic is installed, otherwise by the SQL that chain printed (schema.sql, regenerated
// by scripts/legacy-alembic-fixture.sh), so machines without Alembic test the same database.
//   const legacy = await buildLegacyDatabase(db.client, legacyUrl, { rows: 100 });
//   if (legacy.reason) console.log(legacy.reason);
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

/** The seed's database_migrations/ folder: alembic.ini, alembic/env.py and versions/, the models. */
export const LEGACY_FIXTURE = join(__dirname, '..', 'fixtures', 'legacy-alembic');
/** What `alembic upgrade head --sql` printed for the chain. */
export const LEGACY_SCHEMA_SQL = join(LEGACY_FIXTURE, 'schema.sql');
/** The interpreter with Alembic: Debian's, not the `python3` first on PATH (pyenv's has none). */
export const LEGACY_PYTHON = process.env.BEDROCK_LEGACY_PYTHON ?? '/usr/bin/python3';

/** Each legacy table and the service that owns it (the seed's ownership table). */
export const LEGACY_TABLES = {
  klines: 'datahub',
  chain_data: 'datahub',
  signals: 'decision_engine',
  positions: 'portfolio',
  trades: 'portfolio',
  backtest_tasks: 'backtesting',
  backtest_reports: 'backtesting',
  training_jobs: 'mlops',
  ml_models: 'mlops',
} as const;

export type LegacyTable = keyof typeof LEGACY_TABLES;

/** The last revision schema.sql moves alembic_version to: the chain's head. */
function headRevision(sql: string): string {
  const stamps = [...sql.matchAll(/(?:SET version_num=|VALUES \()'([0-9a-f]+)'/g)].map((match) => match[1]);
  const head = stamps.at(-1);
  if (!head) throw new Error(`${LEGACY_SCHEMA_SQL} sets no alembic_version: regenerate it with scripts/legacy-alembic-fixture.sh`);
  return head;
}

/** The head revision id of the legacy chain, as alembic_version holds it after `upgrade head`. */
export const LEGACY_HEAD: string = headRevision(readFileSync(LEGACY_SCHEMA_SQL, 'utf8'));

export interface LegacyDatabaseOptions {
  /** Rows to insert into each of the nine tables, foreign keys satisfied. @default 0 */
  readonly rows?: number;
  /**
   * How to build: 'alembic' (fails when Alembic cannot run), 'fixture' (schema.sql).
   * @default 'alembic' where /usr/bin/python3 imports alembic, sqlalchemy and psycopg2, else 'fixture'
   */
  readonly via?: 'alembic' | 'fixture';
}

export interface LegacyDatabase {
  readonly via: 'alembic' | 'fixture';
  /** The revision alembic_version holds. */
  readonly revision: string;
  /** Why Alembic was not used, for the test to print. */
  readonly reason?: string;
}

function runPython(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ error?: Error; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      LEGACY_PYTHON,
      args,
      // No __pycache__ in the fixture folder.
      { cwd: LEGACY_FIXTURE, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...env }, timeout: 120_000 },
      (error, _stdout, stderr) => resolve({ error: error ?? undefined, stderr: String(stderr) }),
    );
  });
}

let availability: Promise<string | undefined> | undefined;

/** Why the real Alembic cannot run here, or undefined when it can (checked once per test file). */
export function legacyAlembicUnavailable(): Promise<string | undefined> {
  availability ??= runPython(['-c', 'import alembic, sqlalchemy, psycopg2']).then(({ error, stderr }) => {
    if (!error) return undefined;
    const cause = (error as NodeJS.ErrnoException).code === 'ENOENT' ? `${LEGACY_PYTHON} does not exist` : stderr.trim().split('\n').at(-1) || error.message;
    return `Alembic was not run (${LEGACY_PYTHON} -c 'import alembic, sqlalchemy, psycopg2' failed: ${cause}; on Debian: apt-get install python3-alembic python3-sqlalchemy python3-psycopg2): the legacy database was built from test/fixtures/legacy-alembic/schema.sql`;
  });
  return availability;
}

/** `alembic upgrade head` online, connected as `url`'s user (env.py reads BEDROCK_LEGACY_URL). */
async function upgradeWithAlembic(url: string): Promise<void> {
  const { error, stderr } = await runPython(['-m', 'alembic', '-c', join(LEGACY_FIXTURE, 'alembic.ini'), 'upgrade', 'head'], { BEDROCK_LEGACY_URL: url });
  if (error) throw new Error(`alembic upgrade head in ${LEGACY_FIXTURE} failed: ${stderr.trim() || error.message}`);
}

/** schema.sql (its own BEGIN/COMMIT) on a connection as `url`'s user, so that user owns everything. */
async function runFixtureSql(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(readFileSync(LEGACY_SCHEMA_SQL, 'utf8'));
  } finally {
    await client.end();
  }
}

/**
 * Builds the legacy database in the (empty) database `url` names, as `url`'s user: that user
 * owns every table, sequence and type, and needs CREATE on schema public (PostgreSQL 15 and
 * newer no longer grant it to PUBLIC: a test connecting as a non-superuser must run
 * `GRANT CREATE ON SCHEMA public TO <user>` first). `client` is any connection to the same
 * database that may write the tables (the test's superuser, or the legacy user); the optional
 * rows are inserted through it.
 */
export async function buildLegacyDatabase(client: Client, url: string, options: LegacyDatabaseOptions = {}): Promise<LegacyDatabase> {
  const reason = options.via === 'fixture' ? undefined : await legacyAlembicUnavailable();
  if (options.via === 'alembic' && reason) throw new Error(reason);
  const via = options.via ?? (reason ? 'fixture' : 'alembic');
  if (via === 'alembic') await upgradeWithAlembic(url);
  else await runFixtureSql(url);
  const { rows } = await client.query<{ version_num: string }>('SELECT version_num FROM public.alembic_version');
  if (rows.length !== 1) throw new Error(`public.alembic_version holds ${rows.length} rows after building the legacy database; expected the head revision`);
  if (options.rows) await insertLegacyRows(client, options.rows);
  return { via, revision: rows[0].version_num, ...(via === 'fixture' && reason ? { reason } : {}) };
}

// Children take their parents' ids by position (the n-th child -> the n-th parent, wrapping),
// so every foreign key holds whatever ids the sequences handed out.
const parent = (table: string) =>
  `JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n, count(*) OVER () AS total FROM public.${table}) p ON p.n = (g - 1) % p.total + 1`;
const symbol = `(ARRAY['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT'])[1 + g % 4]`;

/** One INSERT ... SELECT generate_series per table, parents first. $1 is the row count. */
const ROW_INSERTS: readonly string[] = [
  `INSERT INTO public.klines (symbol, timeframe, open_time, close_time, open_price, high_price, low_price, close_price, volume, quote_volume, trade_count)
   SELECT ${symbol}, (ARRAY['1m', '5m', '1h', '1d'])[1 + g % 4]::public.kline_interval,
          timestamptz '2025-01-01 00:00:00+00' + g * interval '1 minute', timestamptz '2025-01-01 00:00:59.999+00' + g * interval '1 minute',
          40000 + g % 1000, 40100 + g % 1000, 39900 + g % 1000, 40050 + g % 1000, g * 0.125, g * 5000.5, g % 500
     FROM generate_series(1, $1) g`,
  `INSERT INTO public.chain_data (chain, block_number, tx_hash, address, metric, metric_value, payload, observed_at)
   SELECT 'ethereum', 19000000 + g, '0x' || lpad(to_hex(g), 64, '0'), '0x' || lpad(to_hex(g % 97), 40, '0'), 'transfer_value', g * 0.5,
          jsonb_build_object('log_index', g % 8), timestamp '2025-01-01 00:00:00' + g * interval '12 seconds'
     FROM generate_series(1, $1) g`,
  `INSERT INTO public.ml_models (name, version, artifact_uri, metrics, is_active)
   SELECT 'price_direction_' || g % 10, 'v' || g, 's3://bedrock-models/price_direction/' || g, jsonb_build_object('auc', 0.5 + (g % 50) / 100.0), g % 10 = 0
     FROM generate_series(1, $1) g`,
  `INSERT INTO public.training_jobs (model_id, status, dataset_start, dataset_end, hyperparameters)
   SELECT p.id, (ARRAY['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED'])[1 + g % 4]::public.training_status,
          timestamp '2024-01-01' + g * interval '1 hour', timestamp '2024-02-01' + g * interval '1 hour', jsonb_build_object('max_depth', 3 + g % 5)
     FROM generate_series(1, $1) g ${parent('ml_models')}`,
  `INSERT INTO public.signals (symbol, side, strategy, strength, price, ml_model_id, ml_confidence_score)
   SELECT ${symbol}, (ARRAY['BUY', 'SELL', 'HOLD'])[1 + g % 3]::public.signalside, 'momentum_' || g % 5, (g % 101) / 100.0, 40000 + g % 1000, p.id, (g % 100) / 100.0
     FROM generate_series(1, $1) g ${parent('ml_models')}`,
  `INSERT INTO public.positions (account_id, symbol, quantity, avg_entry_price, realized_pnl)
   SELECT 'acct-' || g % 50, ${symbol}, g % 10 + 0.5, 100 + g % 900, (g % 21 - 10) * 1.5
     FROM generate_series(1, $1) g`,
  `INSERT INTO public.trades (position_id, signal_id, exchange_order_id, side, price, quantity, fee, fee_currency, executed_at)
   SELECT p.id, g, 'ord-' || g, CASE g % 2 WHEN 0 THEN 'buy' ELSE 'sell' END, 100 + g % 900, g % 10 + 0.5, 0.1, 'USDT',
          timestamptz '2025-01-01 00:00:00+00' + g * interval '1 second'
     FROM generate_series(1, $1) g ${parent('positions')}`,
  `INSERT INTO public.backtest_tasks (name, strategy, parameters, start_date, end_date, status)
   SELECT 'backtest ' || g, 'momentum_' || g % 5, jsonb_build_object('lookback', 10 + g % 20), timestamp '2024-01-01', timestamp '2024-07-01',
          (ARRAY['pending', 'running', 'completed', 'failed', 'cancelled'])[1 + g % 5]::public.task_status
     FROM generate_series(1, $1) g`,
  // task_id is unique (one report per task): `rows` reports for `rows` tasks.
  `INSERT INTO public.backtest_reports (task_id, total_return, sharpe_ratio, max_drawdown, win_rate, trade_count, summary)
   SELECT p.id, (g % 40 - 10) / 100.0, (g % 30) / 10.0, (g % 25) / 100.0, (g % 100) / 100.0, g % 300, 'report of task ' || p.id
     FROM generate_series(1, $1) g ${parent('backtest_tasks')}`,
];

/** Inserts `rows` rows into each of the nine freshly built tables, every foreign key satisfied. */
export async function insertLegacyRows(client: Client, rows: number): Promise<void> {
  if (!Number.isInteger(rows) || rows < 0) throw new Error(`insertLegacyRows: rows must be a whole number of at least 0, got ${rows}`);
  if (rows === 0) return;
  for (const insert of ROW_INSERTS) await client.query(insert, [rows]);
}
