// The online forms as steps, per change kind, both ways: what runs in which transaction and what
// runs alone outside one. No database here: test/integration/online-forms.test.ts runs them on
// PostgreSQL 18 and 14 under a write load.
import { ColumnModel, diffSchemas, KeyModel, schemaChange, ServiceSchema, SqlType, TableModel } from '../../lib';
import { formatMigration, parseMigration } from '../../lib/migrations/migration-file';
import { loadSqlParser } from '../../lib/sql/parser';

beforeAll(loadSqlParser);

const int: SqlType = { kind: 'builtin', name: 'integer' };
const big: SqlType = { kind: 'builtin', name: 'bigint' };
const col = (name: string, type: SqlType = int, extra: Partial<ColumnModel> = {}): ColumnModel => ({ name, type, notNull: false, ...extra });
const key = (name: string, ...columns: string[]): KeyModel => ({ name, columns });
const table = (name: string, columns: ColumnModel[], extra: Partial<TableModel> = {}): TableModel => ({ schema: 's', name, columns, uniques: [], checks: [], indexes: [], foreignKeys: [], ...extra });
const schema = (...tables: TableModel[]): ServiceSchema => ({ service: 's', schema: 's', enums: [], tables });
const index = { name: 't_a_idx', columns: [{ column: 'a' }], unique: false, method: 'btree' as const };

/** Each step as `<mode>: statement | statement`. */
function steps(before: ServiceSchema, after: ServiceSchema): { up: string[]; down: string[] } {
  const change = schemaChange(diffSchemas(before, after));
  const show = (list: typeof change.upSteps) => list.map((s) => `${s.mode}: ${s.statements.join(' | ')}`);
  return { up: show(change.upSteps), down: show(change.downSteps) };
}

const base = table('t', [col('id', big, { notNull: true }), col('a')], { primaryKey: key('t_pkey', 'id') });

test('an index on an existing table is built and dropped CONCURRENTLY, each alone outside a transaction', () => {
  expect(steps(schema(base), schema({ ...base, indexes: [index] }))).toEqual({
    up: ['outside transaction: CREATE INDEX CONCURRENTLY "t_a_idx" ON "s"."t" USING btree ("a");'],
    down: ['outside transaction: DROP INDEX CONCURRENTLY "s"."t_a_idx";'],
  });
});

test('a check: added NOT VALID, then validated in a transaction of its own; the down drops it', () => {
  expect(steps(schema(base), schema({ ...base, checks: [{ name: 't_a_check', expression: 'a > 0' }] }))).toEqual({
    up: ['transaction: ALTER TABLE "s"."t" ADD CONSTRAINT "t_a_check" CHECK (a > 0) NOT VALID;', 'transaction: ALTER TABLE "s"."t" VALIDATE CONSTRAINT "t_a_check";'],
    down: ['transaction: ALTER TABLE "s"."t" DROP CONSTRAINT "t_a_check";'],
  });
});

test('a foreign key between existing tables: NOT VALID, then VALIDATE', () => {
  const parent = table('p', [col('id', int, { notNull: true })], { primaryKey: key('p_pkey', 'id') });
  const fk = { name: 't_a_fkey', columns: ['a'], references: { schema: 's', table: 'p', columns: ['id'] }, onDelete: 'no action' as const, onUpdate: 'no action' as const };
  expect(steps(schema(parent, base), schema(parent, { ...base, foreignKeys: [fk] })).up).toEqual([
    'transaction: ALTER TABLE "s"."t" ADD CONSTRAINT "t_a_fkey" FOREIGN KEY ("a") REFERENCES "s"."p" ("id") ON DELETE NO ACTION ON UPDATE NO ACTION NOT VALID;',
    'transaction: ALTER TABLE "s"."t" VALIDATE CONSTRAINT "t_a_fkey";',
  ]);
});

test('SET NOT NULL: a NOT VALID check, validated, then SET NOT NULL (no scan) and the check dropped; the down is brief', () => {
  expect(steps(schema(base), schema(table('t', [col('id', big, { notNull: true }), col('a', int, { notNull: true })], { primaryKey: key('t_pkey', 'id') })))).toEqual({
    up: [
      'transaction: ALTER TABLE "s"."t" ADD CONSTRAINT "t_a_not_null_check" CHECK ("a" IS NOT NULL) NOT VALID;',
      'transaction: ALTER TABLE "s"."t" VALIDATE CONSTRAINT "t_a_not_null_check";',
      'transaction: ALTER TABLE "s"."t" ALTER COLUMN "a" SET NOT NULL; | ALTER TABLE "s"."t" DROP CONSTRAINT "t_a_not_null_check";',
    ],
    down: ['transaction: ALTER TABLE "s"."t" ALTER COLUMN "a" DROP NOT NULL;'],
  });
});

test('a unique key on an existing table: a unique index built CONCURRENTLY, then the constraint USING it; NULLS NOT DISTINCT kept', () => {
  expect(steps(schema(base), schema({ ...base, uniques: [{ ...key('t_a_key', 'a'), nullsNotDistinct: true }] }))).toEqual({
    up: ['outside transaction: CREATE UNIQUE INDEX CONCURRENTLY "t_a_key" ON "s"."t" USING btree ("a") NULLS NOT DISTINCT;', 'transaction: ALTER TABLE "s"."t" ADD CONSTRAINT "t_a_key" UNIQUE USING INDEX "t_a_key";'],
    down: ['transaction: ALTER TABLE "s"."t" DROP CONSTRAINT "t_a_key";'],
  });
});

test('moving a primary key: the new key column is made NOT NULL online before the key is built from its index', () => {
  const moved = table('t', [col('id', big, { notNull: true }), col('a')], { primaryKey: key('t_pkey', 'a') });
  expect(steps(schema(base), schema(moved)).up).toEqual([
    'transaction: ALTER TABLE "s"."t" DROP CONSTRAINT "t_pkey"; | ALTER TABLE "s"."t" ADD CONSTRAINT "t_a_not_null_check" CHECK ("a" IS NOT NULL) NOT VALID;',
    'transaction: ALTER TABLE "s"."t" VALIDATE CONSTRAINT "t_a_not_null_check";',
    'transaction: ALTER TABLE "s"."t" ALTER COLUMN "a" SET NOT NULL; | ALTER TABLE "s"."t" DROP CONSTRAINT "t_a_not_null_check";',
    'outside transaction: CREATE UNIQUE INDEX CONCURRENTLY "t_pkey" ON "s"."t" USING btree ("a");',
    'transaction: ALTER TABLE "s"."t" ADD CONSTRAINT "t_pkey" PRIMARY KEY USING INDEX "t_pkey";',
  ]);
});

test('a table created in the same migration keeps the plain forms, in one transaction', () => {
  const created = { ...base, indexes: [index], checks: [{ name: 't_a_check', expression: 'a > 0' }] };
  expect(steps(schema(), schema(created)).up).toEqual([expect.stringMatching(/^transaction: CREATE TABLE "s"\."t" \([^|]*\); \| CREATE INDEX "t_a_idx" ON "s"\."t" USING btree \("a"\);$/)]);
});

test('a type change that rewrites is an offline step, and the file header says so with its lock', () => {
  const change = schemaChange(diffSchemas(schema(base), schema(table('t', [col('id', big, { notNull: true }), col('a', { kind: 'builtin', name: 'text' })], { primaryKey: key('t_pkey', 'id') }))));
  expect(change.upSteps.map((s) => s.mode)).toEqual(['offline']);
  expect(change.offline).toEqual(['change type of s.t.a from integer to text: ACCESS EXCLUSIVE while it rewrites the table (blocks reads and writes until it ends)']);
  const text = formatMigration({ id: '20260101_000000_s_x', service: 's', summary: change.summary, destructive: change.destructive, offline: change.offline, offlineDown: change.offlineDown, up: change.upSteps, down: change.downSteps });
  expect(text).toContain('-- Not online (a table with rows is locked for reads and writes while it runs; the environment may refuse it above offlineChangeMaxRows):\n--   change type of s.t.a');
  expect(text).toContain('-- +up\n-- +step offline\nALTER TABLE "s"."t" ALTER COLUMN "a" TYPE text');
});

test('a widening that PostgreSQL makes in place is not offline', () => {
  const change = schemaChange(diffSchemas(schema(table('t', [col('a', { kind: 'builtin', name: 'character varying', params: [5] })])), schema(table('t', [col('a', { kind: 'builtin', name: 'character varying', params: [9] })]))));
  expect(change.offline).toEqual([]);
  expect(change.upSteps.map((s) => s.mode)).toEqual(['transaction']);
});

test('the file written with steps reads back as the same steps', () => {
  const change = schemaChange(diffSchemas(schema(base), schema({ ...base, indexes: [index], checks: [{ name: 't_a_check', expression: 'a > 0' }] })));
  const text = formatMigration({ id: '20260101_000000_s_x', service: 's', summary: change.summary, destructive: [], up: change.upSteps, down: change.downSteps });
  const migration = parseMigration('20260101_000000_s_x.sql', text);
  expect(migration.upSteps.map((s) => [s.mode, s.sql])).toEqual(change.upSteps.map((s) => [s.mode, s.statements.join('\n')]));
  expect(migration.downSteps.map((s) => [s.mode, s.sql])).toEqual(change.downSteps.map((s) => [s.mode, s.statements.join('\n')]));
});

test('a new identity or serial column, or one with a volatile default, on an existing table is offline (every row is written); on a new table it is not', () => {
  const withColumn = (column: ColumnModel) => schema(table('t', [...base.columns, column], { primaryKey: base.primaryKey }));
  for (const column of [col('n', big, { identity: 'always' }), col('n', big, { serial: true }), col('n', { kind: 'builtin', name: 'double precision' }, { default: { kind: 'expression', sql: 'random()' } })]) {
    const change = schemaChange(diffSchemas(schema(base), withColumn(column)));
    expect(change.upSteps.map((s) => s.mode)).toEqual(['offline']);
    expect(change.offline).toEqual([expect.stringMatching(/^add column s\.t\.n .*: ACCESS EXCLUSIVE while it rewrites the table/)]);
  }
  const stable = schemaChange(diffSchemas(schema(base), withColumn(col('at', { kind: 'builtin', name: 'timestamp with time zone' }, { default: { kind: 'expression', sql: 'now()' } }))));
  expect(stable.offline).toEqual([]);
  expect(schemaChange(diffSchemas(schema(), withColumn(col('n', big, { identity: 'always' })))).offline).toEqual([]);
});
