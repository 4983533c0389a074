// Every column type, default kind and index option the library renders is accepted by real
// PostgreSQL, and reads back from the catalog as modelled.
import {
  bigint, bigserial, boolean, bytea, char, createObjects, date, doublePrecision, EnumType, inet, integer, interval, json, jsonb,
  numeric, quoteIdentifier, real, serial, smallint, Table, text, time, timestamp, timestamptz, uuid, varchar,
} from '../../lib';
import { readTables } from '../../lib/catalog/read-schema';
import { serviceStack } from '../support/app';
import { useTestDatabase } from '../support/database';

const db = useTestDatabase();

test('all types, literal defaults and index kinds round-trip', async () => {
  const { stack } = serviceStack('mlops', { postgresVersion: 15 });
  const mood = new EnumType(stack, 'mood', { values: ['calm', "it's fine"], comment: 'How it feels' });
  const table = new Table(stack, 'everything', {
    comment: "All the types, and a quote: '",
    columns: {
      id: bigint().generatedByDefaultAsIdentity(),
      counter: serial(),
      big_counter: bigserial(),
      small: smallint().notNull().default(-7),
      whole: integer().default(2147483647),
      large: bigint().default('9223372036854775807'),
      exact: numeric(12, 4).notNull().default('-12345678.1234'),
      any_precision: numeric().default(0.1),
      single: real().default(1.5),
      double: doublePrecision().default(-2.25e-5),
      flag: boolean().notNull().default(true),
      label: text().default("O'Brien \\ path"),
      code: varchar(8).default('héllo'),
      fixed: char(3).default('abc'),
      day: date().default('2024-02-29'),
      clock: time().default('23:59:59.999999'),
      local_moment: timestamp().default('2025-01-09 12:00:00'),
      moment: timestamptz().notNull().default('2025-01-09T12:00:00+02:00'),
      created: timestamptz().notNull().defaultSql('now()'),
      span: interval().default('1 day 2 hours'),
      iso_span: interval().default('P1DT2H'),
      ident: uuid().notNull().defaultSql('gen_random_uuid()'),
      fixed_ident: uuid().default('0b6a2c9e-5f51-4f5e-9d0c-3b1f2d9c4e7a'),
      document: jsonb().notNull().default({ nested: ["a'b", 1, null] }),
      raw_document: json().default([1, 2]),
      blob: bytea().default(Buffer.from('hi')),
      address: inet().default('2001:db8::/32'),
      tags: text().array().notNull().default(['a', "b'c"]),
      numbers: integer().array().default([1, null]),
      moods: mood.column().array().default(['calm']),
      feeling: mood.column().default("it's fine").comment('An enum with a quote'),
    },
    primaryKey: ['id'],
    uniques: [{ columns: ['code', 'fixed'], nullsNotDistinct: true }],
    checks: [{ name: 'everything_small_range', expression: 'small BETWEEN -100 AND 100' }],
    indexes: [
      { columns: ['label'], method: 'hash' },
      { columns: [{ column: 'address', opclass: 'inet_ops' }], method: 'gist' },
      { columns: ['document'], method: 'gin' },
      { columns: ['moment'], method: 'brin' },
      { columns: [{ column: 'whole', order: 'desc', nulls: 'last' }, 'small'], include: ['flag'], unique: true, where: 'flag' },
      { name: 'everything_label_prefix_idx', columns: [{ column: 'label', opclass: 'text_pattern_ops' }] },
    ],
  });
  await db.query(`CREATE SCHEMA ${quoteIdentifier('mlops')}`);
  for (const statement of createObjects([mood.toModel()], [table.toModel()])) await db.query(statement);

  await db.query('INSERT INTO mlops.everything DEFAULT VALUES');
  const { rows } = await db.query('SELECT * FROM mlops.everything');
  expect(rows[0]).toMatchObject({
    small: -7,
    whole: 2147483647,
    large: '9223372036854775807',
    exact: '-12345678.1234',
    flag: true,
    label: "O'Brien \\ path",
    code: 'héllo',
    document: { nested: ["a'b", 1, null] },
    raw_document: [1, 2],
    blob: Buffer.from('hi'),
    address: '2001:db8::/32',
    tags: ['a', "b'c"],
    numbers: [1, null],
    feeling: "it's fine",
  });
  expect(rows[0].moment.toISOString()).toBe('2025-01-09T10:00:00.000Z');

  const [live] = await readTables(db.client, 'mlops');
  const model = table.toModel();
  expect(live.columns.map((c) => [c.name, c.notNull, c.identity, c.serial, c.comment])).toEqual(
    model.columns.map((c) => [c.name, c.notNull, c.identity, c.serial, c.comment]),
  );
  expect(live.uniques).toEqual(model.uniques);
  expect(live.comment).toBe(model.comment);
  const liveIndexes = live.indexes.map(({ where, ...rest }) => ({ ...rest, partial: where !== undefined }));
  const modelIndexes = model.indexes.map(({ where, ...rest }) => ({ ...rest, partial: where !== undefined }));
  expect(liveIndexes.sort((a, b) => a.name.localeCompare(b.name))).toEqual(modelIndexes.sort((a, b) => a.name.localeCompare(b.name)));
});
