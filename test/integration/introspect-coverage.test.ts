// introspect beyond the seed (issue 13), on PostgreSQL 18 and 14. First, a legacy schema in
// `public` with every feature the model has words for and the seed does not use: array types,
// char(n), uuid, inet, bytea, interval, date, time, an identity ALWAYS column, a DESC NULLS FIRST
// and a DESC NULLS LAST index, an operator class (jsonb_path_ops gin), INCLUDE columns, a partial
// index whose predicate casts, UNIQUE NULLS NOT DISTINCT (PostgreSQL 15+), a reserved-word column
// ("order"), a camelCase column ("createdAt"), a foreign key ON UPDATE CASCADE to a unique key,
// and comments holding quotes, backslashes and line breaks. It is written as TypeScript, the file
// compiles, and the model built from it creates exactly the legacy tables.
//
// Second, what the model cannot express: each is listed in `unexpressed` and in the written
// file's header comment, never dropped without a word:
//   - a trigger;
//   - a generated column;
//   - an exclusion constraint;
//   - an index on an expression;
//   - a partitioned table;
//   - an UNLOGGED table;
//   - a NOT VALID check constraint;
//   - a DEFERRABLE foreign key;
//   - a column with a non-default collation;
//   - varchar without a length;
//   - timestamp(3) (a precision no builder takes).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { modelOf } from '../../lib';
import { introspect } from '../../lib/adopt/introspect';
import { tableSource, tsComment } from '../../lib/adopt/table-source';
import { readLegacyService } from '../../lib/adopt/legacy-schema';
import { withEquivalentExpressions } from '../../lib/catalog/equivalent-expressions';
import { modelAsLive } from '../../lib/catalog/live-schema';
import { schemaDifferences } from '../../lib/catalog/schema-differences';
import { hasTestServer, TestServer, useTestDatabase } from '../support/database';
import { testProject } from '../support/project';
import { compileProblems, LIBRARY, loadTables } from '../support/written-tables';

/** Comments PostgreSQL holds verbatim: quotes of both kinds, a backslash, line breaks, comment and template syntax. */
const TABLE_COMMENT = `Orders; it's "quoted" \\ and */ and \${x} and \`ticks\`\nsecond line`;
const COLUMN_COMMENT = `When it's made\r\nin UTC, "server" time`;
const ENUM_LABEL = `it's "done" \\ ok`;

const sqlString = (text: string): string => `'${text.replace(/'/g, "''")}'`;

const EXPRESSIBLE = `
CREATE TYPE order_status AS ENUM ('new', ${sqlString(ENUM_LABEL)}, 'cancelled');
CREATE TABLE accounts (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code char(8) NOT NULL DEFAULT 'AAAAAAAA',
  external_id uuid NOT NULL DEFAULT gen_random_uuid(),
  nickname varchar(40) DEFAULT 'none',
  CONSTRAINT uq_accounts_code UNIQUE (code)
);
CREATE TABLE orders (
  id bigserial PRIMARY KEY,
  account_code char(8) NOT NULL,
  "order" integer NOT NULL,
  "createdAt" timestamp with time zone NOT NULL DEFAULT now(),
  tags text[] NOT NULL DEFAULT '{}',
  scores numeric(10,2)[],
  flags boolean[] DEFAULT ARRAY[true, false],
  price numeric(10,2) NOT NULL DEFAULT 0.50,
  quantity smallint NOT NULL DEFAULT 1,
  ratio real,
  weight double precision,
  client_ip inet,
  payload bytea DEFAULT '\\x00'::bytea,
  hold interval DEFAULT '1 day'::interval,
  trade_date date DEFAULT CURRENT_DATE,
  trade_time time,
  placed_at timestamp,
  status order_status NOT NULL DEFAULT 'new',
  attributes jsonb NOT NULL DEFAULT '{"source": "legacy"}'::jsonb,
  raw json,
  CONSTRAINT fk_orders_account FOREIGN KEY (account_code) REFERENCES accounts (code) ON UPDATE CASCADE ON DELETE RESTRICT,
  CONSTRAINT orders_order_positive CHECK ("order" > 0),
  CONSTRAINT orders_price_check CHECK (price >= 0::numeric AND status <> 'cancelled'::order_status OR price = 0::numeric)
);
COMMENT ON TABLE orders IS ${sqlString(TABLE_COMMENT)};
COMMENT ON COLUMN orders."createdAt" IS ${sqlString(COLUMN_COMMENT)};
COMMENT ON TYPE order_status IS ${sqlString(TABLE_COMMENT)};
CREATE INDEX ix_orders_created_desc ON orders ("createdAt" DESC NULLS FIRST);
CREATE INDEX ix_orders_order_desc_last ON orders ("order" DESC NULLS LAST, id);
CREATE INDEX orders_price_idx ON orders (price ASC NULLS FIRST);
CREATE INDEX ix_orders_attributes ON orders USING gin (attributes jsonb_path_ops);
CREATE INDEX ix_orders_account_include ON orders (account_code) INCLUDE (status, "order");
CREATE INDEX ix_orders_open ON orders (account_code, "createdAt") WHERE status <> 'cancelled'::order_status AND hold > '01:00:00'::interval AND "order"::numeric > price;
CREATE UNIQUE INDEX ux_orders_account_order ON orders (account_code, "order");
CREATE INDEX ix_orders_ip ON orders USING hash (client_ip);
CREATE INDEX ix_orders_placed ON orders USING brin (placed_at);
`;

/** UNIQUE NULLS NOT DISTINCT exists from PostgreSQL 15 on. */
const NULLS_NOT_DISTINCT = `ALTER TABLE accounts ADD CONSTRAINT uq_accounts_external UNIQUE NULLS NOT DISTINCT (external_id, nickname);`;

/** One table (or two) per thing the model cannot say, each with the sentence that must name it. */
const UNEXPRESSIBLE = `
CREATE TABLE with_trigger (id integer PRIMARY KEY, touched timestamptz);
CREATE FUNCTION with_trigger_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := now(); RETURN NEW; END $$;
CREATE TRIGGER touch_row BEFORE UPDATE ON with_trigger FOR EACH ROW EXECUTE FUNCTION with_trigger_touch();
CREATE TABLE with_generated (id integer PRIMARY KEY, price numeric(10,2) NOT NULL, doubled numeric GENERATED ALWAYS AS (price * 2) STORED);
CREATE TABLE with_exclusion (id integer PRIMARY KEY, room integer NOT NULL, CONSTRAINT one_per_room EXCLUDE USING btree (room WITH =));
CREATE TABLE with_expression_index (id integer PRIMARY KEY, name text NOT NULL);
CREATE INDEX ix_lower_name ON with_expression_index (lower(name));
CREATE TABLE measurements (id integer NOT NULL, taken date NOT NULL) PARTITION BY RANGE (taken);
CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE UNLOGGED TABLE scratch_rows (id integer PRIMARY KEY, body text);
CREATE TABLE with_not_valid (id integer PRIMARY KEY, qty integer);
ALTER TABLE with_not_valid ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID;
CREATE TABLE deferred_parent (id integer PRIMARY KEY);
CREATE TABLE deferred_child (id integer PRIMARY KEY, parent_id integer,
  CONSTRAINT deferred_child_parent_fkey FOREIGN KEY (parent_id) REFERENCES deferred_parent (id) DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE with_collation (id integer PRIMARY KEY, name text COLLATE "C");
CREATE TABLE with_odd_types (id integer PRIMARY KEY, free varchar, stamped timestamp(3));
`;

const UNEXPRESSIBLE_TABLES = [
  'with_trigger',
  'with_generated',
  'with_exclusion',
  'with_expression_index',
  'measurements',
  'scratch_rows',
  'with_not_valid',
  'deferred_parent',
  'deferred_child',
  'with_collation',
  'with_odd_types',
];

/** What must be said, one pattern per thing the model cannot express. */
const MUST_BE_SAID: readonly [string, RegExp][] = [
  ['trigger', /^table with_trigger has trigger touch_row\b/],
  ['generated column', /^table with_generated column doubled is a generated column/],
  ['exclusion constraint', /^table with_exclusion constraint one_per_room is an exclusion constraint/],
  ['expression index', /^table with_expression_index index ix_lower_name is on an expression/],
  ['partitioned table', /^table measurements is partitioned/],
  ['unlogged table', /^table scratch_rows is UNLOGGED/],
  ['NOT VALID check', /^table with_not_valid constraint qty_positive is NOT VALID/],
  ['deferrable foreign key', /^table deferred_child constraint deferred_child_parent_fkey is DEFERRABLE/],
  ['non-default collation', /^table with_collation column name has collation C\b/],
  ['varchar without length', /^table with_odd_types column free has type character varying\b/],
  ['timestamp(3)', /^table with_odd_types column stamped has type timestamp\(3\) without time zone\b/],
];

describe.each<[string, TestServer]>([
  ['PostgreSQL 18', 'default'],
  ['PostgreSQL 14', 14],
])('introspect on %s', (label, server) => {
  const db = useTestDatabase(server);
  const available = hasTestServer(server);

  test('every feature the model has words for survives the round trip: written, compiled, created, compared', async () => {
    if (!available) {
      console.log(`${label} is not available on this machine: the round trip runs on PostgreSQL 18 only`);
      return;
    }
    await db.query(EXPRESSIBLE);
    const version = Number((await db.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)).rows[0].v);
    if (version >= 150000) await db.query(NULLS_NOT_DISTINCT);
    else console.log(`${label} (server_version_num ${version}): UNIQUE NULLS NOT DISTINCT needs PostgreSQL 15, so that constraint is left out here`);
    await db.query('SET search_path = pg_catalog, pg_temp'); // as the CLI's pinned session reads

    const root = mkdtempSync(path.join(tmpdir(), 'bedrock-introspect-coverage-'));
    const base = testProject(root);
    // The model checks features against the environments' PostgreSQL: target the server's major version.
    const project = {
      ...base,
      environments: base.environments.map((e) => ({
        ...e,
        postgresVersion: Math.floor(version / 10000),
      })),
    };
    const owners = new Map([
      ['accounts', 'datahub'],
      ['orders', 'datahub'],
    ]);
    const introspection = await introspect(db.client, {
      service: 'datahub',
      tables: ['accounts', 'orders'],
      owners,
    });
    const { source, unexpressed } = tableSource(introspection, {
      importFrom: LIBRARY,
      origin: 'coverage test',
    });
    const file = path.join(root, 'datahub-tables.ts');
    writeFileSync(file, source);
    console.log(source);
    expect(unexpressed).toEqual([]);
    expect(compileProblems(file)).toEqual([]);

    // What the written file says, in the words a reviewer reads.
    const written = readFileSync(file, 'utf8');
    for (const expected of [
      'generatedAlwaysAsIdentity()',
      'bigserial()',
      'char(8)',
      'uuid()',
      'inet()',
      'bytea()',
      'interval()',
      'date()',
      'time()',
      'timestamp()',
      'text().array()',
      'numeric(10, 2).array()',
      'boolean().array()',
      "{ column: 'createdAt', order: 'desc' }",
      "{ column: 'order', order: 'desc', nulls: 'last' }",
      "{ column: 'price', nulls: 'first' }",
      "{ column: 'attributes', opclass: 'jsonb_path_ops' }",
      "method: 'gin'",
      "method: 'hash'",
      "method: 'brin'",
      "include: ['status', 'order']",
      "onUpdate: 'cascade'",
      "onDelete: 'restrict'",
      "name: 'fk_orders_account'",
      'order: integer().notNull()',
      'createdAt: timestamptz().notNull()',
      "{ rule: 'BEDROCK-N1'",
      "{ rule: 'BEDROCK-N2'",
      ...(version >= 150000 ? ["{ name: 'uq_accounts_external', columns: ['external_id', 'nickname'], nullsNotDistinct: true }"] : []),
    ]) {
      expect(written).toContain(expected);
    }
    expect(written).not.toContain('public.');

    project.tables.datahub = loadTables(file, 'datahubTables');
    const model = modelOf(project, 'datahub');
    const orders = model.tables.find((t) => t.name === 'orders')!;
    expect(orders.comment).toBe(TABLE_COMMENT);
    expect(orders.columns.find((c) => c.name === 'createdAt')!.comment).toBe(COLUMN_COMMENT);
    expect(model.enums.find((e) => e.name === 'order_status')!.values).toEqual(['new', ENUM_LABEL, 'cancelled']);

    // As adopt reads them: each side's own schema (then public) on the path, names unqualified.
    const expected = await modelAsLive(db.client, model, { unqualified: true });
    await db.query('SET search_path = pg_catalog, public, pg_temp');
    const legacy = await readLegacyService(db.client, 'public', model);
    expect(legacy.outwardForeignKeys).toEqual([]);
    // Compared as PostgreSQL prints both, without relaxing anything: on 14 and 18 every check,
    // default and predicate the written model creates prints exactly as the legacy one does.
    const differences = schemaDifferences('datahub', expected, legacy.live);
    if (differences.length > 0) {
      // Where only the spelling of an expression differs, say so apart from real differences.
      await db.query('BEGIN');
      try {
        const equivalent = await withEquivalentExpressions(db.client, expected, legacy.live, (table) => ({ schema: 'public', table }));
        console.log(`${label}: differences that remain after the expression round trip:\n${schemaDifferences('datahub', expected, equivalent).join('\n') || '(none: only spelling)'}`);
      } finally {
        await db.query('ROLLBACK');
      }
    }
    expect(differences).toEqual([]);
  });

  test('everything the model cannot express is listed in unexpressed and in the header, never dropped silently', async () => {
    if (!available) {
      console.log(`${label} is not available on this machine`);
      return;
    }
    await db.query('SET search_path = public');
    await db.query(UNEXPRESSIBLE);
    await db.query('SET search_path = pg_catalog, pg_temp');
    const owners = new Map(UNEXPRESSIBLE_TABLES.map((t) => [t, 'portfolio']));
    const introspection = await introspect(db.client, {
      service: 'portfolio',
      tables: UNEXPRESSIBLE_TABLES,
      owners,
    });
    const { source, unexpressed } = tableSource(introspection, {
      importFrom: LIBRARY,
    });
    console.log(source);
    const missing = MUST_BE_SAID.filter(([, pattern]) => !unexpressed.some((u) => pattern.test(u))).map(([what]) => what);
    expect(missing).toEqual([]);
    // Each finding is in the header, one comment line each, before the import.
    const header = source.slice(0, source.indexOf('\nimport ')).split('\n');
    expect(header.every((line) => line.startsWith('//'))).toBe(true);
    expect(header).toContain('// NOT EXPRESSED: the model cannot say these; below they are left out or marked NOT EXPRESSED, never written as something else.');
    for (const finding of unexpressed) expect(header).toContain(`//   - ${tsComment(finding)}`);
    // The file still compiles: what it could not say is left out, and the rest stands.
    const root = mkdtempSync(path.join(tmpdir(), 'bedrock-introspect-unexpressed-'));
    const file = path.join(root, 'portfolio-tables.ts');
    writeFileSync(file, source);
    expect(compileProblems(file)).toEqual([]);
  });

  // What the header lists must not be written below as something else.
  test.each([
    ["a generated column's expression is not written as the column's default", (body: string) => expect(body).not.toContain("defaultSql('(price * (2)::numeric)')")],
    ['an index on an expression is not written as an index on no column', (body: string) => expect(body).not.toContain("{ name: 'ix_lower_name', columns: [] }")],
    [
      'a NOT VALID check is not written with "CHECK (...) NOT VALID" as its expression, only marked',
      (body: string) => {
        expect(body).not.toContain("expression: 'CHECK");
        expect(body).not.toMatch(/name: 'qty_positive'/);
        expect(body).toContain('// NOT EXPRESSED: constraint qty_positive is NOT VALID');
      },
    ],
  ])('%s', async (_what, check) => {
    if (!available) {
      console.log(`${label} is not available on this machine`);
      return;
    }
    // Runs after the test above created the tables.
    await db.query('SET search_path = pg_catalog, pg_temp');
    const owners = new Map(UNEXPRESSIBLE_TABLES.map((t) => [t, 'portfolio']));
    const introspection = await introspect(db.client, {
      service: 'portfolio',
      tables: UNEXPRESSIBLE_TABLES,
      owners,
    });
    const { source } = tableSource(introspection, { importFrom: LIBRARY });
    check(source.slice(source.indexOf('\nimport ')));
  });
});
