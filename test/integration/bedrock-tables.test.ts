// Round trip on real PostgreSQL: the CREATE statements rendered for Bedrock's tables run, and
// the catalog then shows the columns, types, defaults, keys, indexes, foreign keys, enums and
// comments the model declares.
import { Testing } from '../../lib/cdk';
import { createObjects, quoteIdentifier, renderDefault, renderType, ServiceStack, TableModel } from '../../lib';
import { LiveTable, readEnums, readTables } from '../../lib/catalog/read-schema';
import { defineBedrock } from '../../stacks';
import { useTestDatabase } from '../support/database';

const db = useTestDatabase();

function bedrockServiceStacks(): ServiceStack[] {
  const app = Testing.app();
  return defineBedrock(app).find((env) => env.platform.environment.name === 'local')!.services.slice();
}

const byName = <T extends { name: string }>(list: readonly T[]): T[] => [...list].sort((a, b) => a.name.localeCompare(b.name));

/** A model table as the catalog prints it: types and defaults as their SQL. */
function asCatalog(table: TableModel): LiveTable {
  return { ...table, columns: table.columns.map(({ default: value, renamedFrom: _renamed, ...c }) => ({ ...c, type: renderType(c.type), ...(value ? { default: renderDefault(value) } : {}) })) };
}

/** What format_type() prints for a model type, and the defaults' SQL set aside (compared by value). */
function comparable(table: LiveTable) {
  return {
    ...table,
    columns: table.columns.map(({ default: _default, ...column }) => ({
      ...column,
      type: column.type.replace(/^serial$/, 'integer').replace(/^bigserial$/, 'bigint').replace(/"/g, ''),
    })),
    // The catalog lists constraints and indexes by name; the model in declaration order.
    uniques: byName(table.uniques),
    checks: table.checks.map((c) => c.name).sort(),
    indexes: byName(table.indexes).map(({ where, ...index }) => ({ ...index, partial: where !== undefined })),
    foreignKeys: byName(table.foreignKeys),
  };
}

let stacks: ServiceStack[];

beforeAll(async () => {
  stacks = bedrockServiceStacks();
  const statements = stacks.flatMap((stack) => [`CREATE SCHEMA ${quoteIdentifier(stack.schemaName)};`, ...createObjects(stack.enumModels(), stack.tableModels())]);
  await db.query('BEGIN');
  for (const statement of statements) await db.query(statement);
  await db.query('COMMIT');
});

test('all nine tables of the seed exist', async () => {
  const { rows } = await db.query<{ name: string }>(
    `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname = ANY($1) ORDER BY 1`,
    [stacks.map((s) => s.schemaName)],
  );
  expect(rows.map((r) => r.name)).toEqual([
    'backtesting.backtest_reports', 'backtesting.backtest_tasks', 'datahub.chain_data', 'datahub.klines', 'decision_engine.signals',
    'mlops.ml_models', 'mlops.training_jobs', 'portfolio.positions', 'portfolio.trades',
  ]);
});

test('the catalog shows each table exactly as modelled', async () => {
  for (const stack of stacks) {
    const live = await readTables(db.client, stack.schemaName);
    const modelled = stack.tableModels().sort((a, b) => a.name.localeCompare(b.name));
    expect(live.map(comparable)).toEqual(modelled.map(asCatalog).map(comparable));
  }
});

test('every default evaluates to the modelled value', async () => {
  let checked = 0;
  for (const stack of stacks) {
    const live = await readTables(db.client, stack.schemaName);
    for (const table of stack.tableModels()) {
      for (const column of table.columns.filter((c) => c.default !== undefined)) {
        const catalog = live.find((t) => t.name === table.name)!.columns.find((c) => c.name === column.name)!.default!;
        const modelled = renderDefault(column.default!);
        // Volatile defaults (gen_random_uuid()) are compared as written; the rest by value.
        if (catalog !== modelled) {
          const { rows } = await db.query(`SELECT (${modelled})::text AS modelled, (${catalog})::text AS live`);
          expect(rows[0].live).toBe(rows[0].modelled);
        }
        checked += 1;
      }
    }
  }
  expect(checked).toBeGreaterThan(30);
});

test('enums hold their labels in order, with comments', async () => {
  for (const stack of stacks) {
    expect(await readEnums(db.client, stack.schemaName)).toEqual(stack.enumModels().sort((a, b) => a.name.localeCompare(b.name)));
  }
});

test('constraints hold: checks reject bad rows, the partial unique index allows one open position', async () => {
  await expect(db.query(`INSERT INTO datahub.klines (symbol, interval, open_time, close_time, open, high, low, close, volume) VALUES ('BTCUSDT', '1m', now(), now() + interval '1 minute', 1, 1, 2, 1, 1)`)).rejects.toThrow(/klines_high_gte_low/);
  const account = '0b6a2c9e-5f51-4f5e-9d0c-3b1f2d9c4e7a';
  const open = `INSERT INTO portfolio.positions (account_id, symbol, side, quantity, average_entry_price) VALUES ('${account}', 'ETHUSDT', 'long', 1, 2000)`;
  await db.query(open);
  await expect(db.query(open)).rejects.toThrow(/positions_one_open_per_symbol/);
  await expect(db.query(`INSERT INTO portfolio.trades (position_id, exchange, exchange_trade_id, side, price, quantity, executed_at) VALUES (999, 'binance', 't1', 'buy', 1, 1, now())`)).rejects.toThrow(/trades_position_id_fkey/);
});
