// Attacks on the typed layer between the model and SQL (issue 10): hostile snapshot files,
// hostile custom column types, round trips of types and defaults through their SQL text, name
// correspondence edge cases and the enum-value split of `generate`. Each test states the
// behaviour the project's principles promise (every string in the model is hostile until
// validated; every statement reaching the database is judged before a plan is written; only
// lib/sql writes SQL; snapshots are files a hostile hand can edit). A test that fails here is a
// defect in lib/, not in the test. Models are built only through the public constructs, the
// differ is reached through test/support/migration-sql.ts and `generate` (the CLI).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  bigint,
  boolean,
  bytea,
  char,
  Column,
  ColumnType,
  date,
  defaultValueOf,
  doublePrecision,
  EnumType,
  inet,
  integer,
  interval,
  json,
  jsonb,
  ModelError,
  numeric,
  parseSqlType,
  quoteIdentifier,
  real,
  renderDefault,
  renderType,
  serial,
  bigserial,
  ServiceStack,
  smallint,
  Table,
  text,
  time,
  timestamp,
  timestamptz,
  uuid,
  varchar,
} from '../../lib';
import { parseMigration } from '../../lib/migrations/migration-file';
import { formatSnapshot, parseSnapshot } from '../../lib/migrations/snapshot-file';
import { canonicalSchema, ServiceSchema } from '../../lib/migrations/service-schema';
import { TestDatabase, useTestDatabase } from '../support/database';
import { createSql, migrationSql } from '../support/migration-sql';
import { testProject, TestProject } from '../support/project';
import { catalogOf, schemaOf } from '../support/schema-state';

type Define = (stack: ServiceStack) => void;

function listing(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

function errorOf(work: () => unknown): Error | undefined {
  try {
    work();
  } catch (error) {
    return error as Error;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// (1) A snapshot file edited by a hostile hand
// ---------------------------------------------------------------------------------------------

/** Two tables with a check, a partial index, a foreign key and an identity column. */
const klinesModel: Define = (stack) => {
  const accounts = new Table(stack, 'accounts', { columns: { id: bigint().generatedAlwaysAsIdentity() }, primaryKey: ['id'] });
  new Table(stack, 'klines', {
    columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: varchar(32).notNull(), amount: numeric(20, 8), account_id: bigint() },
    primaryKey: ['id'],
    checks: [{ name: 'klines_amount_check', expression: 'amount > 0' }],
    indexes: [{ columns: ['symbol'], where: 'amount > 0' }],
    foreignKeys: [{ columns: ['account_id'], references: accounts.ref('id') }],
  });
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type SnapshotJson = any;

interface Tampered {
  readonly project: TestProject;
  readonly dir: string;
  readonly snapshotFile: string;
  /** The folder before the attack. */
  readonly before: string[];
  readonly sumBefore: string;
}

/** Generates the first migration, then edits its snapshot with `tamper` (the model stays as it was). */
async function tamperedProject(tamper: (snapshot: SnapshotJson) => void): Promise<Tampered> {
  const project = testProject();
  project.tables.datahub = klinesModel;
  const first = await project.cli('generate', 'datahub', 'create_tables');
  if (first.code !== 0) throw new Error(first.err);
  const dir = project.migrationsDirectory('datahub');
  const snapshotFile = path.join(dir, 'snapshots', readdirSync(path.join(dir, 'snapshots'))[0]);
  const snapshot = JSON.parse(readFileSync(snapshotFile, 'utf8'));
  tamper(snapshot);
  writeFileSync(snapshotFile, `${JSON.stringify(snapshot, null, 2)}\n`);
  return { project, dir, snapshotFile, before: listing(dir), sumBefore: readFileSync(path.join(dir, 'bedrock.sum'), 'utf8') };
}

const klines = (s: SnapshotJson) => s.tables.find((t: SnapshotJson) => t.name === 'klines');
const columnOf = (s: SnapshotJson, name: string) => klines(s).columns.find((c: SnapshotJson) => c.name === name);

/** SQL that closes the expression's parentheses, runs two statements of its own, and opens a parenthesis for the wrapper's `)`. */
const INJECTED =
  'amount > 0); ALTER TABLE "datahub"."klines" DROP COLUMN "symbol"; ALTER TABLE "datahub"."klines" ADD CONSTRAINT "x" CHECK (true';

/** `generate` and `check` must both refuse, name the snapshot file, and write nothing. */
async function expectRefusedNamingSnapshot(tampered: Tampered): Promise<void> {
  const { project, dir, snapshotFile, before, sumBefore } = tampered;
  const generated = await project.cli('generate', 'datahub', 'next_change');
  const written = listing(dir).filter((f) => !before.includes(f));
  const writtenSql = written.filter((f) => f.endsWith('.sql')).map((f) => readFileSync(path.join(dir, f), 'utf8'));
  expect({ code: generated.code, written, writtenSql }).toEqual({ code: 1, written: [], writtenSql: [] });
  expect(readFileSync(path.join(dir, 'bedrock.sum'), 'utf8')).toBe(sumBefore);
  expect(generated.err).toContain(snapshotFile);
  const checked = await project.cli('check', 'datahub');
  expect(checked.code).toBe(8);
  expect(checked.err).toContain(snapshotFile);
}

describe('(1) a hostile snapshot file', () => {
  // Held: the type and default are parsed with PostgreSQL's parser when the file is read.
  test.each([
    ['type with a second statement', (s: SnapshotJson) => (columnOf(s, 'symbol').type = 'integer); DROP TABLE x; --')],
    ['type with a collation', (s: SnapshotJson) => (columnOf(s, 'symbol').type = 'text COLLATE "C"')],
    ['type with a default', (s: SnapshotJson) => (columnOf(s, 'symbol').type = 'int DEFAULT 1')],
    ['type with a block comment', (s: SnapshotJson) => (columnOf(s, 'symbol').type = 'integer /* hidden */')],
    ['type with NUL', (s: SnapshotJson) => (columnOf(s, 'symbol').type = 'int\u0000; DROP TABLE x')],
    ['type SETOF', (s: SnapshotJson) => (columnOf(s, 'symbol').type = 'SETOF integer')],
    ['default that is a subquery', (s: SnapshotJson) => (columnOf(s, 'symbol').default = '(SELECT 1)')],
    ['default with two expressions', (s: SnapshotJson) => (columnOf(s, 'symbol').default = "'a', 'b'")],
    ['default with a collation', (s: SnapshotJson) => (columnOf(s, 'symbol').default = '1 COLLATE "C"')],
    ['default closing the statement', (s: SnapshotJson) => (columnOf(s, 'symbol').default = "'a'); DROP TABLE x; --")],
    ['default with NUL', (s: SnapshotJson) => (columnOf(s, 'symbol').default = "'a'\u0000); DROP TABLE x; --")],
    ['default with a comment', (s: SnapshotJson) => (columnOf(s, 'symbol').default = "'a' /* x */")],
  ])('%s: refused when the file is read, naming it; nothing written', async (_label, tamper) => {
    await expectRefusedNamingSnapshot(await tamperedProject(tamper));
  });

  // DEFECT: a check expression or an index predicate in a snapshot is never parsed when the file
  // is read, and is spliced into the down as is. The statement judge passes it: the injected
  // statements touch only the service's own schema.
  test.each([
    ['check expression', (s: SnapshotJson) => (klines(s).checks[0].expression = INJECTED)],
    ['index predicate', (s: SnapshotJson) => (klines(s).indexes[0].where = INJECTED)],
  ])('a %s that closes its parenthesis and adds statements is refused naming the file; nothing written', async (_label, tamper) => {
    await expectRefusedNamingSnapshot(await tamperedProject(tamper));
  });

  // DEFECT: values of the closed lists are only checked when rendered (ddl.ts keyword()), so
  // `check` calls the file fine ("run generate") and `generate` fails with a bare message that
  // names neither the service nor the file. (Nothing is written: the injection itself is held.)
  test.each([
    ['index method', (s: SnapshotJson) => (klines(s).indexes[0].method = 'btree (symbol); DROP TABLE "datahub"."klines"; --')],
    ['index column order', (s: SnapshotJson) => (klines(s).indexes[0].columns[0].order = 'sideways')],
    ['index column nulls', (s: SnapshotJson) => (klines(s).indexes[0].columns[0].nulls = 'middle')],
    ['foreign key onDelete', (s: SnapshotJson) => (klines(s).foreignKeys[0].onDelete = 'cascade; DROP TABLE x')],
    ['foreign key onUpdate', (s: SnapshotJson) => (klines(s).foreignKeys[0].onUpdate = 'set null) --')],
    ['identity generation', (s: SnapshotJson) => (columnOf(s, 'id').identity = 'sometimes')],
  ])('an %s outside its list is refused naming the file; nothing written', async (_label, tamper) => {
    await expectRefusedNamingSnapshot(await tamperedProject(tamper));
  });

  // DEFECT: names and comments are not checked when the file is read: quoteIdentifier /
  // quoteLiteral refuse them later with a bare message ("Refusing to quote an invalid identifier").
  test.each([
    ['table name with a bidi override', (s: SnapshotJson) => (klines(s).name = 'kli\u202enes')],
    ['column name with a bidi override', (s: SnapshotJson) => (columnOf(s, 'amount').name = 'amo\u202eunt')],
    ['type name with a bidi override', (s: SnapshotJson) => (columnOf(s, 'symbol').type = 'int\u202e')],
    ['table comment with NUL', (s: SnapshotJson) => (klines(s).comment = 'a\u0000b')],
  ])('a %s is refused naming the file; nothing written', async (_label, tamper) => {
    await expectRefusedNamingSnapshot(await tamperedProject(tamper));
  });

  // DEFECT: a snapshot's internal consistency is not checked when it is read. Two columns (or
  // tables) of one name: `check` fails forever ("run generate") while `generate` says "no
  // changes". A key on a column that does not exist: the down written fails at apply (42703).
  test.each([
    ['column twice', (s: SnapshotJson) => klines(s).columns.push({ ...columnOf(s, 'symbol'), type: 'integer' })],
    ['table twice', (s: SnapshotJson) => s.tables.push({ ...klines(s), columns: [columnOf(s, 'id')], checks: [], indexes: [], foreignKeys: [] })],
    ['primary key on a column it does not have', (s: SnapshotJson) => (klines(s).primaryKey.columns = ['ghost'])],
  ])('a snapshot with a %s is refused naming the file; nothing written', async (_label, tamper) => {
    await expectRefusedNamingSnapshot(await tamperedProject(tamper));
  });

  test('an enum label with quotes and a statement in a snapshot stays one quoted literal (held)', async () => {
    const tampered = await tamperedProject((s) => s.enums.push({ schema: 'datahub', name: 'side', values: ["buy'); DROP TABLE x; --"] }));
    const generated = await tampered.project.cli('generate', 'datahub', 'next_change', '--accept-data-loss');
    expect(generated.code).toBe(0);
    const file = listing(tampered.dir).find((f) => f.endsWith('.sql') && !tampered.before.includes(f))!;
    const migration = parseMigration(file, readFileSync(path.join(tampered.dir, file), 'utf8'));
    expect(migration.down.trim()).toBe(`CREATE TYPE "datahub"."side" AS ENUM ('buy''); DROP TABLE x; --');`);
  });

  // Held for safety by the statement judge (nothing written), but the message blames the model
  // ("Change the model") and never names the snapshot file that holds the foreign reference.
  test.each([
    ['foreign key to another service', (s: SnapshotJson) => (klines(s).foreignKeys[0].references.schema = 'portfolio')],
    ['default calling another service', (s: SnapshotJson) => (columnOf(s, 'symbol').default = 'portfolio.secret()')],
    ['default reading a server file', (s: SnapshotJson) => (columnOf(s, 'symbol').default = "pg_read_file('/etc/passwd')")],
  ])('a %s is refused naming the file; nothing written', async (_label, tamper) => {
    await expectRefusedNamingSnapshot(await tamperedProject(tamper));
  });
});

describe('(1) the tampered check of the proof never reaches a migration', () => {
  // Before the snapshot's expressions were checked, generate wrote this check into a down that,
  // run on PostgreSQL, dropped the column "symbol". Now generate refuses and writes nothing.
  test('generate refuses the snapshot; only the first migration exists', async () => {
    const tampered = await tamperedProject((s) => (klines(s).checks[0].expression = INJECTED));
    const generated = await tampered.project.cli('generate', 'datahub', 'next_change');
    expect(generated.code).toBe(1);
    expect(generated.err).toContain(tampered.snapshotFile);
    expect(listing(tampered.dir).filter((f) => f.endsWith('.sql'))).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
// (2) A hostile custom ColumnType ({ sql, literal(value) } is a public interface)
// ---------------------------------------------------------------------------------------------

const custom = (sql: string, literal: (value: unknown) => string): Column => new Column({ sql, literal } as ColumnType);

/** The model of one table `things` with column `c`. */
const thingsModel = (column: () => Column): ServiceSchema =>
  schemaOf('datahub', (stack) => {
    new Table(stack, 'things', { columns: { id: bigint().generatedAlwaysAsIdentity(), c: column() }, primaryKey: ['id'] });
  });

function expectModelError(column: () => Column, fragment: string | RegExp): void {
  const error = errorOf(() => thingsModel(column));
  expect(error).toBeInstanceOf(ModelError);
  expect(error!.message).toContain('test-datahub/things');
  if (typeof fragment === 'string') expect(error!.message).toContain(fragment);
  else expect(error!.message).toMatch(fragment);
}

describe('(2) a hostile custom ColumnType', () => {
  // Held.
  test.each([
    ['sql with a second statement', () => custom('text; DROP TABLE x', () => "''"), 'it is not a type name'],
    ['sql with a comment', () => custom('text -- x', () => "''"), 'the type contains a comment'],
    ['sql naming another schema', () => custom('portfolio.side', () => "''"), 'from schema portfolio'],
    ['sql naming another schema, as an array', () => custom('"portfolio"."side"[]', () => "''"), 'from schema portfolio'],
    ['literal with a second statement', () => custom('text', () => "'x'::text; DROP TABLE x").default('a'), 'fix the type\'s literal()'],
    ['literal with a comment', () => custom('text', () => "'x' -- c").default('a'), 'fix the type\'s literal()'],
    ['literal with a subquery', () => custom('text', () => "(SELECT 'x')").default('a'), 'fix the type\'s literal()'],
    ['literal with NUL', () => custom('text', () => "'a\u0000'").default('a'), 'fix the type\'s literal()'],
    ['literal that is not a string', () => custom('text', () => 42 as unknown as string).default('a'), 'fix the type\'s literal()'],
  ])('%s: ModelError naming the construct', (_label, column, fragment) => {
    expectModelError(column, fragment);
  });

  test('a bidi character in a literal is escaped, never written raw', () => {
    const model = thingsModel(() => custom('text', () => "'a\u202eb'").default('a'));
    const sql = createSql(model).join('\n');
    expect(sql).toContain("DEFAULT E'a\\u202eb'");
    expect(sql).not.toContain('\u202e');
  });

  // DEFECT: a literal() result is checked to be one expression, but not with the checks a
  // defaultSql() expression gets (defaultExpressionProblems), nor for the types it casts to
  // (type ownership). PostgreSQL refuses the first two at apply; the judge refuses the last two
  // at generate, blaming no construct.
  test.each([
    ['an aggregate', () => custom('text', () => "(max('x'))").default('a'), /not a constant/],
    ['a column reference', () => custom('text', () => 'id::text').default('a'), /column/],
    ['a cast to another service\'s type', () => custom('text', () => "'x'::portfolio.side").default('a'), /portfolio/],
    ['a call of another service\'s function', () => custom('text', () => 'portfolio.secret()').default('a'), /portfolio/],
  ])('a literal() rendering %s: ModelError naming the construct', (_label, column, fragment) => {
    expectModelError(column, fragment);
  });

  test('defaultSql() refuses the same aggregate and column reference (the comparison for the test above)', () => {
    expectModelError(() => text().defaultSql("(max('x'))"), /aggregate/);
    expectModelError(() => text().defaultSql('id::text'), /cannot name a column/);
  });

  // DEFECT: the type's `sql` is read several times: the ownership check (type-ownership.ts)
  // reads it again after columnSqlType parsed it, so a getter can show each reader another type.
  test('a `sql` getter that names another schema only when the model reads it: ModelError', () => {
    const sneaky = (): Column => {
      let reads = 0;
      return new Column({
        get sql() {
          return reads++ === 2 ? 'portfolio.side' : 'text';
        },
        literal: () => "'a'",
      } as ColumnType);
    };
    const error = errorOf(() => thingsModel(sneaky));
    const model = error ? undefined : thingsModel(sneaky);
    expect({ error: error?.name, type: model?.tables[0].columns[1].type }).toEqual({ error: 'ModelError', type: undefined });
  });

  // DEFECT: the ownership check trusts a type's `enumType` and then never looks at its `sql`:
  // a type claiming to be this service's enum while its sql names another schema passes.
  test('a type whose enumType claims an own enum while its sql names another schema: ModelError', () => {
    const error = errorOf(() =>
      schemaOf('datahub', (stack) => {
        const spoofed = new Column({ sql: 'portfolio.side', literal: () => "''", enumType: { schema: 'datahub', name: 'side', service: 'datahub', stack: stack.node.path } } as ColumnType);
        new Table(stack, 'things', { columns: { id: bigint().generatedAlwaysAsIdentity(), c: spoofed }, primaryKey: ['id'] });
      }),
    );
    expect(error).toBeInstanceOf(ModelError);
    expect(error?.message).toContain('portfolio');
  });

  // DEFECT: `isSerial` on a type that is not serial makes the model say NOT NULL (and "serial"),
  // while the DDL creates a nullable column without default: the model and the database differ.
  test('a custom text type with isSerial: ModelError, or a column as NOT NULL as the model says', () => {
    const column = () => new Column({ sql: 'text', literal: () => "''", isSerial: true } as ColumnType);
    const error = errorOf(() => thingsModel(column));
    if (error) {
      expect(error).toBeInstanceOf(ModelError);
      return;
    }
    const model = thingsModel(column);
    const definition = /"c" [^\n]*/.exec(createSql(model)[0])![0];
    expect({ notNull: model.tables[0].columns[1].notNull, definition }).toEqual({ notNull: true, definition: expect.stringMatching(/NOT NULL|serial/) });
  });

  // DEFECT (model and statement judge): a relation named inside a string that PostgreSQL reads
  // as regclass (nextval('...'), '...'::regclass) is seen by neither the model's checks nor
  // BEDROCK-S1, so a default reaches (and makes the column depend on) another service's sequence.
  test.each(["nextval('portfolio.orders_id_seq')", "'portfolio.orders'::regclass::text"])('defaultSql(%j) naming another service\'s relation is refused (ModelError or generate)', async (sql) => {
    const project = testProject();
    project.tables.datahub = (stack) => {
      new Table(stack, 'things', { columns: { id: bigint().generatedAlwaysAsIdentity(), c: text().defaultSql(sql) }, primaryKey: ['id'] });
    };
    const result = await project.cli('generate', 'datahub', 'create_things');
    expect({ code: result.code, written: listing(project.migrationsDirectory('datahub')) }).toEqual({ code: 1, written: [] });
    expect(result.err).toContain('portfolio');
  });

  // DEFECT: a literal() that throws something else than an Error is reported as "undefined".
  test('a literal() throwing a string: the message carries what it threw', () => {
    expectModelError(
      () =>
        custom('text', () => {
          throw 'boom';
        }).default('a'),
      'boom',
    );
  });

  // DEFECT: types the parser reads with parameters the renderer writes in the wrong place:
  // `timestamp(3) with time zone` becomes `timestamp with time zone(3)` (a syntax error), and
  // `interval(3)` becomes `interval(32767,3)` (a syntax error).
  test.each(['timestamptz(3)', 'timestamp(3) with time zone', 'time(0)', 'timestamp(6)', 'interval(3)', 'interval day to second(3)'])(
    'a custom type %s: its CREATE TABLE parses (or the model refuses the type)',
    (sql) => {
      const error = errorOf(() => thingsModel(() => custom(sql, () => 'now()')));
      if (error) {
        expect(error).toBeInstanceOf(ModelError);
        return;
      }
      const statements = createSql(thingsModel(() => custom(sql, () => 'now()')));
      const create = statements.find((s) => s.startsWith('CREATE TABLE'))!;
      const column = /"c" ([^\n]*?),?\n/.exec(create)![1];
      expect(parseSqlType(column)).not.toHaveProperty('problem');
    },
  );
});

describe('(2) proof on PostgreSQL: a custom bpchar column becomes character(1)', () => {
  const db = useTestDatabase();

  // DEFECT: `bpchar` (blank-padded, any length) is rendered `character`, which PostgreSQL
  // reads as character(1): the column and its default keep one character.
  test("a custom type { sql: 'bpchar' } with default 'abc' stores 'abc'", async () => {
    const model = thingsModel(() => custom('bpchar', (v) => `'${String(v)}'::bpchar`).default('abc'));
    await db.query('DROP SCHEMA IF EXISTS datahub CASCADE; CREATE SCHEMA datahub');
    await db.query(createSql(model).join('\n'));
    await db.query('INSERT INTO datahub.things DEFAULT VALUES');
    const rows = await db.query('SELECT c::text AS c FROM datahub.things');
    expect(rows.rows).toEqual([{ c: 'abc' }]);
  });

  // DEFECT: `'1 day'::interval day` (a field restriction) becomes `'1 day'::interval(8)` (a
  // precision of 8), which PostgreSQL reads as another type.
  test("defaultSql(\"'36 hours'::interval day\") keeps its meaning", async () => {
    const model = thingsModel(() => interval().defaultSql("'36 hours'::interval day"));
    await db.query('DROP SCHEMA IF EXISTS datahub CASCADE; CREATE SCHEMA datahub');
    const expected = (await db.query("SELECT ('36 hours'::interval day)::text AS v")).rows[0].v;
    await db.query(createSql(model).join('\n'));
    await db.query('INSERT INTO datahub.things DEFAULT VALUES');
    const rows = await db.query('SELECT c::text AS c FROM datahub.things');
    expect(rows.rows).toEqual([{ c: expected }]);
  });
});

// ---------------------------------------------------------------------------------------------
// (3) Round trips: types and defaults through their SQL text, the model through its snapshot
// ---------------------------------------------------------------------------------------------

const builtinColumns = (side: EnumType): Record<string, Column> => ({
  c_smallint: smallint().default(-32768),
  c_integer: integer().default(2147483647),
  c_bigint: bigint().default('-9223372036854775808'),
  c_serial: serial(),
  c_bigserial: bigserial(),
  c_numeric: numeric().default('123456789012345678901234567890.123456789'),
  c_numeric_ps: numeric(20, 8).default('-12.50000000'),
  c_numeric_zero: numeric(10, 2).default(0),
  c_real: real().default(1e21),
  c_real_small: real().default(-1e-7),
  c_double: doublePrecision().default(-0.5),
  c_boolean_t: boolean().default(true),
  c_boolean_f: boolean().default(false),
  c_text_quotes: text().default("it's \"quoted\""),
  c_text_backslash: text().default('a\\b\\\\c'),
  c_text_layout: text().default('line\nbreak\ttab\rcr'),
  c_text_unicode: text().default('snow ☃ 𝄞 é e\u0301 \u202e\u200b'),
  c_text_empty: text().default(''),
  c_varchar: varchar(16).default('x'),
  c_char: char(3).default('ab'),
  c_date: date().default('2025-01-09'),
  c_time: time().default('12:00:30.5'),
  c_timestamp: timestamp().default('2025-01-09 12:00:00'),
  c_timestamptz: timestamptz().default(new Date('2025-01-09T12:00:00Z')),
  c_interval: interval().default('1 day 2 hours'),
  c_uuid: uuid().default('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'),
  c_json: json().default({ a: "x'y", b: [1, null, 'z\\'] }),
  c_jsonb: jsonb().default({ nested: { list: [], quote: "'" }, n: -1.5 }),
  c_jsonb_string: jsonb().default("just a 'string'"),
  c_bytea: bytea().default(Buffer.from([0, 255, 39, 92])),
  c_inet: inet().default('192.168.0.1/24'),
  c_enum: side.column().default('sell'),
  c_text_array_empty: text().array().default([]),
  c_text_array_null: text().array().default([null, 'a', "b'c", '']),
  c_int_array: integer().array().default([-1, 0, 2147483647]),
  c_numeric_array: numeric(10, 2).array().default(['1.50', '-2']),
  c_enum_array: side.column().array().default(['buy', 'sell']),
  c_bool_array: boolean().array().default([true, false]),
  c_expression: timestamptz().defaultSql('now()'),
  c_expression_cast: text().defaultSql("'x'::text || 'y'"),
  c_no_default: text(),
});

const everyType: Define = (stack) => {
  const side = new EnumType(stack, 'side', { values: ['buy', 'sell'] });
  new Table(stack, 'every_type', { columns: { id: bigint().generatedAlwaysAsIdentity(), ...builtinColumns(side) }, primaryKey: ['id'] });
};

describe('(3) round trips', () => {
  test('the model from constructs equals the model read back from its own snapshot', () => {
    const model = schemaOf('datahub', everyType, 15);
    const text = formatSnapshot(model);
    const parsed = parseSnapshot(text, 'datahub', 'datahub');
    expect(parsed).toHaveProperty('schema');
    expect((parsed as { schema: ServiceSchema }).schema).toEqual(canonicalSchema(model));
    expect(formatSnapshot((parsed as { schema: ServiceSchema }).schema)).toBe(text);
  });

  test('renderType(parseSqlType(renderType(t))) is stable for every built-in type, and array of it', () => {
    const model = schemaOf('datahub', everyType, 15);
    const isEnum = (schema: string) => schema === 'datahub';
    for (const column of model.tables[0].columns) {
      const once = renderType(column.type);
      const parsed = parseSqlType(once, isEnum);
      expect({ column: column.name, parsed }).toEqual({ column: column.name, parsed: column.type });
      expect(renderType(parsed as typeof column.type)).toBe(once);
    }
  });

  test('renderDefault(defaultValueOf(renderDefault(d))) is stable for every default', () => {
    const model = schemaOf('datahub', everyType, 15);
    const isEnum = (schema: string) => schema === 'datahub';
    for (const column of model.tables[0].columns) {
      if (column.default === undefined) continue;
      const once = renderDefault(column.default);
      const again = defaultValueOf(once, isEnum);
      expect({ column: column.name, again }).toEqual({ column: column.name, again: column.default });
      expect(renderDefault(again)).toBe(once);
    }
  });

  // DEFECT: the SQL names of types with parameters placed inside the name, field-restricted
  // intervals and bpchar do not survive renderType: the text written is another type or no type.
  test.each([
    'timestamp(3) with time zone',
    'timestamp(0) without time zone',
    'time(3)',
    'time(3) with time zone',
    'timestamptz(3)',
    'bpchar',
    'bpchar(5)',
    'character varying',
    'double precision[]',
    'bit(3)',
    '"char"',
    'numeric(20,8)[]',
  ])('the type %s: renderType writes text that parses back to the same type', (sql) => {
    const type = parseSqlType(sql);
    expect(type).not.toHaveProperty('problem');
    const rendered = renderType(type as Exclude<typeof type, { problem: string }>);
    expect({ sql, rendered, back: parseSqlType(rendered) }).toEqual({ sql, rendered, back: type });
  });

  // interval's modifiers encode fields and precision together; no spelling as plain parameters
  // keeps their meaning, so such a type is refused (a plain interval is fine).
  test.each(['interval(3)', 'interval day', 'interval hour to minute', 'interval day to second(3)'])('the type %s is refused with the fix', (sql) => {
    expect(parseSqlType(sql)).toEqual({ problem: 'interval fields and precision are not supported: use interval' });
  });

  // DEFECT: the same, for a cast in a default: renderDefault writes a default that does not
  // parse (the second defaultValueOf throws a raw parser error) or means another value.
  test.each([
    "'2025-01-09 12:00:00+00'::timestamp(3) with time zone",
    "'12:00'::time(0)",
    "'1 day'::interval day",
    "'abc'::bpchar",
    "ARRAY['a']::bpchar[]",
  ])('the default %s: renderDefault writes a default that reads back the same', (sql) => {
    const value = defaultValueOf(sql);
    const rendered = renderDefault(value);
    const back = errorOf(() => defaultValueOf(rendered)) ?? defaultValueOf(rendered);
    expect({ sql, rendered, back }).toEqual({ sql, rendered, back: value });
  });

  // DEFECT: a number PostgreSQL 16+ reads (the parser is PostgreSQL 18's) is accepted by the
  // model, then the renderer throws a bare "not a number" (no construct named) at synth/generate.
  test.each(['1_000.5', '0xFFFFFFFFFFFFFFFFFF'])('defaultSql(%j): ModelError naming the construct, or SQL that renders', (sql) => {
    const error = errorOf(() => thingsModel(() => numeric().defaultSql(sql)));
    if (error) {
      expect(error).toBeInstanceOf(ModelError);
      return;
    }
    const model = thingsModel(() => numeric().defaultSql(sql));
    expect(errorOf(() => createSql(model))).toBeUndefined();
  });

  test('a snapshot type from an earlier format (pg_catalog names, int4, varchar) reads as the same built-in', () => {
    for (const [old, now] of [
      ['int4', 'integer'],
      ['pg_catalog.int8', 'bigint'],
      ['varchar(16)', 'character varying(16)'],
      ['float8', 'double precision'],
      ['timestamptz', 'timestamp with time zone'],
      ['bool[]', 'boolean[]'],
    ]) {
      const type = parseSqlType(old);
      expect(renderType(type as Exclude<typeof type, { problem: string }>)).toBe(now);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// (4) Name correspondence edge cases
// ---------------------------------------------------------------------------------------------

/** A table with an identity key, a text column and an index on it: sequence, key and index follow its name. */
function plainTable(stack: ServiceStack, name: string, props: { renamedFrom?: string; columns?: Record<string, Column> } = {}): Table<Record<string, Column>> {
  return new Table(stack, name, {
    columns: { id: bigint().generatedAlwaysAsIdentity(), note: text(), ...(props.columns ?? {}) },
    primaryKey: ['id'],
    indexes: [{ columns: ['note'] }],
    ...(props.renamedFrom !== undefined ? { renamedFrom: props.renamedFrom } : {}),
  }) as unknown as Table<Record<string, Column>>;
}

/** "<error class>: <message>" when `work` throws, else "accepted: <its result>" (so a failure shows the SQL). */
function outcome(work: () => unknown): string {
  try {
    return `accepted: ${JSON.stringify(work(), null, 1)}`;
  } catch (error) {
    return `${(error as Error).constructor.name}: ${(error as Error).message}`;
  }
}

const REFUSED_NAMING_RENAMED_FROM = /^(ModelError|UnsupportedChange): [\s\S]*renamedFrom/;

describe('(4) name correspondence: ambiguous declarations', () => {
  // DEFECT: the second renamedFrom naming the same old table is silently ignored: c is created
  // empty while the declaration said it holds a's rows. Which one was meant cannot be known.
  test('two tables renamedFrom the same old table: refused (ModelError or UnsupportedChange), not one silently new', () => {
    const before = schemaOf('datahub', (s) => void plainTable(s, 'a'));
    expect(
      outcome(() => {
        const after = schemaOf('datahub', (s) => {
          plainTable(s, 'b', { renamedFrom: 'a' });
          plainTable(s, 'c', { renamedFrom: 'a' });
        });
        return migrationSql(before, after).up;
      }),
    ).toMatch(REFUSED_NAMING_RENAMED_FROM);
  });

  test('two columns renamedFrom the same old column: refused (ModelError or UnsupportedChange), not one silently new', () => {
    const before = schemaOf('datahub', (s) => void plainTable(s, 'a', { columns: { x: integer() } }));
    expect(
      outcome(() => {
        const after = schemaOf('datahub', (s) => void plainTable(s, 'a', { columns: { y: integer().renamedFrom('x'), z: integer().renamedFrom('x') } }));
        return migrationSql(before, after).up;
      }),
    ).toMatch(REFUSED_NAMING_RENAMED_FROM);
  });

  test('a cycle of renames (a->b, b->a) is refused with UnsupportedChange naming both', () => {
    const before = schemaOf('datahub', (s) => {
      plainTable(s, 'a');
      plainTable(s, 'b');
    });
    const after = schemaOf('datahub', (s) => {
      plainTable(s, 'b', { renamedFrom: 'a' });
      plainTable(s, 'a', { renamedFrom: 'b' });
    });
    const error = errorOf(() => migrationSql(before, after));
    expect(error?.constructor.name).toBe('UnsupportedChange');
    expect(error?.message).toContain('a -> b');
  });
});

describe('(4) name correspondence on PostgreSQL: up gives a fresh create, down gives the start', () => {
  const migrated = useTestDatabase();
  const fresh = useTestDatabase();

  async function createIn(db: TestDatabase, model: ServiceSchema): Promise<void> {
    await db.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier('datahub')} CASCADE`);
    await db.query(`CREATE SCHEMA ${quoteIdentifier('datahub')}`);
    await runAll(db, createSql(model));
  }

  async function runAll(db: TestDatabase, statements: readonly string[]): Promise<void> {
    await db.query('BEGIN');
    for (const statement of statements) {
      try {
        await db.query(statement);
      } catch (error) {
        await db.query('ROLLBACK');
        throw new Error(`${(error as { code?: string }).code}: ${(error as Error).message}\n  in: ${statement}`);
      }
    }
    await db.query('COMMIT');
  }

  /** Rows in every table of `model`, so renames that address the wrong table show. */
  async function fill(db: TestDatabase, model: ServiceSchema): Promise<void> {
    for (const table of model.tables) await db.query(`INSERT INTO datahub.${quoteIdentifier(table.name)} (note) VALUES ('row of ${table.name}')`);
  }

  const notes = async (db: TestDatabase, table: string) => (await db.query(`SELECT note FROM datahub.${quoteIdentifier(table)} ORDER BY id`)).rows.map((r) => r.note);

  async function roundTrip(beforeDefine: Define, afterDefine: Define, rowsAfterUp: Record<string, string[]>, rowsAfterDown: Record<string, string[]>): Promise<void> {
    const before = schemaOf('datahub', beforeDefine);
    const after = schemaOf('datahub', afterDefine);
    const { up, down } = migrationSql(before, after);
    await createIn(fresh, after);
    const freshAfter = await catalogOf(fresh.client, 'datahub');
    await createIn(fresh, before);
    const freshBefore = await catalogOf(fresh.client, 'datahub');
    await createIn(migrated, before);
    await fill(migrated, before);
    await runAll(migrated, up);
    expect(await catalogOf(migrated.client, 'datahub')).toEqual(freshAfter);
    for (const [table, expected] of Object.entries(rowsAfterUp)) expect({ table, rows: await notes(migrated, table) }).toEqual({ table, rows: expected });
    await runAll(migrated, down);
    expect(await catalogOf(migrated.client, 'datahub')).toEqual(freshBefore);
    for (const [table, expected] of Object.entries(rowsAfterDown)) expect({ table, rows: await notes(migrated, table) }).toEqual({ table, rows: expected });
  }

  test('a renamed to b, and a new table a', async () => {
    await roundTrip(
      (s) => void plainTable(s, 'a'),
      (s) => {
        plainTable(s, 'a');
        plainTable(s, 'b', { renamedFrom: 'a' });
      },
      { a: [], b: ['row of a'] },
      { a: ['row of a'] },
    );
  });

  test('a renamed into b, whose old holder is dropped', async () => {
    await roundTrip(
      (s) => {
        plainTable(s, 'a');
        plainTable(s, 'b');
      },
      (s) => void plainTable(s, 'b', { renamedFrom: 'a' }),
      { b: ['row of a'] },
      { a: ['row of a'], b: [] },
    );
  });

  test('a chain a->b, b->c, and a new table a', async () => {
    await roundTrip(
      (s) => {
        plainTable(s, 'a');
        plainTable(s, 'b');
      },
      (s) => {
        plainTable(s, 'b', { renamedFrom: 'a' });
        plainTable(s, 'c', { renamedFrom: 'b' });
        plainTable(s, 'a');
      },
      { a: [], b: ['row of a'], c: ['row of b'] },
      { a: ['row of a'], b: ['row of b'] },
    );
  });

  test('rename a->c, drop b, add a new a, with a foreign key from d following a to c', async () => {
    const withReferrer = (target: Table<Record<string, Column>>) => (s: ServiceStack) =>
      new Table(s, 'd', { columns: { id: bigint().generatedAlwaysAsIdentity(), note: text(), ref_id: bigint() }, primaryKey: ['id'], foreignKeys: [{ columns: ['ref_id'], references: target.ref('id') }] });
    await roundTrip(
      (s) => {
        const a = plainTable(s, 'a');
        plainTable(s, 'b');
        withReferrer(a)(s);
      },
      (s) => {
        const c = plainTable(s, 'c', { renamedFrom: 'a' });
        plainTable(s, 'a');
        withReferrer(c)(s);
      },
      { a: [], c: ['row of a'], d: ['row of d'] },
      { a: ['row of a'], b: [], d: ['row of d'] },
    );
  });

  test('a renamed into b whose old holder is dropped while d references the old b', async () => {
    const withReferrer = (target: Table<Record<string, Column>>) => (s: ServiceStack) =>
      new Table(s, 'd', { columns: { id: bigint().generatedAlwaysAsIdentity(), note: text(), ref_id: bigint() }, primaryKey: ['id'], foreignKeys: [{ columns: ['ref_id'], references: target.ref('id') }] });
    await roundTrip(
      (s) => {
        plainTable(s, 'a');
        const b = plainTable(s, 'b');
        withReferrer(b)(s);
      },
      (s) => {
        const b = plainTable(s, 'b', { renamedFrom: 'a' });
        withReferrer(b)(s);
      },
      { b: ['row of a'], d: ['row of d'] },
      { a: ['row of a'], b: [], d: ['row of d'] },
    );
  });

  test('table renamed and, in it, a column renamed into the name of a dropped column, plus a new column under the old name', async () => {
    await roundTrip(
      (s) => void plainTable(s, 'a', { columns: { x: integer(), y: integer() } }),
      (s) => void plainTable(s, 'b', { renamedFrom: 'a', columns: { y: integer().renamedFrom('x'), x: text() } }),
      { b: ['row of a'] },
      { a: ['row of a'] },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// (5) The 55P04 split: two migrations, both judged before either is written
// ---------------------------------------------------------------------------------------------

describe('(5) enum values in a migration of their own', () => {
  const sideTable = (values: string[], extra: (side: EnumType) => Record<string, Column> = () => ({})): Define => (stack) => {
    const side = new EnumType(stack, 'side', { values });
    new Table(stack, 'orders', { columns: { id: bigint().generatedAlwaysAsIdentity(), side: side.column(), ...extra(side) }, primaryKey: ['id'] });
  };

  test('the second migration refused by the statement judge: nothing written (no file, no snapshot, no sum change)', async () => {
    const project = testProject();
    project.tables.datahub = sideTable(['buy']);
    expect((await project.cli('generate', 'datahub', 'create_orders')).code).toBe(0);
    const dir = project.migrationsDirectory('datahub');
    const before = listing(dir);
    const sum = readFileSync(path.join(dir, 'bedrock.sum'), 'utf8');
    // The model accepts a default calling pg_read_file(); the judge refuses it (BEDROCK-S2).
    project.tables.datahub = sideTable(['buy', 'sell'], (side) => ({ preferred: side.column().default('sell'), secret: text().defaultSql("pg_read_file('/etc/passwd')") }));
    const result = await project.cli('generate', 'datahub', 'add_sell');
    expect(result.code).toBe(1);
    expect(result.err).toContain('BEDROCK-S2');
    expect(result.err).toContain('nothing written');
    expect(listing(dir)).toEqual(before);
    expect(readFileSync(path.join(dir, 'bedrock.sum'), 'utf8')).toBe(sum);
  });

  test('the first (enum values) migration refused, through a tampered snapshot check on the enum column: nothing written', async () => {
    const project = testProject();
    const define = (values: string[]): Define => (stack) => {
      const side = new EnumType(stack, 'side', { values });
      new Table(stack, 'orders', {
        columns: { id: bigint().generatedAlwaysAsIdentity(), side: side.column(), note: text() },
        primaryKey: ['id'],
        checks: [{ name: 'orders_side_check', expression: "side <> 'buy'" }],
      });
    };
    project.tables.datahub = define(['buy']);
    expect((await project.cli('generate', 'datahub', 'create_orders')).code).toBe(0);
    const dir = project.migrationsDirectory('datahub');
    const snapshotFile = path.join(dir, 'snapshots', readdirSync(path.join(dir, 'snapshots'))[0]);
    const snapshot = JSON.parse(readFileSync(snapshotFile, 'utf8'));
    snapshot.tables[0].checks[0].expression = "side <> 'buy'); SELECT pg_read_file('/etc/passwd'); SELECT (true";
    writeFileSync(snapshotFile, `${JSON.stringify(snapshot, null, 2)}\n`);
    const before = listing(dir);
    const sum = readFileSync(path.join(dir, 'bedrock.sum'), 'utf8');
    // A second change besides the new value, so that generate splits.
    project.tables.datahub = (stack) => {
      const side = new EnumType(stack, 'side', { values: ['buy', 'sell'] });
      new Table(stack, 'orders', {
        columns: { id: bigint().generatedAlwaysAsIdentity(), side: side.column().default('sell'), note: text() },
        primaryKey: ['id'],
        checks: [{ name: 'orders_side_check', expression: "side <> 'buy'" }],
      });
    };
    const result = await project.cli('generate', 'datahub', 'add_sell');
    expect(result.code).toBe(1);
    // Refused when the snapshot is read, before either migration is made, naming the file.
    expect(result.err).toContain(`the snapshot ${snapshotFile}`);
    expect(result.err).toContain('is unusable');
    expect(listing(dir)).toEqual(before);
    expect(readFileSync(path.join(dir, 'bedrock.sum'), 'utf8')).toBe(sum);
  });

  test('both accepted: two migrations, the values first, the second follows the first; check is clean', async () => {
    const project = testProject();
    project.tables.datahub = sideTable(['buy']);
    await project.cli('generate', 'datahub', 'create_orders');
    project.tables.datahub = sideTable(['buy', 'sell'], (side) => ({ preferred: side.column().default('sell') }));
    const result = await project.cli('generate', 'datahub', 'add_sell');
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const dir = project.migrationsDirectory('datahub');
    const files = listing(dir).filter((f) => f.endsWith('.sql'));
    expect(files).toHaveLength(3);
    const [, values, use] = files.map((f) => parseMigration(f, readFileSync(path.join(dir, f), 'utf8')));
    expect(values.up).toContain("ADD VALUE 'sell'");
    expect(use.parent).toBe(values.id);
    expect(use.up).not.toContain('ADD VALUE');
    expect((await project.cli('check', 'datahub')).code).toBe(0);
  });
});
