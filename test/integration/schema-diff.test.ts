// The differ on real PostgreSQL: a sequence of model edits, each generated and applied to a
// schema holding rows. After every up the catalog equals a fresh create of the new model; no
// row is lost; every down restores the previous catalog exactly; up again works.
import { applyStepsOrThrow, asSteps, Queryable } from '../support/apply-steps';
import { bigint, EnumType, integer, numeric, quoteIdentifier, ServiceStack, Table, text, timestamptz, varchar } from '../../lib';
import { emptySchema, ServiceSchema } from '../../lib/migrations/service-schema';
import { createSql, migrationSql } from '../support/migration-sql';
import { useTestDatabase } from '../support/database';
import { catalogOf, schemaOf } from '../support/schema-state';

const migrated = useTestDatabase();
const fresh = useTestDatabase();

interface Options {
  sides?: string[];
  symbolLength?: number;
  quantity?: { name: string; precision: number; renamedFrom?: string };
  note?: boolean;
  status?: { notNull: boolean; default?: string };
  level?: 'text' | 'integer';
  symbolIndex?: boolean;
  trades?: { name: string; renamedFrom?: string } | false;
  priceCheck?: string;
  comment?: string;
}

function portfolio(o: Options) {
  return (stack: ServiceStack) => {
    const side = new EnumType(stack, 'side', { values: o.sides ?? ['buy', 'sell'] });
    const positions = new Table(stack, 'positions', {
      comment: o.comment ?? 'Positions',
      columns: {
        id: bigint().generatedAlwaysAsIdentity(),
        symbol: varchar(o.symbolLength ?? 16).notNull(),
        [o.quantity?.name ?? 'qty']: (() => {
          const column = numeric(o.quantity?.precision ?? 20, 8).notNull().default(0);
          return o.quantity?.renamedFrom ? column.renamedFrom(o.quantity.renamedFrom) : column;
        })(),
        opened_at: timestamptz().notNull().defaultSql('now()'),
        ...(o.note ? { note: text().comment('Free text') } : {}),
        ...(o.status ? { status: o.status.notNull ? text().notNull().default(o.status.default ?? 'open') : text().default(o.status.default ?? 'open') } : {}),
        ...(o.level === 'text' ? { level: text().notNull().default('1') } : o.level === 'integer' ? { level: integer().notNull().default(1) } : {}),
      },
      primaryKey: ['id'],
      indexes: o.symbolIndex ? [{ columns: ['symbol', 'status' as never], where: "status = 'open'" }] : [],
    });
    if (o.trades !== false) {
      const trades = o.trades ?? { name: 'trades' };
      new Table(stack, trades.name, {
        renamedFrom: trades.renamedFrom,
        columns: {
          id: bigint().generatedAlwaysAsIdentity(),
          position_id: bigint().notNull(),
          side: side.column().notNull().default('buy'),
          price: numeric(20, 8).notNull(),
        },
        primaryKey: ['id'],
        checks: [{ name: `${trades.name}_price_check`, expression: o.priceCheck ?? 'price > 0' }],
        indexes: [{ columns: ['position_id'] }],
        foreignKeys: [{ columns: ['position_id'], references: positions.ref('id'), onDelete: 'cascade' }],
      });
    }
  };
}

const steps: [string, Options][] = [
  ['create enum and two tables', {}],
  ['add columns to a table with rows (NOT NULL with default)', { note: true, status: { notNull: true }, level: 'text' }],
  ['widen types', { note: true, status: { notNull: true }, level: 'text', symbolLength: 32, quantity: { name: 'qty', precision: 30 } }],
  ['add a partial index', { note: true, status: { notNull: true }, level: 'text', symbolLength: 32, quantity: { name: 'qty', precision: 30 }, symbolIndex: true }],
  ['drop a column', { status: { notNull: true }, level: 'text', symbolLength: 32, quantity: { name: 'qty', precision: 30 }, symbolIndex: true }],
  ['add an enum value in the middle', { sides: ['buy', 'hold', 'sell'], status: { notNull: true }, level: 'text', symbolLength: 32, quantity: { name: 'qty', precision: 30 }, symbolIndex: true }],
  [
    'rename a column and a table (keys, indexes, sequences follow)',
    { sides: ['buy', 'hold', 'sell'], status: { notNull: true }, level: 'text', symbolLength: 32, quantity: { name: 'quantity', precision: 30, renamedFrom: 'qty' }, symbolIndex: true, trades: { name: 'fills', renamedFrom: 'trades' } },
  ],
  [
    'change default, nullability, comment and a check',
    { sides: ['buy', 'hold', 'sell'], status: { notNull: false, default: 'new' }, level: 'text', symbolLength: 32, quantity: { name: 'quantity', precision: 30 }, symbolIndex: true, trades: { name: 'fills' }, priceCheck: 'price >= 0', comment: 'Open and closed positions' },
  ],
  [
    'change a type that needs USING (text to integer)',
    { sides: ['buy', 'hold', 'sell'], status: { notNull: false, default: 'new' }, level: 'integer', symbolLength: 32, quantity: { name: 'quantity', precision: 30 }, symbolIndex: true, trades: { name: 'fills' }, priceCheck: 'price >= 0', comment: 'Open and closed positions' },
  ],
  [
    'drop a table',
    { sides: ['buy', 'hold', 'sell'], status: { notNull: false, default: 'new' }, level: 'integer', symbolLength: 32, quantity: { name: 'quantity', precision: 30 }, symbolIndex: true, trades: false, comment: 'Open and closed positions' },
  ],
];

async function run(client: Queryable, what: Parameters<typeof asSteps>[0]): Promise<void> {
  await applyStepsOrThrow(client, asSteps(what));
}

async function freshCatalog(schema: ServiceSchema): Promise<unknown> {
  await fresh.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema.schema)} CASCADE`);
  await fresh.query(`CREATE SCHEMA ${quoteIdentifier(schema.schema)}`);
  await run(fresh, createSql(schema));
  return catalogOf(fresh.client, schema.schema);
}

async function rowCount(schema: ServiceSchema): Promise<number> {
  let total = 0;
  for (const table of schema.tables) total += Number((await migrated.query(`SELECT count(*) AS n FROM portfolio.${quoteIdentifier(table.name)}`)).rows[0].n);
  return total;
}

async function insertRows(schema: ServiceSchema, round: number): Promise<void> {
  const quantity = schema.tables.find((t) => t.name === 'positions')!.columns.find((c) => c.name.startsWith('q'))!.name;
  const { rows } = await migrated.query(`INSERT INTO portfolio.positions (symbol, ${quoteIdentifier(quantity)}) VALUES ($1, 1.5) RETURNING id`, [`SYM${round}`]);
  const trades = schema.tables.find((t) => t.name !== 'positions');
  if (trades) await migrated.query(`INSERT INTO portfolio.${quoteIdentifier(trades.name)} (position_id, price) VALUES ($1, 10)`, [rows[0].id]);
}

test('every step: up equals a fresh create, keeps rows, down restores, up again', async () => {
  await migrated.query('CREATE SCHEMA portfolio');
  let before: ServiceSchema = emptySchema('portfolio', 'portfolio');
  for (const [index, [label, options]] of steps.entries()) {
    const after = schemaOf('portfolio', portfolio(options));
    const change = migrationSql(before, after);
    const catalogBefore = await catalogOf(migrated.client, 'portfolio');
    const rowsBefore = before.tables.length > 0 ? await rowCount(before) : 0;

    expect(change.destructive.length > 0).toBe(label.startsWith('drop') || label.includes('USING'));
    if (label.startsWith('rename')) {
      expect(change.summary).toEqual(expect.arrayContaining(['rename table portfolio.trades to fills', 'rename column portfolio.positions.qty to quantity']));
    }
    if (label.startsWith('add an enum value')) expect(change.up).toEqual([`ALTER TYPE "portfolio"."side" ADD VALUE 'hold' BEFORE 'sell';`]);

    await run(migrated, change.upSteps);
    expect({ step: label, catalog: await catalogOf(migrated.client, 'portfolio') }).toEqual({ step: label, catalog: await freshCatalog(after) });
    if (change.destructive.every((d) => !d.startsWith('drop table'))) expect(await rowCount(after)).toBe(rowsBefore);

    await run(migrated, change.downSteps);
    expect({ step: `${label} (down)`, catalog: await catalogOf(migrated.client, 'portfolio') }).toEqual({ step: `${label} (down)`, catalog: catalogBefore });

    await run(migrated, change.upSteps);
    await insertRows(after, index);
    before = after;
  }
  // Deterministic: the same models give the same bytes.
  const again = migrationSql(emptySchema('portfolio', 'portfolio'), schemaOf('portfolio', portfolio(steps[3][1])));
  expect(again).toEqual(migrationSql(emptySchema('portfolio', 'portfolio'), schemaOf('portfolio', portfolio(steps[3][1]))));
});
