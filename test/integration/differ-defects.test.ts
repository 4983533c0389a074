// The differ's defects found by random model edits on PostgreSQL 15 (issue 10, "Differ fixes
// found by random model edits"): one describe per defect, each test stating the correct
// behaviour. Every migration is applied on PostgreSQL 15 the way the runner applies it (one
// transaction), then the catalog is compared with a fresh create of the new model; the down
// must bring back the catalog as it was. Models are built only through the public constructs,
// and the differ is reached only through test/support/migration-sql.ts (and `generate`).
import { applyStepsOrThrow, asSteps } from '../support/apply-steps';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bigint, EnumType, generateMigration, integer, MigrationDirectory, ModelError, quoteIdentifier, ServiceStack, Table, text, varchar } from '../../lib';
import { ServiceSchema } from '../../lib/migrations/service-schema';
import { hasTestServer, TestDatabase, TestServer, useTestDatabase } from '../support/database';
import { createSql, migrationSql } from '../support/migration-sql';
import { catalogOf, schemaOf } from '../support/schema-state';

const SERVICE = 'portfolio';
const SCHEMA = 'portfolio';

type Define = (stack: ServiceStack) => void;

/** The databases a describe migrates on, on one server. */
function databases(server: 15 | 18) {
  const key: TestServer = server === 18 ? 'default' : server;
  return { server, available: hasTestServer(key), migrated: useTestDatabase(key), fresh: useTestDatabase(key) };
}

const pg15 = databases(15);
const pg18 = databases(18);
if (!pg15.available) console.log('SKIPPED: PostgreSQL 15 is not available (optional dependency postgresql-15-binaries): the differ defects were not checked on 15');

/** `test` on PostgreSQL 15, skipped when the run has no 15. */
const test15 = pg15.available ? test : test.skip;

const modelOf = (define: Define, server: 15 | 18 = 15): ServiceSchema => schemaOf(SERVICE, define, server);


/** Runs statements in one transaction, as the runner runs one migration. */
async function run(db: TestDatabase, what: Parameters<typeof asSteps>[0]): Promise<void> {
  await applyStepsOrThrow(db, asSteps(what));
}

async function emptySchemaIn(db: TestDatabase): Promise<void> {
  await db.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(SCHEMA)} CASCADE`);
  await db.query(`CREATE SCHEMA ${quoteIdentifier(SCHEMA)}`);
}

/** The service's schema on `db` created from nothing as `model`. */
async function createIn(db: TestDatabase, model: ServiceSchema): Promise<void> {
  await emptySchemaIn(db);
  await run(db, createSql(model));
}

/** The catalog a fresh create of `model` gives, on the describe's server. */
async function freshCatalog(on: typeof pg15, model: ServiceSchema): Promise<unknown> {
  await createIn(on.fresh, model);
  return catalogOf(on.fresh.client, SCHEMA);
}

const catalog = (on: typeof pg15) => catalogOf(on.migrated.client, SCHEMA);

const rows = async (on: typeof pg15, sql: string) => (await on.migrated.query(sql)).rows;

/**
 * `before` created and `prepare` run (rows), then the migration to `after`: its up must leave
 * the catalog of a fresh create (then `afterUp` checks the rows), and its down must restore the
 * catalog as it was (then `afterDown`). Returns the migration, for checks of its statements.
 */
async function roundTrip(on: typeof pg15, before: ServiceSchema, after: ServiceSchema, hooks: { prepare?: () => Promise<void>; afterUp?: () => Promise<void>; afterDown?: () => Promise<void> } = {}) {
  const sql = migrationSql(before, after);
  await createIn(on.migrated, before);
  await hooks.prepare?.();
  const catalogBefore = await catalog(on);
  await run(on.migrated, sql.upSteps);
  expect(await catalog(on)).toEqual(await freshCatalog(on, after));
  await hooks.afterUp?.();
  await run(on.migrated, sql.downSteps);
  expect(await catalog(on)).toEqual(catalogBefore);
  await hooks.afterDown?.();
  return sql;
}

// ---------------------------------------------------------------------------------------------
// Defect 1: a primary key implies NOT NULL, but the model tracks notNull separately.
function primaryKeyImpliesNotNull(on: typeof pg15, it: typeof test) {
  const keyed = (key: 'a' | 'b', aNotNull = false) =>
    modelOf((stack) => {
      new Table(stack, 'holdings', { columns: { a: aNotNull ? integer().notNull() : integer(), b: integer() }, primaryKey: [key] });
    }, on.server);
  const insert = () => on.migrated.query(`INSERT INTO portfolio.holdings (a, b) VALUES (1, 10), (2, 20)`).then(() => undefined);

  // 1a: moving the key from a to b leaves NOT NULL on a (catalog differs from a fresh create),
  // and the down leaves NOT NULL on b.
  it('moving the key from a to b: a is nullable again after up, and the down restores the catalog', async () => {
    await roundTrip(on, keyed('a'), keyed('b'), { prepare: insert });
    expect(await rows(on, 'SELECT a, b FROM portfolio.holdings ORDER BY a')).toEqual([
      { a: 1, b: 10 },
      { a: 2, b: 20 },
    ]);
  });

  // 1b: dropping notNull() from a key column generated DROP NOT NULL, which fails (42P16).
  it('dropping notNull() from a key column generates no failing statement', async () => {
    const sql = await roundTrip(on, keyed('a', true), keyed('a', false), { prepare: insert });
    expect(sql.up.filter((s) => /DROP NOT NULL/i.test(s))).toEqual([]);
  });

  // 1c: the down of adding notNull() to a key column is that DROP NOT NULL (42P16).
  it('the down of adding notNull() to a key column runs', async () => {
    const sql = await roundTrip(on, keyed('a', false), keyed('a', true), { prepare: insert });
    expect(sql.down.filter((s) => /DROP NOT NULL/i.test(s))).toEqual([]);
  });
}

describe('defect 1: a primary key implies NOT NULL (PostgreSQL 15)', () => primaryKeyImpliesNotNull(pg15, test15));
// PostgreSQL 18 records NOT NULL as constraints of their own: the same edits must hold there too.
describe('defect 1: a primary key implies NOT NULL (PostgreSQL 18)', () => primaryKeyImpliesNotNull(pg18, test));

// ---------------------------------------------------------------------------------------------
// Defect 2: a unique constraint on exactly the primary-key columns was accepted, and CREATE
// TABLE dropped it silently while ADD CONSTRAINT kept it. The model refuses it (and a second
// unique on the same columns as another).
describe('defect 2: a unique constraint that repeats a key is refused in the model', () => {
  function modelError(define: Define): ModelError {
    try {
      modelOf(define);
    } catch (error) {
      if (error instanceof ModelError) return error;
      throw error;
    }
    throw new Error('the table was accepted: expected a ModelError');
  }

  test('a unique on exactly the primary-key columns', () => {
    const error = modelError((stack) => {
      new Table(stack, 'lots', { columns: { account: bigint(), symbol: varchar(16) }, primaryKey: ['account', 'symbol'], uniques: [{ columns: ['account', 'symbol'] }] });
    });
    expect(error.construct.node.id).toBe('lots');
    expect(error.message).toContain('lots');
    expect(error.message).toContain('lots_account_symbol_key');
    expect(error.message).toMatch(/primary key/);
    expect(error.message).toMatch(/remove/i);
  });

  test('a unique with the same column list as another unique', () => {
    const error = modelError((stack) => {
      new Table(stack, 'lots', {
        columns: { id: bigint().generatedAlwaysAsIdentity(), account: bigint(), symbol: varchar(16) },
        primaryKey: ['id'],
        uniques: [{ columns: ['account', 'symbol'] }, { name: 'lots_account_symbol_again', columns: ['account', 'symbol'] }],
      });
    });
    expect(error.construct.node.id).toBe('lots');
    expect(error.message).toContain('lots_account_symbol_again');
    expect(error.message).toMatch(/remove/i);
  });
});

// ---------------------------------------------------------------------------------------------
// Through `generate`, in a temporary migrations folder; each written migration applied in its
// own transaction, in order, as the runner does.
function migrationsFolder(): MigrationDirectory {
  return new MigrationDirectory(path.join(mkdtempSync(path.join(tmpdir(), 'bedrock-differ-defects-')), 'migrations'), SERVICE, SCHEMA);
}

let clock = Date.UTC(2026, 0, 1);
const nextMinute = () => new Date((clock += 60_000));

// ---------------------------------------------------------------------------------------------
// Defect 3: dropping a NOT NULL column without a default was refused even with
// --accept-data-loss: its down's re-add was judged like a new column.
describe('defect 3: dropping a NOT NULL column without a default', () => {
  const withNote = (note: boolean) =>
    modelOf((stack) => {
      new Table(stack, 'notes', { columns: { id: bigint().generatedAlwaysAsIdentity(), ...(note ? { note: text().notNull() } : {}) }, primaryKey: ['id'] });
    });

  test15('generate accepts it with acceptDataLoss, says it destroys data, and its down re-adds the column', async () => {
    const directory = migrationsFolder();
    generateMigration({ directory, model: withNote(true), description: 'add_notes', now: nextMinute() });
    expect(generateMigration({ directory, model: withNote(false), description: 'drop_note', acceptDataLoss: true, now: nextMinute() }).written).toBe(true);

    const { migrations, problems } = directory.read();
    expect(problems).toEqual([]);
    const [create, drop] = migrations;
    // The file tells the reviewer what it destroys.
    expect(drop.text).toMatch(/-- Destroys data:\n-- {3}.*\bnotes\.note\b/);
    await emptySchemaIn(pg15.migrated);
    await run(pg15.migrated, create.upSteps);
    const catalogBefore = await catalog(pg15);
    await run(pg15.migrated, drop.upSteps);
    expect(await catalog(pg15)).toEqual(await freshCatalog(pg15, withNote(false)));
    // On an empty table the down's re-add of a NOT NULL column without a default runs.
    await run(pg15.migrated, drop.downSteps);
    expect(await catalog(pg15)).toEqual(catalogBefore);
  });

  test('without acceptDataLoss it is still refused as data loss', () => {
    const directory = migrationsFolder();
    generateMigration({ directory, model: withNote(true), description: 'add_notes', now: nextMinute() });
    expect(() => generateMigration({ directory, model: withNote(false), description: 'drop_note', now: nextMinute() })).toThrow(/this change destroys data:[\s\S]*notes\.note[\s\S]*--accept-data-loss/);
  });
});

// ---------------------------------------------------------------------------------------------
// Defect 4: adding an enum value and using it as a default in the same migration failed
// (55P04, unsafe use of new value): the new value must be committed before it is used.
describe('defect 4: a new enum value used as a default in the same edit', () => {
  const orders = (values: string[], defaultSide: string) =>
    modelOf((stack) => {
      const side = new EnumType(stack, 'side', { values });
      new Table(stack, 'orders', { columns: { id: bigint().generatedAlwaysAsIdentity(), side: side.column().notNull().default(defaultSide) }, primaryKey: ['id'] });
    });

  test15('the written migrations apply on PostgreSQL, each in its own transaction, and give a fresh create', async () => {
    const directory = migrationsFolder();
    generateMigration({ directory, model: orders(['buy', 'sell'], 'buy'), description: 'add_orders', now: nextMinute() });
    const result = generateMigration({ directory, model: orders(['buy', 'hold', 'sell'], 'hold'), description: 'hold_by_default', now: nextMinute() });
    expect(result.written).toBe(true);

    const { migrations, problems } = directory.read();
    expect(problems).toEqual([]);
    const [create, ...edit] = migrations;
    await emptySchemaIn(pg15.migrated);
    await run(pg15.migrated, create.upSteps);
    await pg15.migrated.query(`INSERT INTO portfolio.orders (side) VALUES ('sell')`);
    const catalogBefore = await catalog(pg15);
    for (const migration of edit) await run(pg15.migrated, migration.upSteps);
    expect(await catalog(pg15)).toEqual(await freshCatalog(pg15, orders(['buy', 'hold', 'sell'], 'hold')));
    await pg15.migrated.query(`INSERT INTO portfolio.orders DEFAULT VALUES`);
    expect(await rows(pg15, 'SELECT side FROM portfolio.orders ORDER BY id')).toEqual([{ side: 'sell' }, { side: 'hold' }]);

    // Back down, newest first, once the row holding the new value is gone.
    await pg15.migrated.query(`DELETE FROM portfolio.orders WHERE side = 'hold'`);
    for (const migration of [...edit].reverse()) await run(pg15.migrated, migration.downSteps);
    expect(await catalog(pg15)).toEqual(catalogBefore);
  });
});

// ---------------------------------------------------------------------------------------------
// Defect 5: the down of an enum ADD VALUE rebuilds the type, and failed (42883) when a partial
// index or a check compares the column with a label (the seed's positions table has this shape).
describe('defect 5: the down of an enum ADD VALUE with a label in an index predicate or a check', () => {
  const positions = (values: string[], shape: 'partial index' | 'check') =>
    modelOf((stack) => {
      const side = new EnumType(stack, 'side', { values });
      new Table(stack, 'positions', {
        columns: { id: bigint().generatedAlwaysAsIdentity(), side: side.column().notNull(), symbol: varchar(16).notNull() },
        primaryKey: ['id'],
        ...(shape === 'partial index' ? { indexes: [{ columns: ['symbol'], where: "side = 'buy'" }] } : { checks: [{ name: 'positions_side_check', expression: "side <> 'sell' OR symbol <> ''" }] }),
      });
    });

  test15.each(['partial index', 'check'] as const)('with a %s: up adds the value, the down runs and restores the catalog', async (shape) => {
    await roundTrip(pg15, positions(['buy', 'sell'], shape), positions(['buy', 'hold', 'sell'], shape), {
      prepare: () => pg15.migrated.query(`INSERT INTO portfolio.positions (side, symbol) VALUES ('buy', 'AAA'), ('sell', 'BBB')`).then(() => undefined),
      afterDown: async () => expect(await rows(pg15, 'SELECT side, symbol FROM portfolio.positions ORDER BY id')).toEqual([{ side: 'buy', symbol: 'AAA' }, { side: 'sell', symbol: 'BBB' }]),
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Defect 6: moving a primary key while a foreign key still references the old key columns
// (kept as a unique) failed (2BP01): the foreign key depends on the key's index.
describe('defect 6: moving a primary key that a foreign key references', () => {
  const accounts = (key: 'id' | 'code') =>
    modelOf((stack) => {
      const parent = new Table(stack, 'accounts', {
        columns: { id: bigint().notNull(), code: varchar(16).notNull() },
        primaryKey: [key],
        uniques: key === 'id' ? [] : [{ columns: ['id'] }],
      });
      new Table(stack, 'transfers', {
        columns: { id: bigint().generatedAlwaysAsIdentity(), account_id: bigint().notNull() },
        primaryKey: ['id'],
        foreignKeys: [{ columns: ['account_id'], references: parent.ref('id') }],
      });
    });

  test15('up runs and equals a fresh create; the down restores the catalog; rows and references stay', async () => {
    await roundTrip(pg15, accounts('id'), accounts('code'), {
      prepare: async () => {
        await pg15.migrated.query(`INSERT INTO portfolio.accounts (id, code) VALUES (1, 'A'), (2, 'B')`);
        await pg15.migrated.query(`INSERT INTO portfolio.transfers (account_id) VALUES (1), (2)`);
      },
      afterUp: async () => {
        expect(await rows(pg15, 'SELECT t.account_id, a.code FROM portfolio.transfers t JOIN portfolio.accounts a ON a.id = t.account_id ORDER BY 1')).toEqual([
          { account_id: '1', code: 'A' },
          { account_id: '2', code: 'B' },
        ]);
        // The foreign key still holds after the move.
        await expect(pg15.migrated.query(`INSERT INTO portfolio.transfers (account_id) VALUES (3)`)).rejects.toMatchObject({ code: '23503' });
      },
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Defect 7: chained renames in one edit (a -> b and b -> c) were refused as destructive.
describe('defect 7: chained column renames in one edit', () => {
  // Models are built inside tests: the SQL parser the constructs use is loaded before each file's tests.
  const before = () => modelOf((stack) => {
    new Table(stack, 'quotes', { columns: { id: bigint().generatedAlwaysAsIdentity(), a: text(), b: text() }, primaryKey: ['id'] });
  });
  const after = () => modelOf((stack) => {
    new Table(stack, 'quotes', { columns: { id: bigint().generatedAlwaysAsIdentity(), b: text().renamedFrom('a'), c: text().renamedFrom('b') }, primaryKey: ['id'] });
  });

  test('is not destructive', () => {
    const sql = migrationSql(before(), after());
    expect(sql.destructive).toEqual([]);
    expect(sql.summary).toEqual(expect.arrayContaining(['rename column portfolio.quotes.a to b', 'rename column portfolio.quotes.b to c']));
  });

  test15('keeps the data of both columns, equals a fresh create, and the down restores', async () => {
    await roundTrip(pg15, before(), after(), {
      prepare: () => pg15.migrated.query(`INSERT INTO portfolio.quotes (a, b) VALUES ('was a', 'was b')`).then(() => undefined),
      afterUp: async () => expect(await rows(pg15, 'SELECT b, c FROM portfolio.quotes')).toEqual([{ b: 'was a', c: 'was b' }]),
      afterDown: async () => expect(await rows(pg15, 'SELECT a, b FROM portfolio.quotes')).toEqual([{ a: 'was a', b: 'was b' }]),
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Defect 8: renaming a column (or a table) and adding a new one under the old name in one edit.
describe('defect 8: a rename and a new object under the old name in one edit', () => {
  // The down never dropped the new column, then renamed into its name (42701).
  test15('column a renamed to b, a new column a', async () => {
    const before = modelOf((stack) => {
      new Table(stack, 'fills', { columns: { id: bigint().generatedAlwaysAsIdentity(), a: text() }, primaryKey: ['id'] });
    });
    const after = modelOf((stack) => {
      new Table(stack, 'fills', { columns: { id: bigint().generatedAlwaysAsIdentity(), b: text().renamedFrom('a'), a: integer() }, primaryKey: ['id'] });
    });
    const sql = await roundTrip(pg15, before, after, {
      prepare: () => pg15.migrated.query(`INSERT INTO portfolio.fills (a) VALUES ('kept')`).then(() => undefined),
      afterUp: async () => expect(await rows(pg15, 'SELECT a, b FROM portfolio.fills')).toEqual([{ a: null, b: 'kept' }]),
      afterDown: async () => expect(await rows(pg15, 'SELECT a FROM portfolio.fills')).toEqual([{ a: 'kept' }]),
    });
    expect(sql.destructive).toEqual([]);
  });

  // The new table took the old one's place in the plan: SQL addressed the wrong table (42P01).
  test15('table orders renamed to orders_archive, a new table orders', async () => {
    const before = modelOf((stack) => {
      new Table(stack, 'orders', { columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: varchar(16).notNull() }, primaryKey: ['id'], indexes: [{ columns: ['symbol'] }] });
    });
    const after = modelOf((stack) => {
      new Table(stack, 'orders_archive', { renamedFrom: 'orders', columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: varchar(16).notNull() }, primaryKey: ['id'], indexes: [{ columns: ['symbol'] }] });
      new Table(stack, 'orders', { columns: { id: bigint().generatedAlwaysAsIdentity(), venue: text(), quantity: integer() }, primaryKey: ['id'] });
    });
    const sql = await roundTrip(pg15, before, after, {
      prepare: () => pg15.migrated.query(`INSERT INTO portfolio.orders (symbol) VALUES ('AAA'), ('BBB')`).then(() => undefined),
      afterUp: async () => {
        expect(await rows(pg15, 'SELECT id, symbol FROM portfolio.orders_archive ORDER BY id')).toEqual([
          { id: '1', symbol: 'AAA' },
          { id: '2', symbol: 'BBB' },
        ]);
        expect(await rows(pg15, 'SELECT count(*)::int AS n FROM portfolio.orders')).toEqual([{ n: 0 }]);
      },
      afterDown: async () => expect(await rows(pg15, 'SELECT id, symbol FROM portfolio.orders ORDER BY id')).toEqual([
        { id: '1', symbol: 'AAA' },
        { id: '2', symbol: 'BBB' },
      ]),
    });
    expect(sql.destructive).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Defect 9: a declared rename into a name that existed before (a -> b, the old b dropped) was
// silently ignored: the migration only dropped a, and b kept the old b's data.
describe('defect 9: a declared rename into a name that existed before', () => {
  const before = () => modelOf((stack) => {
    new Table(stack, 'prices', { columns: { id: bigint().generatedAlwaysAsIdentity(), a: text(), b: text() }, primaryKey: ['id'] });
  });
  const after = () => modelOf((stack) => {
    new Table(stack, 'prices', { columns: { id: bigint().generatedAlwaysAsIdentity(), b: text().renamedFrom('a') }, primaryKey: ['id'] });
  });

  test('the migration drops the old b (data loss, said so) and renames a to b', () => {
    const sql = migrationSql(before(), after());
    expect(sql.destructive).toEqual([expect.stringMatching(/drop column portfolio\.prices\.b\b/)]);
    expect(sql.summary).toEqual(expect.arrayContaining(['rename column portfolio.prices.a to b']));
  });

  test15('a\'s data is kept under b, equals a fresh create, and the down restores the catalog', async () => {
    await roundTrip(pg15, before(), after(), {
      prepare: () => pg15.migrated.query(`INSERT INTO portfolio.prices (a, b) VALUES ('from a', 'old b')`).then(() => undefined),
      afterUp: async () => expect(await rows(pg15, 'SELECT b FROM portfolio.prices')).toEqual([{ b: 'from a' }]),
      afterDown: async () => expect(await rows(pg15, 'SELECT a FROM portfolio.prices')).toEqual([{ a: 'from a' }]),
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Defect 10: widening an array's element type was treated as data loss.
describe('defect 10: widening an array element type', () => {
  const series = (wide: boolean) =>
    modelOf((stack) => {
      new Table(stack, 'series', {
        columns: { id: bigint().generatedAlwaysAsIdentity(), tags: varchar(wide ? 20 : 10).array(), points: (wide ? bigint() : integer()).array() },
        primaryKey: ['id'],
      });
    });

  test15('varchar(10)[] -> varchar(20)[] and integer[] -> bigint[]: not destructive, applies with rows, keeps them and equals a fresh create; the down restores', async () => {
    expect(migrationSql(series(false), series(true)).destructive).toEqual([]);
    await roundTrip(pg15, series(false), series(true), {
      prepare: () => pg15.migrated.query(`INSERT INTO portfolio.series (tags, points) VALUES ('{abcdefghij,x}', '{1,2147483647}')`).then(() => undefined),
      afterUp: async () => {
        await pg15.migrated.query(`INSERT INTO portfolio.series (tags, points) VALUES ('{abcdefghijklmnopqrst}', '{9223372036854775807}')`);
        expect(await rows(pg15, 'SELECT tags, points::text[] AS points FROM portfolio.series ORDER BY id')).toEqual([
          { tags: ['abcdefghij', 'x'], points: ['1', '2147483647'] },
          { tags: ['abcdefghijklmnopqrst'], points: ['9223372036854775807'] },
        ]);
        await pg15.migrated.query(`DELETE FROM portfolio.series WHERE id = 2`);
      },
    });
  });
});
