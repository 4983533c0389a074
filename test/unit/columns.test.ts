// Column types: their SQL spelling, and which literal defaults fit them.
import {
  bigint, bigserial, boolean, bytea, char, date, doublePrecision, inet, integer, interval, json, jsonb,
  numeric, real, serial, smallint, Table, text, time, timestamp, timestamptz, uuid, varchar, EnumType, Column, renderType, renderDefault,
} from '../../lib';
import { serviceStack } from '../support/app';

function columnModel(column: Column) {
  const { stack } = serviceStack();
  return new Table(stack, 'probe', { columns: { value: column } }).toModel().columns[0];
}

function defaultProblem(column: Column): string {
  try {
    columnModel(column);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the default to be refused');
}

describe('column types', () => {
  test.each([
    [smallint(), 'smallint'],
    [integer(), 'integer'],
    [bigint(), 'bigint'],
    [serial(), 'serial'],
    [bigserial(), 'bigserial'],
    [numeric(20, 8), 'numeric(20,8)'],
    [numeric(), 'numeric'],
    [real(), 'real'],
    [doublePrecision(), 'double precision'],
    [boolean(), 'boolean'],
    [text(), 'text'],
    [varchar(64), 'character varying(64)'],
    [char(3), 'character(3)'],
    [date(), 'date'],
    [time(), 'time without time zone'],
    [timestamp(), 'timestamp without time zone'],
    [timestamptz(), 'timestamp with time zone'],
    [interval(), 'interval'],
    [uuid(), 'uuid'],
    [jsonb(), 'jsonb'],
    [json(), 'json'],
    [bytea(), 'bytea'],
    [inet(), 'inet'],
    [text().array(), 'text[]'],
    [numeric(10, 2).array(), 'numeric(10,2)[]'],
  ])('type %#', (column, sql) => {
    expect(renderType(columnModel(column).type)).toBe(sql);
  });

  test('columns are nullable unless notNull() is called; identity and serial are always NOT NULL', () => {
    expect(columnModel(text()).notNull).toBe(false);
    expect(columnModel(text().notNull()).notNull).toBe(true);
    expect(columnModel(bigint().generatedAlwaysAsIdentity())).toMatchObject({ notNull: true, identity: 'always' });
    expect(columnModel(integer().generatedByDefaultAsIdentity())).toMatchObject({ notNull: true, identity: 'by default' });
    expect(columnModel(serial())).toMatchObject({ notNull: true, serial: true });
  });

  test('enum columns use the enum type of the owning schema', () => {
    const { stack } = serviceStack();
    const side = new EnumType(stack, 'trade_side', { values: ['buy', 'sell'] });
    const table = new Table(stack, 'trades', { columns: { side: side.column().notNull().default('buy') } });
    const [column] = table.toModel().columns;
    const type = { kind: 'enum', schema: 'datahub', name: 'trade_side' };
    expect(column).toMatchObject({ type, default: { kind: 'literal', value: { kind: 'string', text: 'buy', cast: type } } });
    expect([renderType(column.type), renderDefault(column.default!)]).toEqual(['"datahub"."trade_side"', `'buy'::"datahub"."trade_side"`]);
  });
});

describe('literal defaults are checked against the type and quoted', () => {
  test.each([
    [integer().default(42), '42'],
    [bigint().default(9007199254740993n), '9007199254740993'],
    [smallint().default(-32768), '-32768'],
    [numeric(10, 2).default(12.5), '12.5'],
    [numeric(10, 2).default('-99999999.99'), '-99999999.99'],
    [real().default(1.5), '1.5'],
    [boolean().default(false), 'false'],
    [text().default("it's"), `'it''s'::text`],
    [text().default('back\\slash'), `E'back\\\\slash'::text`],
    [varchar(5).default('héllo'), `'héllo'::character varying(5)`],
    [date().default('2025-01-09'), `'2025-01-09'::date`],
    [time().default('12:30:00'), `'12:30:00'::time without time zone`],
    [timestamp().default('2025-01-09 12:00:00'), `'2025-01-09 12:00:00'::timestamp without time zone`],
    [timestamptz().default(new Date('2025-01-09T12:00:00Z')), `'2025-01-09T12:00:00.000Z'::timestamp with time zone`],
    [interval().default('6 hours'), `'6 hours'::interval`],
    [uuid().default('0B6A2C9E-5F51-4F5E-9D0C-3B1F2D9C4E7A'), `'0b6a2c9e-5f51-4f5e-9d0c-3b1f2d9c4e7a'::uuid`],
    [jsonb().default({ a: "b'c" }), `'{"a":"b''c"}'::jsonb`],
    [bytea().default(Buffer.from([0xde, 0xad])), `E'\\\\xdead'::bytea`],
    [inet().default('10.0.0.0/8'), `'10.0.0.0/8'::inet`],
    [text().array().default([]), `'{}'::text[]`],
    [integer().array().default([1, null, 3]), 'ARRAY[1, NULL, 3]::integer[]'],
    [timestamptz().defaultSql('now()'), 'now()'],
  ])('default %#', (column, sql) => {
    // The default is data; rendered, it is the SQL the type's literal() wrote.
    expect(renderDefault(columnModel(column).default!)).toBe(sql);
  });

  test.each([
    [integer().default(2147483648), 'integer holds -2147483648 to 2147483647'],
    [smallint().default(1.5), 'expected a whole number'],
    [integer().default('12abc'), 'expected a whole number'],
    [numeric(5, 2).default(1234.5), 'numeric(5,2) allows 3 digit(s) before the decimal point'],
    [numeric(5, 2).default('1.234'), 'keeps 2 decimal place(s); PostgreSQL would round the value'],
    [numeric(5, 2).default(Number.NaN), 'expected a finite number or a decimal string'],
    [boolean().default('true'), 'expected true or false'],
    [varchar(3).default('toolong'), 'it has 7 characters and character varying(3) holds 3'],
    [char(2).default('abc'), 'holds 2'],
    [text().default(42), 'expected a string'],
    [date().default('2025-02-30'), 'expected a date such as "2025-01-09"'],
    [timestamp().default('2025-01-09T12:00:00Z'), 'expected a timestamp without zone'],
    [timestamptz().default('2025-01-09 12:00:00'), 'expected a timestamp with zone'],
    [interval().default('soon'), 'expected an interval'],
    [uuid().default('not-a-uuid'), 'expected a UUID'],
    [inet().default('10.0.0.256'), 'expected an IP address'],
    [jsonb().default(undefined), 'cannot be serialized as JSON'],
    [bytea().default('dead'), 'expected a Buffer'],
    [integer().array().default([1, 'x']), 'element 1 ("x"): expected a whole number'],
    [text().default('nul\u0000byte'), 'cannot contain the NUL character'],
  ])('bad default %#', (column, message) => {
    const error = defaultProblem(column);
    expect(error).toContain('column "value": default');
    expect(error).toContain(message);
  });

  test('an enum default must be one of its values', () => {
    const { stack } = serviceStack();
    const side = new EnumType(stack, 'trade_side', { values: ['buy', 'sell'] });
    expect(() => new Table(stack, 'trades', { columns: { side: side.column().default('hold') } })).toThrow(
      'test-datahub/trades: column "side": default "hold" does not fit type "datahub"."trade_side": expected one of "buy", "sell"',
    );
  });

  test('an SQL expression default must be one expression', () => {
    expect(defaultProblem(timestamptz().defaultSql('now(); DROP TABLE klines'))).toContain('defaultSql("now(); DROP TABLE klines"): it is not a valid SQL expression');
    expect(defaultProblem(timestamptz().defaultSql('now('))).toContain('it is not a valid SQL expression');
    expect(defaultProblem(timestamptz().defaultSql('now() -- )'))).toBe(
      'test-datahub/probe: column "value": defaultSql("now() -- )"): remove the comment from the expression (put the explanation in a column or table comment)',
    );
  });

  test('identity and serial columns take no default', () => {
    expect(defaultProblem(bigint().generatedAlwaysAsIdentity().default(1))).toContain('remove the default');
    expect(defaultProblem(serial().default(1))).toContain('remove the default');
  });
});
