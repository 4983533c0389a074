// The differ as a pure function: before, after, the typed changes expected (kind and
// description, in the order they run), both ways. No database: the PostgreSQL round trips are
// in test/integration (schema-diff, differ-defects, differ.property).
import { ColumnModel, diffSchemas, KeyModel, renderChanges, schemaChange, ServiceSchema, SqlType, TableModel, UnsupportedChange } from '../../lib';

const int: SqlType = { kind: 'builtin', name: 'integer' };
const big: SqlType = { kind: 'builtin', name: 'bigint' };
const txt: SqlType = { kind: 'builtin', name: 'text' };
const varchar = (n: number, array?: true): SqlType => ({ kind: 'builtin', name: 'character varying', params: [n], ...(array ? { array } : {}) });
const side: SqlType = { kind: 'enum', schema: 's', name: 'side' };

const col = (name: string, type: SqlType = int, extra: Partial<ColumnModel> = {}): ColumnModel => ({ name, type, notNull: false, ...extra });
const key = (name: string, ...columns: string[]): KeyModel => ({ name, columns });

function table(name: string, columns: ColumnModel[], extra: Partial<TableModel> = {}): TableModel {
  return { schema: 's', name, columns, uniques: [], checks: [], indexes: [], foreignKeys: [], ...extra };
}

function schema(tables: TableModel[], sides?: string[]): ServiceSchema {
  return { service: 's', schema: 's', enums: sides ? [{ schema: 's', name: 'side', values: sides }] : [], tables };
}

/** `Kind: description` per change, as the differ orders them. */
const described = (changes: readonly { kind: string; description: string }[]): string[] => changes.map((c) => `${c.kind}: ${c.description}`);

const t = (columns: ColumnModel[], extra: Partial<TableModel> = {}) => schema([table('t', columns, extra)]);

const cases: [string, ServiceSchema, ServiceSchema, string[], string[]][] = [
  [
    'add a nullable column',
    t([col('a')]),
    t([col('a'), col('b', txt)]),
    ['AddColumn: add column s.t.b text'],
    ['DropColumn: drop column s.t.b'],
  ],
  [
    'index rename plus table comment: both in the summary',
    t([col('a')], { indexes: [{ name: 'i1', columns: [{ column: 'a' }], unique: false, method: 'btree' }] }),
    t([col('a')], { comment: 'T', indexes: [{ name: 'i2', columns: [{ column: 'a' }], unique: false, method: 'btree' }] }),
    ['RenameIndex: rename index i1 on s.t to i2', 'CommentOnTable: comment on table s.t'],
    ['RenameIndex: rename index i2 on s.t to i1', 'CommentOnTable: remove the comment of table s.t'],
  ],
  [
    'moving the primary key: the old key column is nullable again (a key implies NOT NULL)',
    t([col('a'), col('b')], { primaryKey: key('t_pkey', 'a') }),
    t([col('a'), col('b')], { primaryKey: key('t_pkey', 'b') }),
    ['DropConstraint: drop primary key t_pkey on s.t', 'DropNotNull: drop NOT NULL on s.t.a', 'SetNotNull: set NOT NULL on s.t.b', 'AddPrimaryKey: set primary key of s.t (b)'],
    ['DropConstraint: drop primary key t_pkey on s.t', 'SetNotNull: set NOT NULL on s.t.a', 'DropNotNull: drop NOT NULL on s.t.b', 'AddPrimaryKey: set primary key of s.t (a)'],
  ],
  [
    'notNull() dropped from a key column: nothing to do',
    t([col('a', int, { notNull: true })], { primaryKey: key('t_pkey', 'a') }),
    t([col('a')], { primaryKey: key('t_pkey', 'a') }),
    [],
    [],
  ],
  [
    'chained renames a->b, b->c: b->c first',
    t([col('a'), col('b', txt)]),
    t([col('b', int, { renamedFrom: 'a' }), col('c', txt, { renamedFrom: 'b' })]),
    ['RenameColumn: rename column s.t.b to c', 'RenameColumn: rename column s.t.a to b'],
    ['RenameColumn: rename column s.t.b to a', 'RenameColumn: rename column s.t.c to b'],
  ],
  [
    'rename a->b and a new column a: the down drops the new a before renaming back',
    t([col('a')]),
    t([col('b', int, { renamedFrom: 'a' }), col('a', txt)]),
    ['RenameColumn: rename column s.t.a to b', 'AddColumn: add column s.t.a text'],
    ['DropColumn: drop column s.t.a', 'RenameColumn: rename column s.t.b to a'],
  ],
  [
    'rename into a name that existed: its old holder is dropped first',
    t([col('a'), col('b', txt)]),
    t([col('b', int, { renamedFrom: 'a' })]),
    ['DropColumn: drop column s.t.b', 'RenameColumn: rename column s.t.a to b'],
    ['RenameColumn: rename column s.t.b to a', 'AddColumn: add column s.t.b text'],
  ],
  [
    'a rename hint left in the code after its migration (the snapshot carries it): no rename again',
    t([col('b', int, { renamedFrom: 'a' }), col('a', txt)]),
    t([col('b', int, { renamedFrom: 'a' }), col('a', txt)]),
    [],
    [],
  ],
  [
    'a hint an earlier migration applied, on a column renamed away now: the name is taken anew',
    t([col('c13', int, { renamedFrom: 'c5' }), col('c5', txt)]),
    t([col('c15', int, { renamedFrom: 'c13' }), col('c13', txt, { renamedFrom: 'c5' })]),
    ['RenameColumn: rename column s.t.c13 to c15', 'RenameColumn: rename column s.t.c5 to c13'],
    ['RenameColumn: rename column s.t.c13 to c5', 'RenameColumn: rename column s.t.c15 to c13'],
  ],
  [
    'the same hint as before, but its old name is gone from the code: a rename into a dropped name',
    t([col('c5', int, { renamedFrom: 'c3' }), col('c3', txt, { renamedFrom: 'c4' })]),
    t([col('c5', txt, { renamedFrom: 'c3' })]),
    ['DropColumn: drop column s.t.c5', 'RenameColumn: rename column s.t.c3 to c5'],
    ['RenameColumn: rename column s.t.c5 to c3', 'AddColumn: add column s.t.c5 integer'],
  ],
  [
    'hints an earlier migration applied, one freeing the other\'s name: still nothing to do',
    t([col('c17', int, { renamedFrom: 'c6' }), col('c6', int, { renamedFrom: 'c16' }), col('c16', txt)]),
    t([col('c17', int, { renamedFrom: 'c6' }), col('c6', int, { renamedFrom: 'c16' }), col('c16', txt)]),
    [],
    [],
  ],
  [
    'both sides of a foreign key retyped: the key is dropped before and added after (42804 otherwise)',
    schema([table('p', [col('a')], { primaryKey: key('p_pkey', 'a') }), table('c', [col('pa')], { foreignKeys: [{ name: 'c_pa_fkey', columns: ['pa'], references: { schema: 's', table: 'p', columns: ['a'] }, onDelete: 'no action', onUpdate: 'no action' }] })]),
    schema([table('p', [col('a', big)], { primaryKey: key('p_pkey', 'a') }), table('c', [col('pa', big)], { foreignKeys: [{ name: 'c_pa_fkey', columns: ['pa'], references: { schema: 's', table: 'p', columns: ['a'] }, onDelete: 'no action', onUpdate: 'no action' }] })]),
    ['DropForeignKey: drop foreign key c_pa_fkey on s.c', 'AlterColumnType: change type of s.p.a from integer to bigint', 'AlterColumnType: change type of s.c.pa from integer to bigint', 'AddForeignKey: add foreign key c_pa_fkey on s.c'],
    ['DropForeignKey: drop foreign key c_pa_fkey on s.c', 'AlterColumnType: change type of s.p.a from bigint to integer', 'AlterColumnType: change type of s.c.pa from bigint to integer', 'AddForeignKey: add foreign key c_pa_fkey on s.c'],
  ],
  [
    'an enum value removed, used as a default: the down rebuilds the type (an added value is unusable until commit)',
    { ...t([col('x', side, { default: { kind: 'literal', value: { kind: 'string', text: 'buy', cast: side } } })]), enums: [{ schema: 's', name: 'side', values: ['buy', 'sell'] }] },
    { ...t([col('x', side)]), enums: [{ schema: 's', name: 'side', values: ['sell'] }] },
    ["RebuildEnum: rebuild enum s.side with values 'sell'", 'DropDefault: drop default of s.t.x'],
    ["RebuildEnum: rebuild enum s.side with values 'buy', 'sell'", "SetDefault: set default of s.t.x"],
  ],
  [
    'rename a table and add a new one under its old name',
    schema([table('t', [col('a')], { primaryKey: key('t_pkey', 'a') })]),
    schema([table('u', [col('a')], { primaryKey: key('u_pkey', 'a'), renamedFrom: 't' }), table('t', [col('x')])]),
    ['RenameTable: rename table s.t to u', 'RenameConstraint: rename constraint t_pkey on s.u to u_pkey', 'CreateTable: create table s.t'],
    ['DropTable: drop table s.t', 'RenameTable: rename table s.u to t', 'RenameConstraint: rename constraint u_pkey on s.t to t_pkey'],
  ],
  [
    'widening an array element type keeps values and is no data loss',
    t([col('a', varchar(10, true))]),
    t([col('a', varchar(20, true))]),
    ['AlterColumnType: change type of s.t.a from character varying(10)[] to character varying(20)[]'],
    ['AlterColumnType: change type of s.t.a from character varying(20)[] to character varying(10)[]'],
  ],
  [
    'an enum value added',
    { ...t([col('x', side)]), enums: [{ schema: 's', name: 'side', values: ['buy', 'sell'] }] },
    { ...t([col('x', side)]), enums: [{ schema: 's', name: 'side', values: ['buy', 'hold', 'sell'] }] },
    ["AddEnumValue: add value 'hold' to enum s.side"],
    ["RebuildEnum: rebuild enum s.side with values 'buy', 'sell'"],
  ],
  [
    'the enum rebuild drops and re-creates a check comparing the column with a label',
    { ...t([col('x', side)], { checks: [{ name: 'c', expression: "x <> 'sell'" }] }), enums: [{ schema: 's', name: 'side', values: ['buy', 'sell'] }] },
    { ...t([col('x', side)], { checks: [{ name: 'c', expression: "x <> 'sell'" }] }), enums: [{ schema: 's', name: 'side', values: ['buy', 'hold', 'sell'] }] },
    ["AddEnumValue: add value 'hold' to enum s.side"],
    ['DropConstraint: drop check constraint c on s.t', "RebuildEnum: rebuild enum s.side with values 'buy', 'sell'", 'AddCheck: add check constraint c on s.t'],
  ],
  [
    'moving a key another table references: its foreign key is dropped and added around it',
    schema([
      table('p', [col('a'), col('b')], { primaryKey: key('p_pkey', 'a'), uniques: [] }),
      table('c', [col('pa')], { foreignKeys: [{ name: 'c_pa_fkey', columns: ['pa'], references: { schema: 's', table: 'p', columns: ['a'] }, onDelete: 'no action', onUpdate: 'no action' }] }),
    ]),
    schema([
      table('p', [col('a', int, { notNull: true }), col('b')], { primaryKey: key('p_pkey', 'b'), uniques: [key('p_a_key', 'a')] }),
      table('c', [col('pa')], { foreignKeys: [{ name: 'c_pa_fkey', columns: ['pa'], references: { schema: 's', table: 'p', columns: ['a'] }, onDelete: 'no action', onUpdate: 'no action' }] }),
    ]),
    [
      'DropForeignKey: drop foreign key c_pa_fkey on s.c',
      'DropConstraint: drop primary key p_pkey on s.p',
      'SetNotNull: set NOT NULL on s.p.b',
      'AddPrimaryKey: set primary key of s.p (b)',
      'AddUnique: add unique constraint p_a_key on s.p',
      'AddForeignKey: add foreign key c_pa_fkey on s.c',
    ],
    [
      'DropForeignKey: drop foreign key c_pa_fkey on s.c',
      'DropConstraint: drop primary key p_pkey on s.p',
      'DropConstraint: drop unique constraint p_a_key on s.p',
      'DropNotNull: drop NOT NULL on s.p.b',
      'AddPrimaryKey: set primary key of s.p (a)',
      'AddForeignKey: add foreign key c_pa_fkey on s.c',
    ],
  ],
];

describe.each(cases)('%s', (_label, before, after, up, down) => {
  // The differ reads check expressions with the parser, which loads before each test.
  test('up', () => expect(described(diffSchemas(before, after).up)).toEqual(up));
  test('down', () => expect(described(diffSchemas(before, after).down)).toEqual(down));
  test('the summary is one line per change', () => {
    const diff = diffSchemas(before, after);
    expect(schemaChange(diff).summary).toEqual(diff.up.map((c) => c.description));
  });
});

describe('facts each change carries', () => {
  test('data loss: a dropped column, a narrowed type; not a widening', () => {
    const { up } = diffSchemas(t([col('a', big), col('b')]), t([col('a', int)]));
    expect(up.map((c) => c.dataLoss)).toEqual([
      'drop column s.t.b and its data',
      'change s.t.a from bigint to integer (values that do not fit are cut, rounded or refused)',
    ]);
    expect(diffSchemas(t([col('a', int)]), t([col('a', big)])).up[0].dataLoss).toBeUndefined();
  });

  test('lock and table work', () => {
    const facts = (before: ServiceSchema, after: ServiceSchema) => diffSchemas(before, after).up.map((c) => [c.kind, c.lock, c.work]);
    expect(facts(t([col('a', varchar(10))]), t([col('a', varchar(20))]))).toEqual([['AlterColumnType', 'ACCESS EXCLUSIVE', 'none']]);
    expect(facts(t([col('a', int)]), t([col('a', big)]))).toEqual([['AlterColumnType', 'ACCESS EXCLUSIVE', 'rewrite']]);
    expect(facts(t([col('a')]), t([col('a', int, { notNull: true })]))).toEqual([['SetNotNull', 'ACCESS EXCLUSIVE', 'scan']]);
    expect(facts(t([col('a')]), t([col('a')], { indexes: [{ name: 'i', columns: [{ column: 'a' }], unique: false, method: 'btree' }] }))).toEqual([['CreateIndex', 'SHARE', 'scan']]);
  });

  test('a rename cycle is refused, naming the renames', () => {
    expect(() => diffSchemas(t([col('a'), col('b')]), t([col('b', int, { renamedFrom: 'a' }), col('a', int, { renamedFrom: 'b' })]))).toThrow(
      new UnsupportedChange('s.t: the renames a -> b, b -> a form a cycle: rename through a new name in one migration, then on in the next'),
    );
  });

  test('a new NOT NULL column needs a default; the down of dropping one re-adds it as it was', () => {
    expect(() => diffSchemas(t([col('a')]), t([col('a'), col('b', int, { notNull: true })]))).toThrow(/NOT NULL without a default/);
    const { down } = diffSchemas(t([col('a'), col('b', int, { notNull: true })]), t([col('a')]));
    expect(renderChanges(down)).toEqual(['ALTER TABLE "s"."t" ADD COLUMN "b" integer NOT NULL;']);
  });

  test('the same models give the same changes', () => {
    const [, before, after] = cases[cases.length - 1];
    expect(diffSchemas(before, after)).toEqual(diffSchemas(before, after));
  });
});
