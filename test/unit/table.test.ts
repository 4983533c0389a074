// The Table construct: the model it resolves to, and every bad input refused with an error
// that names the construct and the fix.
import { bigint, EnumType, integer, jsonb, numeric, ServiceStack, Table, text, timestamptz, uuid, varchar } from '../../lib';
import { serviceStack } from '../support/app';

function klines(stack: ServiceStack) {
  return new Table(stack, 'klines', {
    comment: 'Candles',
    columns: {
      id: bigint().generatedAlwaysAsIdentity(),
      symbol: varchar(32).notNull().comment('Exchange symbol'),
      open_time: timestamptz().notNull(),
      high: numeric(30, 12).notNull(),
      low: numeric(30, 12).notNull(),
      payload: jsonb(),
    },
    primaryKey: ['id'],
    uniques: [{ columns: ['symbol', 'open_time'] }],
    checks: [{ name: 'klines_high_gte_low', expression: 'high >= low' }],
    indexes: [
      { columns: ['open_time'], method: 'brin' },
      { name: 'klines_recent', columns: ['symbol', { column: 'open_time', order: 'desc', nulls: 'last' }], where: 'high > 0' },
      { columns: [{ column: 'payload', opclass: 'jsonb_path_ops' }], method: 'gin' },
    ],
  });
}

function errorOf(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('Table model', () => {
  test('resolves columns, keys, checks, indexes and comments with PostgreSQL-style default names', () => {
    const { stack } = serviceStack();
    const model = klines(stack).toModel();
    expect(model).toMatchObject({
      schema: 'datahub',
      name: 'klines',
      comment: 'Candles',
      primaryKey: { name: 'klines_pkey', columns: ['id'] },
      uniques: [{ name: 'klines_symbol_open_time_key', columns: ['symbol', 'open_time'] }],
      checks: [{ name: 'klines_high_gte_low', expression: 'high >= low' }],
      indexes: [
        { name: 'klines_open_time_idx', method: 'brin', unique: false, columns: [{ column: 'open_time' }] },
        { name: 'klines_recent', method: 'btree', where: 'high > 0', columns: [{ column: 'symbol' }, { column: 'open_time', order: 'desc', nulls: 'last' }] },
        { name: 'klines_payload_idx', method: 'gin', columns: [{ column: 'payload', opclass: 'jsonb_path_ops' }] },
      ],
      foreignKeys: [],
    });
    expect(model.columns.map((c) => c.name)).toEqual(['id', 'symbol', 'open_time', 'high', 'low', 'payload']);
    expect(model.columns[1]).toEqual({ name: 'symbol', type: { kind: 'builtin', name: 'character varying', params: [32] }, notNull: true, comment: 'Exchange symbol' });
  });

  test('exposes its owner, schema and qualified name', () => {
    const { stack } = serviceStack('portfolio');
    const table = new Table(stack, 'positions', { columns: { id: bigint() } });
    expect([table.service, table.schema, table.name, table.qualifiedName]).toEqual(['portfolio', 'portfolio', 'positions', 'portfolio.positions']);
  });

  test('a foreign key to a key of another table in the service', () => {
    const { stack } = serviceStack('portfolio');
    const positions = new Table(stack, 'positions', { columns: { id: bigint().generatedAlwaysAsIdentity() }, primaryKey: ['id'] });
    const trades = new Table(stack, 'trades', {
      columns: { id: bigint(), position_id: bigint().notNull() },
      foreignKeys: [{ columns: ['position_id'], references: positions.ref('id'), onDelete: 'cascade' }],
    });
    expect(trades.toModel().foreignKeys).toEqual([
      {
        name: 'trades_position_id_fkey',
        columns: ['position_id'],
        references: { schema: 'portfolio', table: 'positions', columns: ['id'] },
        onDelete: 'cascade',
        onUpdate: 'no action',
      },
    ]);
  });

  test('a table outside a ServiceStack is refused', () => {
    const { app } = serviceStack();
    expect(errorOf(() => new Table(app, 'orphan', { columns: { id: bigint() } }))).toBe(
      'orphan: a Table must be defined inside a ServiceStack (the service that owns it)',
    );
  });
});

describe('bad input is refused with the construct path and the fix', () => {
  const cases: [string, (stack: ServiceStack) => unknown, string[]][] = [
    ['table name not snake_case', (s) => new Table(s, 'KLines', { columns: { id: bigint() } }), ['[test-datahub/KLines] [BEDROCK-N1] table name: "KLines" is not snake_case', 'e.g. "klines"']],
    ['column name not snake_case', (s) => new Table(s, 'klines', { columns: { openTime: bigint() } }), ['column name: "openTime" is not snake_case', 'e.g. "open_time"']],
    ['over-long table name', (s) => new Table(s, 'x'.repeat(64), { columns: { id: bigint() } }), ['is 64 bytes long; PostgreSQL truncates names to 63 bytes: choose a shorter name']],
    ['over-long column name', (s) => new Table(s, 'klines', { columns: { ['c'.repeat(70)]: bigint() } }), ['column name: "cccc', 'is 70 bytes long']],
    ['reserved table name', (s) => new Table(s, 'user', { columns: { id: bigint() } }), ['[BEDROCK-N2] table name: "user" is a reserved word in PostgreSQL: choose another name (e.g. "user_value")']],
    ['reserved column name', (s) => new Table(s, 'orders', { columns: { order: bigint() } }), ['column name: "order" is a reserved word']],
    ['reserved constraint name', (s) => new Table(s, 'orders', { columns: { id: bigint() }, checks: [{ name: 'check', expression: 'id > 0' }] }), ['check constraint name: "check" is a reserved word']],
    ['no columns', (s) => new Table(s, 'empty', { columns: {} }), ['a table needs at least one column']],
    [
      'unknown column in an index',
      (s) => new Table(s, 'klines', { columns: { id: bigint(), symbol: text() }, indexes: [{ columns: ['symbl' as 'symbol'] }] }),
      ['test-datahub/klines: index 1: there is no column "symbl" (columns: id, symbol)'],
    ],
    ['unknown column in the primary key', (s) => new Table(s, 'klines', { columns: { id: bigint() }, primaryKey: ['ident' as 'id'] }), ['primary key: there is no column "ident"']],
    ['unknown column in a unique constraint', (s) => new Table(s, 'klines', { columns: { id: bigint() }, uniques: [{ name: 'u', columns: ['nope' as 'id'] }] }), ['unique constraint u: there is no column "nope"']],
    ['duplicate column in a key', (s) => new Table(s, 'klines', { columns: { id: bigint(), symbol: text() }, primaryKey: ['id', 'symbol', 'id'] }), ['primary key: column "id" is listed twice']],
    ['numeric scale above precision', (s) => new Table(s, 'klines', { columns: { price: numeric(8, 18) } }), ['column "price": numeric(8, 18): the scale must be a whole number from 0 to the precision (8); e.g. numeric(18, 8)']],
    ['numeric precision zero', (s) => new Table(s, 'klines', { columns: { price: numeric(0, 0) } }), ['precision must be a whole number from 1 to 1000']],
    ['varchar length zero', (s) => new Table(s, 'klines', { columns: { code: varchar(0) } }), ['character varying(0): the length must be a whole number from 1']],
    ['default that does not fit', (s) => new Table(s, 'klines', { columns: { trade_count: integer().default('many') } }), ['column "trade_count": default "many" does not fit type integer: expected a whole number']],
    ['invalid check expression', (s) => new Table(s, 'klines', { columns: { id: bigint() }, checks: [{ name: 'klines_bad', expression: 'id >' }] }), ['check constraint "klines_bad": it is not a valid SQL expression']],
    ['statement smuggled into a partial index', (s) => new Table(s, 'klines', { columns: { id: bigint() }, indexes: [{ columns: ['id'], where: 'true); DROP TABLE klines; --' }] }), ['index 1 where:']],
    ['unique hash index', (s) => new Table(s, 'klines', { columns: { id: bigint() }, indexes: [{ columns: ['id'], method: 'hash', unique: true }] }), ['only btree indexes can be unique']],
    ['gin on a scalar without opclass', (s) => new Table(s, 'klines', { columns: { symbol: text() }, indexes: [{ columns: ['symbol'], method: 'gin' }] }), ['a GIN index needs a jsonb or array column, or an opclass (e.g. gin_trgm_ops): "symbol" is text']],
    ['two indexes with one name', (s) => new Table(s, 'klines', { columns: { a: bigint(), b: bigint() }, indexes: [{ name: 'k_idx', columns: ['a'] }, { name: 'k_idx', columns: ['b'] }] }), ['the name "k_idx" is used by two constraints or indexes']],
    ['default name too long', (s) => new Table(s, 'a'.repeat(30), { columns: { ['b'.repeat(30)]: bigint() }, indexes: [{ columns: ['b'.repeat(30) as never] }] }), ['is invalid', 'give it a `name`']],
    ['nulls not distinct on PostgreSQL 14', (s) => new Table(s, 'klines', { columns: { a: bigint() }, uniques: [{ columns: ['a'], nullsNotDistinct: true }] }), ['nullsNotDistinct needs PostgreSQL 15, and this environment targets 14']],
    ['empty comment', (s) => new Table(s, 'klines', { columns: { a: bigint().comment(' ') } }), ['column "a": the comment is empty']],
  ];

  // Unusable input fails at construction; names off the convention fail synth through the
  // rule pack (they may be acknowledged). Either way the message names the construct.
  test.each(cases)('%s', (_label, build, fragments) => {
    const { app, stack } = serviceStack();
    const message = errorOf(() => {
      build(stack);
      app.synth();
    });
    expect(message).toContain('test-datahub/');
    for (const fragment of fragments) expect(message).toContain(fragment);
  });

  test('every problem of a table is reported at once', () => {
    const { stack } = serviceStack();
    const message = errorOf(() => new Table(stack, 'klines', { columns: { ['b'.repeat(64)]: bigint(), price: numeric(2, 3), n: integer().default(1.5) } }));
    expect(message.split('\n')).toHaveLength(4);
  });

  test('foreign key problems: count, type, target key', () => {
    const { stack } = serviceStack('portfolio');
    const positions = new Table(stack, 'positions', { columns: { id: bigint(), code: text(), account_id: uuid() }, primaryKey: ['id'] });
    expect(errorOf(() => new Table(stack, 'a', { columns: { position_id: integer() }, foreignKeys: [{ columns: ['position_id'], references: positions.ref('id') }] }))).toContain(
      'foreign key 1: "position_id" is integer but portfolio.positions.id is bigint; make the types equal',
    );
    expect(errorOf(() => new Table(stack, 'b', { columns: { code: text() }, foreignKeys: [{ columns: ['code'], references: positions.ref('code') }] }))).toContain(
      'portfolio.positions(code) is neither its primary key nor a unique constraint',
    );
    expect(errorOf(() => new Table(stack, 'c', { columns: { x: bigint() }, foreignKeys: [{ columns: ['x'], references: positions.ref('id', 'code') }] }))).toContain(
      '1 column(s) reference 2 column(s) of portfolio.positions',
    );
  });

  test('the same relation name twice in one schema fails synth', () => {
    const { app, stack } = serviceStack();
    new Table(stack, 'klines', { columns: { id: bigint() }, indexes: [{ name: 'shared_name', columns: ['id'] }] });
    new Table(stack, 'shared_name', { columns: { id: bigint() } });
    expect(() => app.synth()).toThrow(/the name "shared_name" is used by the index of klines and the table shared_name/);
  });

  test('enum types validate their name and values', () => {
    const { stack } = serviceStack();
    expect(errorOf(() => new EnumType(stack, 'Side', { values: [] }))).toMatch(/test-datahub\/Side:\n {2}- enum name: "Side" is not snake_case.*\n {2}- an enum needs at least one value/);
    expect(errorOf(() => new EnumType(stack, 'side', { values: ['buy', 'buy'] }))).toBe('test-datahub/side: enum value "buy" is listed twice');
  });
});
