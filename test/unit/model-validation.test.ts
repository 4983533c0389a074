// Every string in the model is hostile until validated, and validation happens when the model
// is built (never only by TypeScript types: synth does not type-check, and plain JavaScript
// callers exist). Each refusal is a ModelError naming the construct path and the fix; where
// the refusal mirrors a PostgreSQL limit or rule, the test shows PostgreSQL refusing it too.
import {
  bigint, boolean, Column, ColumnType, createObjects, createTable, EnumType, integer, jsonb, ModelError, numeric, renderType, ServiceStack, Table, text, varchar,
} from '../../lib';
import { serviceStack, testEnvironment, testRegistry } from '../support/app';
import { useTestDatabase } from '../support/database';

const db = useTestDatabase();

beforeAll(async () => {
  await db.query('CREATE SCHEMA datahub');
});

function errorOf(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelError);
    return (error as Error).message;
  }
  throw new Error('expected the model to be refused');
}

/** Stands in for plain JavaScript, or TypeScript with a cast: any value at all. */
const untyped = <T>(value: unknown): T => value as T;

function klines(stack: ServiceStack, extra: Record<string, unknown> = {}, columns: Record<string, Column> = {}) {
  return new Table(stack, 'klines', {
    columns: { id: bigint(), symbol: text(), high: integer(), low: integer(), ...columns },
    ...untyped<object>(extra),
  });
}

/** Runs SQL on PostgreSQL and returns its error message (or 'ok'). */
async function postgres(sql: string): Promise<string> {
  try {
    await db.query(`BEGIN; ${sql}`);
    return 'ok';
  } catch (error) {
    return (error as Error).message;
  } finally {
    await db.query('ROLLBACK');
  }
}

describe('props outside their declared type are refused, not copied into SQL', () => {
  test('an index column order or nulls outside its union (the CREATE INDEX injection)', () => {
    const { stack } = serviceStack();
    expect(errorOf(() => klines(stack, { indexes: [{ columns: [{ column: 'symbol', order: 'desc); DROP TABLE x; --' }] }] }))).toBe(
      'test-datahub/klines: indexes[0].columns[0].order: "desc); DROP TABLE x; --" is not allowed: use one of "asc", "desc"',
    );
    expect(errorOf(() => klines(serviceStack().stack, { indexes: [{ columns: ['id', { column: 'symbol', nulls: 'last); DROP TABLE x; --' }] }] }))).toBe(
      'test-datahub/klines: indexes[0].columns[1].nulls: "last); DROP TABLE x; --" is not allowed: use one of "first", "last"',
    );
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['index method', { indexes: [{ columns: ['id'], method: 'btree (id); DROP TABLE x; --' }] }, 'indexes[0].method: "btree (id); DROP TABLE x; --" is not allowed: use one of "btree", "hash", "gin", "gist", "brin"'],
    ['index unique', { indexes: [{ columns: ['id'], unique: 'yes' }] }, 'indexes[0].unique: expected true or false, got "yes"'],
    ['index include', { indexes: [{ columns: ['id'], include: 'symbol' }] }, 'indexes[0].include: expected an array, got "symbol"'],
    ['index opclass', { indexes: [{ columns: [{ column: 'id', opclass: 7 }] }] }, 'indexes[0].columns[0].opclass: expected a string, got 7'],
    ['index column entry', { indexes: [{ columns: [null] }] }, "indexes[0].columns[0]: expected a column name or { column: 'name', order, nulls, opclass }, got null"],
    ['index where', { indexes: [{ columns: ['id'], where: 1 }] }, 'indexes[0].where: expected a string, got 1'],
    ['referential action', { foreignKeys: [{ columns: ['id'], references: { table: {}, columns: ['id'] }, onDelete: 'cascade; DROP TABLE x' }] }, 'foreignKeys[0].onDelete: "cascade; DROP TABLE x" is not allowed: use one of "no action", "restrict", "cascade", "set null", "set default"'],
    ['referenced columns', { foreignKeys: [{ columns: ['id'], references: { table: {}, columns: 'id' } }] }, 'foreignKeys[0].references.columns: expected an array, got "id"'],
    ['nullsNotDistinct', { uniques: [{ columns: ['id'], nullsNotDistinct: 'true' }] }, 'uniques[0].nullsNotDistinct: expected true or false, got "true"'],
    ['primary key as a string', { primaryKey: 'id' }, 'primaryKey: expected an array, got "id"'],
    ['primaryKeyName', { primaryKey: ['id'], primaryKeyName: 42 }, 'primaryKeyName: expected a string, got 42'],
    ['check name', { checks: [{ name: 1, expression: 'high > 0' }] }, 'checks[0].name: expected a string, got 1'],
    ['check expression', { checks: [{ name: 'klines_positive', expression: 1 }] }, 'checks[0].expression: expected a string, got 1'],
    ['table comment', { comment: 42 }, 'comment: expected a string, got 42'],
    ['table renamedFrom', { renamedFrom: ['old'] }, 'renamedFrom: expected a string, got an array of 1'],
    ['application reference', { appReferences: [{ columns: ['id'], table: 'mlops.ml_models', targetColumns: 'id' }] }, 'appReferences[0].targetColumns: expected an array, got "id"'],
    ['shared writer', { sharedWriters: ['portfolio'] }, 'sharedWriters[0]: expected an object, got "portfolio"'],
    ['acknowledgement', { acknowledgements: [{ rule: 'BEDROCK-N1' }] }, 'acknowledgements[0].reason: expected a string, got undefined'],
    ['table name', { name: 5 }, 'name: expected a string, got 5'],
  ])('%s', (_label, props, message) => {
    const { stack } = serviceStack();
    expect(errorOf(() => klines(stack, props))).toBe(`test-datahub/klines: ${message}`);
  });

  test('columns that are not an object keyed by name', () => {
    const { stack } = serviceStack();
    expect(errorOf(() => new Table(stack, 'klines', untyped<never>({ columns: [bigint()] })))).toBe('test-datahub/klines: columns: expected an object keyed by name, got an array of 1');
  });

  test('every wrong prop of a table is listed at once', () => {
    const { stack } = serviceStack();
    const message = errorOf(() => klines(stack, { comment: 1, indexes: [{ columns: [{ column: 'id', order: 'up', nulls: 'down' }] }] }));
    expect(message).toBe(
      [
        'test-datahub/klines:',
        '  - indexes[0].columns[0].order: "up" is not allowed: use one of "asc", "desc"',
        '  - indexes[0].columns[0].nulls: "down" is not allowed: use one of "first", "last"',
        '  - comment: expected a string, got 1',
      ].join('\n'),
    );
  });

  test.each<[string, Column, string]>([
    ['comment', text().comment(untyped(42)), 'column "c": comment: expected a string, got 42'],
    ['defaultSql', text().defaultSql(untyped(42)), 'column "c": defaultSql: expected a string SQL expression, got 42'],
    ['renamedFrom', text().renamedFrom(untyped({})), 'column "c": renamedFrom: expected the previous name as a string, got an object'],
    ['identity generation', Object.assign(bigint().generatedAlwaysAsIdentity(), { identityGeneration: 'always; DROP TABLE x' }), 'column "c": identity "always; DROP TABLE x" is not allowed: use generatedAlwaysAsIdentity() or generatedByDefaultAsIdentity()'],
    ['numeric scale without precision', numeric(undefined, 4), 'column "c": numeric(undefined, 4): a scale needs a precision, e.g. numeric(20, 4)'],
    ['varchar length', varchar(untyped('10); DROP TABLE x; --')), 'column "c": character varying(10); DROP TABLE x; --): the length must be a whole number from 1 to 10485760'],
  ])('column setting: %s', (_label, column, message) => {
    const { stack } = serviceStack();
    expect(errorOf(() => new Table(stack, 'probe', { columns: { c: column } }))).toBe(`test-datahub/probe: ${message}`);
  });

  test('a column type from elsewhere must be exactly one type name', () => {
    const { stack } = serviceStack();
    const hostile: ColumnType = { sql: 'integer); DROP TABLE x; --', literal: () => '0' };
    expect(errorOf(() => new Table(stack, 'probe', { columns: { c: new Column(hostile) } }))).toBe(
      'test-datahub/probe: column "c": type "integer); DROP TABLE x; --": the type contains a comment: build columns with the column functions (integer(), text(), ...)',
    );
    const collated: ColumnType = { sql: 'text COLLATE "C" NOT NULL', literal: () => "''" };
    expect(errorOf(() => new Table(stack, 'probe2', { columns: { c: new Column(collated) } }))).toContain('column "c": type "text COLLATE \\"C\\" NOT NULL": it is not a single type name');
    // An unterminated quote made libpg-query's scanner throw a raw JSON error, with no construct.
    const unclosed: ColumnType = { sql: 'text\'', literal: () => "''" };
    expect(errorOf(() => new Table(stack, 'probe4', { columns: { c: new Column(unclosed) } }))).toBe(
      'test-datahub/probe4: column "c": type "text\'": it does not scan as SQL: a quoted string, dollar quote or comment is not closed: build columns with the column functions (integer(), text(), ...)',
    );
    const badLiteral: ColumnType = { sql: 'integer', literal: () => '0); DROP TABLE x; SELECT (1' };
    expect(errorOf(() => new Table(stack, 'probe3', { columns: { c: new Column(badLiteral).default(0) } }))).toBe(
      "test-datahub/probe3: column \"c\": default 0: type integer rendered it as \"0); DROP TABLE x; SELECT (1\", which is not one SQL expression: fix the type's literal()",
    );
  });

  test('enum props: values that are not an array of strings', () => {
    const { stack } = serviceStack();
    // A string is iterable: it used to become the labels 'b', 'u', 'y'.
    expect(errorOf(() => new EnumType(stack, 'side', untyped({ values: 'buy' })))).toBe('test-datahub/side: values: expected an array, got "buy"');
    expect(errorOf(() => new EnumType(stack, 'side2', untyped({ values: ['buy', 2], comment: false })))).toBe(
      'test-datahub/side2:\n  - values[1]: expected a string, got 2\n  - comment: expected a string, got false',
    );
  });

  test('only the known fields of an index column reach the model', () => {
    const { stack } = serviceStack();
    const table = klines(stack, { indexes: [{ columns: [{ column: 'symbol', order: 'desc', using: 'DROP TABLE x' }] }] });
    expect(table.toModel().indexes[0].columns).toEqual([{ column: 'symbol', order: 'desc' }]);
  });
});

describe('check expressions and index predicates use only what PostgreSQL accepts there', () => {
  const subquery = 'it contains a subquery (SELECT, EXISTS or IN (SELECT ...)), which PostgreSQL refuses in CHECK constraints';
  const cases: [string, string, string][] = [
    ['a subquery', 'EXISTS (SELECT 1)', subquery],
    ['an IN subquery', 'symbol IN (SELECT symbol FROM datahub.symbols)', subquery],
    ['an aggregate', 'count(*) > 0', 'count() is an aggregate function, which PostgreSQL refuses in CHECK constraints'],
    ['a window function', 'row_number() OVER () > 1', 'row_number() is a window function, which PostgreSQL refuses in CHECK constraints'],
    ['a set-returning function', 'high > generate_series(1, 2)', 'generate_series() is a set-returning function, which PostgreSQL refuses in CHECK constraints'],
  ];

  test.each(cases)('%s in a check is refused at construction, as PostgreSQL refuses it at apply', async (_label, expression, message) => {
    const { stack } = serviceStack();
    expect(errorOf(() => klines(stack, { checks: [{ name: 'klines_rule', expression }] }))).toBe(
      `test-datahub/klines: check constraint "klines_rule": ${message}: ` +
        "a check sees only the row being written: use this row's columns (a rule across rows or tables needs a foreign key)",
    );
    expect(await postgres(`CREATE TABLE datahub.k (id bigint, symbol text, high integer, CHECK (${expression}))`)).toMatch(/cannot use subquery|not allowed in check constraints/);
  });

  test('a subquery in an index predicate', async () => {
    const { stack } = serviceStack();
    expect(errorOf(() => klines(stack, { indexes: [{ columns: ['id'], where: 'high > (SELECT 1)' }] }))).toBe(
      'test-datahub/klines: index 1 where: it contains a subquery (SELECT, EXISTS or IN (SELECT ...)), which PostgreSQL refuses in index predicates: ' +
        "an index predicate sees only the row being indexed: use this row's columns",
    );
    expect(await postgres('CREATE TABLE datahub.k (high integer); CREATE INDEX ON datahub.k (high) WHERE (high > (SELECT 1))')).toBe('cannot use subquery in index predicate');
  });

  test('a check naming a column the table lacks names the column and lists the columns', () => {
    const { stack } = serviceStack();
    expect(errorOf(() => klines(stack, { checks: [{ name: 'klines_high_gte_low', expression: 'hihg >= low' }] }))).toBe(
      'test-datahub/klines: check constraint "klines_high_gte_low": there is no column "hihg" in table klines (columns: id, symbol, high, low)',
    );
  });

  test.each<[string, string, string]>([
    ['a column the table lacks', 'lowest > 0', 'there is no column "lowest" in table klines (columns: id, symbol, high, low)'],
    ['another table', 'positions.id > 0', `"positions.id" names another table: an index predicate sees only the row being indexed: use this row's columns (columns: id, symbol, high, low)`],
    ['a schema-qualified column', 'datahub.klines.high > 0', '"datahub.klines.high": write the column alone, e.g. "high"'],
    ['a whole-row star', 'klines.* IS NOT NULL', '"klines.*" names no single column: name the columns one by one (columns: id, symbol, high, low)'],
  ])('an index predicate naming %s', (_label, where, message) => {
    const { stack } = serviceStack();
    expect(errorOf(() => klines(stack, { indexes: [{ name: 'klines_p', columns: ['id'], where }] }))).toBe(`test-datahub/klines: index klines_p where: ${message}`);
  });

  test('the own columns, bare or qualified with the table, pass and apply on PostgreSQL', async () => {
    const { stack } = serviceStack();
    const table = klines(stack, {
      checks: [{ name: 'klines_high_gte_low', expression: 'klines.high >= low AND "symbol" <> \'\'' }],
      indexes: [{ columns: ['symbol'], where: 'klines.high > 0 AND lower(symbol) <> \'x\'' }],
    });
    expect(await postgres(createObjects([], [table.toModel()]).join('\n'))).toBe('ok');
  });
});

describe("PostgreSQL's limits", () => {
  const manyColumns = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`c${i + 1}`, integer()]));
  const names = (count: number) => Array.from({ length: count }, (_, i) => `c${i + 1}`);

  test('more than 1,600 columns is refused; 1,600 apply', async () => {
    const { stack } = serviceStack();
    expect(errorOf(() => new Table(stack, 'wide', { columns: manyColumns(1601) }))).toBe(
      'test-datahub/wide: the table has 1601 columns; PostgreSQL allows at most 1600 (MaxHeapAttributeNumber): split it into tables that share a key',
    );
    const widest = new Table(stack, 'widest', { columns: manyColumns(1600) });
    expect(await postgres(createTable(widest.toModel()))).toBe('ok');
    expect(await postgres(`CREATE TABLE datahub.k (${names(1601).map((n) => `${n} integer`).join(', ')})`)).toBe('tables can have at most 1600 columns');
  });

  test('more than 32 index columns (key and INCLUDE) is refused; 32 apply', async () => {
    const { stack } = serviceStack();
    const columns = manyColumns(40);
    const key = names(20) as never[];
    expect(errorOf(() => new Table(stack, 'wide', { columns, indexes: [{ name: 'wide_idx', columns: key, include: names(33).slice(20) as never[] }] }))).toBe(
      'test-datahub/wide: index "wide_idx" (key and INCLUDE columns) has 33 columns; PostgreSQL allows at most 32 (INDEX_MAX_KEYS): use fewer columns',
    );
    const fits = new Table(stack, 'fits', { columns, indexes: [{ name: 'fits_idx', columns: key, include: names(32).slice(20) as never[] }] });
    expect(await postgres(createObjects([], [fits.toModel()]).join('\n'))).toBe('ok');
    expect(await postgres(`CREATE TABLE datahub.k (${names(33).map((n) => `${n} integer`).join(', ')}); CREATE INDEX ON datahub.k (${names(33).join(', ')})`)).toBe(
      'cannot use more than 32 columns in an index',
    );
  });

  test('a primary key, unique constraint or foreign key of more than 32 columns is refused', () => {
    const { stack } = serviceStack();
    const target = new Table(stack, 'target', { columns: { id: bigint() }, primaryKey: ['id'] });
    const message = errorOf(() =>
      new Table(stack, 'wide', {
        columns: manyColumns(33),
        primaryKey: names(33) as never[],
        uniques: [{ name: 'wide_key', columns: names(33) as never[] }],
        foreignKeys: [{ name: 'wide_fkey', columns: names(33) as never[], references: target.ref('id') }],
      }),
    );
    expect(message).toContain('\n  - primary key "wide_pkey" has 33 columns; PostgreSQL allows at most 32 (INDEX_MAX_KEYS): use fewer columns');
    expect(message).toContain('\n  - unique constraint "wide_key" has 33 columns; PostgreSQL allows at most 32');
    expect(message).toContain('\n  - foreign key "wide_fkey" has 33 columns; PostgreSQL allows at most 32');
    expect(message.startsWith('test-datahub/wide:\n')).toBe(true);
  });
});

describe('a NUL character is refused where it is written, naming the construct', () => {
  const NUL = 'a\u0000b';
  const refusal = "it cannot contain the NUL character (U+0000), found at character 2: PostgreSQL cannot store it in text; remove it";

  test('in an enum value and an enum comment', () => {
    const { stack } = serviceStack();
    expect(errorOf(() => new EnumType(stack, 'side', { values: ['buy', NUL], comment: NUL }))).toBe(
      `test-datahub/side:\n  - enum value "a\\u0000b": ${refusal}\n  - comment: ${refusal}`,
    );
  });

  test.each<[string, () => [Record<string, unknown>, Record<string, Column>], string]>([
    ['a table comment', () => [{ comment: NUL }, {}], `the table comment: ${refusal}`],
    ['a column comment', () => [{}, { note: text().comment(NUL) }], `column "note": comment: ${refusal}`],
    ['a text default', () => [{}, { note: text().default(NUL) }], `column "note": default "a\\u0000b" does not fit type text: ${refusal}`],
    ['a varchar array default', () => [{}, { note: varchar(8).array().default(['x', NUL]) }], `column "note": default an array of 2 does not fit type character varying(8)[]: element 1 ("a\\u0000b"): ${refusal}`],
    ['a jsonb default', () => [{}, { note: jsonb().default({ key: NUL }) }], 'column "note": default an object does not fit type jsonb: a string in it contains the NUL character (U+0000), which jsonb cannot store: remove it'],
    ['a check', () => [{ checks: [{ name: 'klines_rule', expression: `high > 0\u0000; DROP TABLE x` }] }, {}], `check constraint "klines_rule": it cannot contain the NUL character (U+0000), found at character 9: PostgreSQL cannot store it in text; remove it`],
    ['an index predicate', () => [{ indexes: [{ columns: ['id'], where: `symbol <> '${NUL}'` }] }, {}], `index 1 where: it cannot contain the NUL character (U+0000), found at character 13: PostgreSQL cannot store it in text; remove it`],
    ['a defaultSql', () => [{}, { note: text().defaultSql(`'${NUL}'`) }], `column "note": defaultSql("'a\\u0000b'"): it cannot contain the NUL character (U+0000), found at character 3: PostgreSQL cannot store it in text; remove it`],
    ['a column name', () => [{}, { [NUL]: text() }], 'column name: a name cannot contain the NUL character'],
  ])('in %s', (_label, build, message) => {
    const { stack } = serviceStack();
    const [props, columns] = build();
    expect(errorOf(() => klines(stack, props, columns))).toBe(`test-datahub/klines: ${message}`);
  });

  test('PostgreSQL would refuse the jsonb default only at apply', async () => {
    expect(await postgres(`SELECT '{"key":"a\\u0000b"}'::jsonb`)).toMatch(/unsupported Unicode escape sequence/);
  });
});

describe('a boolean-expression default', () => {
  test('is refused with the parenthesized fix, since DEFAULT takes only a simple expression', async () => {
    const { stack } = serviceStack();
    expect(errorOf(() => klines(stack, {}, { flag: boolean().defaultSql('true AND false') }))).toBe(
      'test-datahub/klines: column "flag": defaultSql("true AND false"): PostgreSQL reads it differently after DEFAULT, where only a simple expression may stand ' +
        '(no AND, OR, NOT, IS NULL, IN, LIKE, BETWEEN, AT TIME ZONE or COLLATE): wrap it in parentheses, e.g. defaultSql("(true AND false)")',
    );
    expect(await postgres('CREATE TABLE datahub.k (flag boolean DEFAULT true AND false)')).toBe('syntax error at or near "AND"');
    const fixed = klines(serviceStack().stack, {}, { flag: boolean().defaultSql('(true AND false)') });
    expect(await postgres(createTable(fixed.toModel()))).toBe('ok');
  });

  test('a COLLATE after DEFAULT would set the column collation instead: refused', () => {
    const { stack } = serviceStack();
    expect(errorOf(() => klines(stack, {}, { note: text().defaultSql(`'x' COLLATE "C"`) }))).toContain('column "note": defaultSql("\'x\' COLLATE \\"C\\""): PostgreSQL reads it differently after DEFAULT');
  });

  test('a default naming a column or holding a subquery is refused', () => {
    const { stack } = serviceStack();
    const message = errorOf(() => klines(stack, {}, { a: integer().defaultSql('high + 1'), b: integer().defaultSql('(SELECT 1)') }));
    expect(message).toBe(
      [
        'test-datahub/klines:',
        '  - column "a": defaultSql("high + 1"): a default cannot name a column ("high"): a default is computed before the row exists: use a constant or a function call such as now()',
        '  - column "b": defaultSql("(SELECT 1)"): it contains a subquery (SELECT, EXISTS or IN (SELECT ...)), which PostgreSQL refuses in DEFAULT expressions: a default is computed before the row exists: use a constant or a function call such as now()',
      ].join('\n'),
    );
  });
});

describe('invisible characters in hand-written SQL (trojan source)', () => {
  test.each<[string, string]>([
    ['\u202e', 'U+202E (RIGHT-TO-LEFT OVERRIDE)'],
    ['\u2066', 'U+2066 (LEFT-TO-RIGHT ISOLATE)'],
    ['\u200b', 'U+200B (ZERO WIDTH SPACE)'],
    ['\u2028', 'U+2028 (LINE SEPARATOR)'],
    ['\ufeff', 'U+FEFF (ZERO WIDTH NO-BREAK SPACE)'],
    ['\u007f', 'U+007F (DELETE)'],
    ['\u0085', 'U+0085 (a control character)'],
    ['\u001b', 'U+001B (a control character)'],
    // Missing from the list before: accepted in expressions and written raw into the file.
    ['\u00ad', 'U+00AD (SOFT HYPHEN)'],
    ['\u061c', 'U+061C (ARABIC LETTER MARK)'],
    ['\u180e', 'U+180E (MONGOLIAN VOWEL SEPARATOR)'],
    ['\u115f', 'U+115F (HANGUL CHOSEONG FILLER)'],
    ['\u1160', 'U+1160 (HANGUL JUNGSEONG FILLER)'],
    ['\u3164', 'U+3164 (HANGUL FILLER)'],
    ['\uffa0', 'U+FFA0 (HALFWIDTH HANGUL FILLER)'],
    ['\ufe0f', 'U+FE0F (a variation selector)'],
    ['\u{e0041}', 'U+E0041 (a tag character)'],
  ])('%j in a check, an index predicate and a defaultSql', (character, label) => {
    const { stack } = serviceStack();
    const code = character.codePointAt(0)!;
    const escape = code > 0xffff ? `\\U${code.toString(16).padStart(8, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    const fix = (position: number) =>
      `it contains ${label} at character ${position}, which a reviewer cannot see ("trojan source"): remove it, or if a value needs it, write it as an escape inside an E'' string literal, e.g. E'${escape}'`;
    const message = errorOf(() =>
      klines(stack, { checks: [{ name: 'klines_rule', expression: `symbol <> 'a${character}'` }], indexes: [{ columns: ['id'], where: `${character}high > 0` }] }, { note: text().defaultSql(`'${character}'`) }),
    );
    expect(message).toBe(
      [
        'test-datahub/klines:',
        `  - column "note": defaultSql(${JSON.stringify(`'${character}'`)}): ${fix(2)}`,
        `  - check constraint "klines_rule": ${fix(13)}`,
        `  - index 1 where: ${fix(1)}`,
      ].join('\n'),
    );
  });

  test('the fix, an escape in an E\'\' literal, passes and PostgreSQL stores the character', async () => {
    const { stack } = serviceStack();
    const table = klines(stack, { checks: [{ name: 'klines_rule', expression: "symbol <> E'a\\u202eb'" }] });
    await db.query('BEGIN');
    try {
      await db.query(createTable(table.toModel()));
      const { rows } = await db.query("SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'klines_rule'");
      expect(rows[0].def).toContain('a\u202eb');
    } finally {
      await db.query('ROLLBACK');
    }
  });
});

describe('unbalanced parentheses in hand-written SQL', () => {
  // Before, `note <> '') OR (note IS NULL` passed construction (the parser check wraps it in
  // parentheses, which balanced it) and failed only at generate, as a parse error.
  test('a ")" or "]" that closes nothing is refused where it is written; a "(" never closed or a mismatched bracket fails the parse', () => {
    const { stack } = serviceStack();
    const message = errorOf(() =>
      klines(
        stack,
        {
          checks: [{ name: 'klines_rule', expression: "symbol <> '') OR (symbol IS NULL" }],
          indexes: [
            { columns: ['id'], where: "(symbol <> 'x'" },
            { columns: ['symbol'], where: '(high[1) > 0]' },
            { columns: ['high'], where: "symbol <> 'x'] AND [high > 0" },
          ],
        },
        { note: text().defaultSql("upper('x'))") },
      ),
    );
    expect(message).toBe(
      [
        'test-datahub/klines:',
        `  - column "note": defaultSql("upper('x'))"): its parentheses do not balance: the ")" at character 11 closes nothing the expression opened: remove it or add the matching "(" before it`,
        '  - check constraint "klines_rule": its parentheses do not balance: the ")" at character 13 closes nothing the expression opened: remove it or add the matching "(" before it',
        '  - index 1 where: it is not a valid SQL expression (syntax error at end of input)',
        '  - index 2 where: it is not a valid SQL expression (syntax error at or near ")")',
        '  - index 3 where: its parentheses do not balance: the "]" at character 14 closes nothing the expression opened: remove it or add the matching "[" before it',
      ].join('\n'),
    );
  });

  test('PostgreSQL reads the check differently inside CHECK (...): the fix, balanced, passes and applies', async () => {
    expect(await postgres("CREATE TABLE datahub.k (symbol text, CHECK (symbol <> '') OR (symbol IS NULL))")).toBe('syntax error at or near "OR"');
    const fixed = klines(serviceStack().stack, { checks: [{ name: 'klines_rule', expression: "(symbol <> '') OR (symbol IS NULL)" }] });
    expect(await postgres(createTable(fixed.toModel()))).toBe('ok');
  });
});

describe('a raw line break inside a string constant of hand-written SQL', () => {
  // Before, it was accepted and put a line reading `-- +down` into the migration file.
  const fix = "holds a raw line break, which would split it over lines of the migration file: write the line break as \\n inside an E'' literal (E'a\\nb')";

  test('is refused in a check, an index predicate and a defaultSql, also in a dollar quote or a U& string', () => {
    const { stack } = serviceStack();
    const message = errorOf(() =>
      klines(
        stack,
        {
          checks: [{ name: 'klines_rule', expression: "symbol <> 'a\n-- +down\nb'" }],
          indexes: [
            { columns: ['id'], where: 'symbol <> $$a\r\nb$$' },
            { columns: ['symbol'], where: "symbol <> U&'a\rb'" },
          ],
        },
        { note: text().defaultSql("'a\n-- +down\nDROP TABLE x;'") },
      ),
    );
    expect(message).toBe(
      [
        'test-datahub/klines:',
        `  - column "note": defaultSql("'a\\n-- +down\\nDROP TABLE x;'"): the string constant at character 1 ${fix}`,
        `  - check constraint "klines_rule": the string constant at character 11 ${fix}`,
        `  - index 1 where: the string constant at character 11 ${fix}`,
        `  - index 2 where: the string constant at character 11 ${fix}`,
      ].join('\n'),
    );
  });

  test('in a quoted name too', () => {
    expect(errorOf(() => klines(serviceStack().stack, { checks: [{ name: 'klines_rule', expression: 'symbol::"a\nb" IS NULL' }] }))).toBe(
      'test-datahub/klines: check constraint "klines_rule": the quoted name at character 9 holds a raw line break, which would split it over lines of the migration file: write it on one line',
    );
  });

  test('line breaks between tokens, and the fix E\'a\\nb\', pass; PostgreSQL stores the line break', async () => {
    const table = klines(serviceStack().stack, { checks: [{ name: 'klines_rule', expression: "symbol <> 'a'\n  AND symbol <> E'a\\n-- +down\\nb'" }] }, { note: text().defaultSql("E'a\\nb'") });
    await db.query('BEGIN');
    try {
      await db.query(createTable(table.toModel()));
      const { rows } = await db.query("SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'klines_rule'");
      expect(rows[0].def).toContain('a\n-- +down\nb');
    } finally {
      await db.query('ROLLBACK');
    }
  });
});

describe('ownership of types', () => {
  function twoServices() {
    const { app, stack: datahub } = serviceStack('datahub');
    const portfolio = new ServiceStack(app, { service: 'portfolio', environment: testEnvironment(), registry: testRegistry });
    return { app, datahub, portfolio, side: new EnumType(datahub, 'side', { values: ['buy', 'sell'] }) };
  }

  test("a column of another service's enum, also as an array", () => {
    const { portfolio, side } = twoServices();
    expect(errorOf(() => new Table(portfolio, 'trades', { columns: { id: bigint(), side: side.column(), sides: side.column().array() } }))).toBe(
      [
        'test-portfolio/trades:',
        '  - column "side" uses enum datahub.side, owned by service datahub: a service\'s columns may only use its own enums (ownership of types); define an EnumType in portfolio',
        '  - column "sides" uses enum datahub.side, owned by service datahub: a service\'s columns may only use its own enums (ownership of types); define an EnumType in portfolio',
      ].join('\n'),
    );
  });

  test("an enum of the same service defined in another environment's stack", () => {
    const { app, side } = twoServices();
    const other = new ServiceStack(app, { service: 'datahub', environment: testEnvironment({ name: 'other' }), registry: testRegistry });
    expect(errorOf(() => new Table(other, 'orders', { columns: { side: side.column() } }))).toBe(
      "other-datahub/orders: column \"side\" uses enum datahub.side defined in stack test-datahub, whose migrations create it, not this stack's: define the EnumType in this stack (other-datahub)",
    );
  });

  test("a hand-written type naming another service's schema", () => {
    const { portfolio } = twoServices();
    const borrowed: ColumnType = { sql: '"datahub"."side"', literal: () => "'buy'" };
    expect(errorOf(() => new Table(portfolio, 'trades', { columns: { side: new Column(borrowed) } }))).toBe(
      'test-portfolio/trades: column "side" uses type "datahub"."side", from schema datahub: a service\'s columns may only use PostgreSQL\'s types and its own enums (ownership of types)',
    );
  });

  test('its own enums pass', () => {
    const { datahub, side } = twoServices();
    expect(new Table(datahub, 'orders', { columns: { side: side.column().notNull().default('buy'), sides: side.column().array() } }).toModel().columns.map((c) => renderType(c.type))).toEqual([
      '"datahub"."side"',
      '"datahub"."side"[]',
    ]);
  });
});

describe('constant expressions', () => {
  // Found by the model-strings property test: CHECK ('') passed construction and failed at
  // apply ("invalid input syntax for type boolean").
  test.each([["''"], ['true'], ['1 = 1']])('a check or index predicate %s that names no column is refused', async (expression) => {
    const message = errorOf(() => klines(serviceStack().stack, { checks: [{ name: 'constant_check', expression }], indexes: [{ name: 'constant_idx', columns: ['symbol'], where: expression }] }));
    expect(message).toContain('check constraint "constant_check": it names no column, so it holds for every row or for none: write it over this table\'s columns');
    expect(message).toContain('index constant_idx where: it names no column, so it holds for every row or for none');
  });
});
