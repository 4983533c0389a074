// The migration file format: a header that can never be confused with the body, whatever the
// model's strings hold, and a body split by PostgreSQL's own scanner.
import { formatMigration, headerText, parseMigration } from '../../lib/migrations/migration-file';
import { quoteLiteral } from '../../lib/sql/literal';
import { splitStatements } from '../../lib/sql/parser';

const base = { id: '20260101_000000_datahub_x', service: 'datahub', destructive: [] as string[] };

describe('migration file header', () => {
  // Today's main copied summary values into the header unescaped, and the parser took the
  // first `-- +up` line it met: the SQL after the injected marker ran as the deploying user.
  test('a summary holding a newline and "-- +up" stays one header line, and the body is what was generated', () => {
    const evil = "x'\n-- +up\nDROP TABLE datahub.klines;\n-- +down\n";
    const up = [`COMMENT ON TABLE "datahub"."t" IS ${quoteLiteral(evil)};`];
    const text = formatMigration({ ...base, summary: [`set default of datahub.t.c to ${evil}`], up, down: ['SELECT 1;'] });
    const parsed = parseMigration(`${base.id}.sql`, text);
    expect(splitStatements(parsed.up)).toEqual(up.map((s) => s.replace(/;$/, '')));
    expect(parsed.down).toBe('SELECT 1;');
    expect(text).toContain("--   set default of datahub.t.c to x'\\u{000a}-- +up\\u{000a}DROP TABLE datahub.klines;\\u{000a}-- +down\\u{000a}");
    expect(text.split('\n').filter((line) => line === '-- +up')).toHaveLength(1);
  });

  test('header text makes controls, line breaks and bidi marks visible', () => {
    expect(headerText('a\r\nb\u202ec\u0000d\u2028e\u200bf\tg')).toBe('a\\u{000d}\\u{000a}b\\u{202e}c\\u{0000}d\\u{2028}e\\u{200b}f\tg');
  });

  test('a marker inside a string literal, dollar quote or C comment is SQL; on a line of its own it is refused, as it would mislead a reviewer', () => {
    const up = ["SELECT 'a -- +down b'", 'SELECT $$ x\n-- +down x\n$$', 'SELECT 1 /* -- +up */'];
    const text = formatMigration({ ...base, summary: [], up: up.map((s) => `${s};`), down: ['SELECT 2;'] });
    const parsed = parseMigration(`${base.id}.sql`, text);
    expect(splitStatements(parsed.up)).toEqual(up);
    expect(parsed.down).toBe('SELECT 2;');
    for (const lookalike of ["SELECT 'a\n-- +down\nb'", 'SELECT $$\n-- +down\n$$', 'SELECT 1 /*\n-- +up\n*/']) {
      const misleading = formatMigration({ ...base, summary: [], up: [`${lookalike};`], down: ['SELECT 2;'] });
      expect(() => parseMigration('f.sql', misleading)).toThrow(/^f\.sql: line \d+ reads "-- \+(up|down)" inside a string, dollar quote or comment: a reviewer would take it for the marker/);
    }
  });

  test.each([
    ['two -- +down markers', '-- service: datahub\n-- parent: none\n-- +up\nSELECT 1;\n-- +down\nSELECT 2;\n-- +down\nDROP TABLE x;\n', 'expected exactly one line "-- +down" outside any SQL string, found 2'],
    ['two -- +up markers', '-- service: datahub\n-- parent: none\n-- +up\nSELECT 1;\n-- +up\nSELECT 2;\n-- +down\n', 'expected exactly one line "-- +up" outside any SQL string, found 2'],
    ['SQL in the header', '-- service: datahub\n-- parent: none\nDROP TABLE x;\n-- +up\nSELECT 1;\n-- +down\n', 'line 3 is SQL before the line "-- +up"'],
    ['a marker only inside a string', "-- service: datahub\n-- parent: none\nSELECT '\n-- +up\n';\n-- +down\n", 'expected exactly one line "-- +up" outside any SQL string, found 0'],
    ['two service lines', '-- service: datahub\n-- service: portfolio\n-- parent: none\n-- +up\n-- +down\n', 'the header has two "-- service:" lines'],
    ['an unterminated string', "-- service: datahub\n-- parent: none\n-- +up\nSELECT 'a;\n-- +down\n", 'it does not scan as SQL'],
    ['down before up', '-- service: datahub\n-- parent: none\n-- +down\n-- +up\n', 'the line "-- +down" must come after the line "-- +up"'],
  ])('refuses %s, naming the file', (_what, text, message) => {
    expect(() => parseMigration('f.sql', text)).toThrow(`f.sql: ${message}`);
  });

  test('reports the lines where up and down start, counting multi-byte characters right', () => {
    const text = formatMigration({ ...base, summary: ['créer ✓ table'], up: ["COMMENT ON TABLE x IS 'é';", 'SELECT 1;'], down: ['SELECT 2;'] });
    const parsed = parseMigration(`${base.id}.sql`, text);
    const lines = text.split('\n');
    expect(lines[parsed.upLine - 1]).toBe("COMMENT ON TABLE x IS 'é';");
    expect(lines[parsed.downLine - 1]).toBe('SELECT 2;');
  });
});

describe('quoteLiteral', () => {
  test('plain strings stay standard literals, which read the same under either standard_conforming_strings', () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
  });

  test('a backslash or an invisible character makes an escape string, whose meaning no setting changes', () => {
    expect(quoteLiteral("a\\'b")).toBe("E'a\\\\''b'");
    expect(quoteLiteral('line\nbreak\u202e\u0007')).toBe("E'line\\nbreak\\u202e\\x07'");
  });

  test('refuses NUL', () => {
    expect(() => quoteLiteral('a\u0000')).toThrow('NUL');
  });
});

describe('characters a reviewer cannot see', () => {
  test('a hand-edited file holding a bidi override or a raw control character is refused, naming the line', () => {
    const text = '-- service: datahub\n-- parent: none\n-- +up\nSELECT 1;\nSELECT \'a\u202eb\';\n-- +down\n';
    expect(() => parseMigration('f.sql', text)).toThrow(/^f\.sql: line 5: it contains U\+202E \(RIGHT-TO-LEFT OVERRIDE\), which a reviewer cannot see/);
    expect(() => parseMigration('f.sql', text.replace('\u202e', '\u001b'))).toThrow(/^f\.sql: line 5: it contains U\+001B/);
  });
});

describe('steps', () => {
  const file = (body: string[], header: string[] = []) => ['-- service: datahub', '-- parent: none', ...header, '', ...body, ''].join('\n');
  const parse = (text: string) => parseMigration(`${base.id}.sql`, text);

  test('a section without step lines is one transactional step: files written before steps keep their meaning', () => {
    const parsed = parse(file(['-- +up', 'SELECT 1;', 'SELECT 2;', '-- +down', 'SELECT 3;']));
    expect(parsed.upSteps).toEqual([{ mode: 'transaction', sql: 'SELECT 1;\nSELECT 2;', line: 5 }]);
    expect(parsed.downSteps).toEqual([{ mode: 'transaction', sql: 'SELECT 3;', line: 8 }]);
    expect(parse(file(['-- +up', 'SELECT 1;', '-- +down'])).downSteps).toEqual([]);
  });

  test('step lines split a section; each step has its mode and the line its SQL starts on', () => {
    const parsed = parse(file(['-- +up', '-- +step', 'SELECT 1;', 'SELECT 2;', '-- +step outside transaction', 'CREATE INDEX CONCURRENTLY i ON datahub.t (a);', '-- +step offline', 'SELECT 3;', '-- +down', '-- +step outside transaction', 'DROP INDEX CONCURRENTLY datahub.i;']));
    expect(parsed.upSteps.map((s) => [s.mode, s.sql, s.line])).toEqual([
      ['transaction', 'SELECT 1;\nSELECT 2;', 6],
      ['outside transaction', 'CREATE INDEX CONCURRENTLY i ON datahub.t (a);', 9],
      ['offline', 'SELECT 3;', 11],
    ]);
    expect(parsed.downSteps.map((s) => s.mode)).toEqual(['outside transaction']);
  });

  test.each([
    ['SQL before the first step line', ['-- +up', 'SELECT 0;', '-- +step', 'SELECT 1;', '-- +down'], [], 'line 5: SQL after "-- +up" before its first "-- +step" line'],
    ['a step with no SQL', ['-- +up', '-- +step', '-- +step', 'SELECT 1;', '-- +down'], [], 'line 5: the step holds no SQL: remove the "-- +step" line'],
    ['an unknown kind of step', ['-- +up', '-- +step sometimes', 'SELECT 1;', '-- +down'], [], '"-- +step sometimes" is not a step marker: use one of "-- +step", "-- +step outside transaction", "-- +step offline"'],
    ['step lines in a file whose header says transactional: false', ['-- +up', '-- +step', 'SELECT 1;', '-- +down'], ['-- transactional: false'], 'remove the header line and mark each statement that must run outside a transaction'],
    ['a step line in the header', ['-- +up', 'SELECT 1;', '-- +down'], ['-- +step'], '"-- +step" comes before "-- +up"'],
    ['a step line inside a dollar quote, which a reviewer would take for a marker', ['-- +up', '-- +step', 'SELECT $$', '-- +step outside transaction', '$$;', '-- +down'], [], 'reads "-- +step outside transaction" inside a string, dollar quote or comment'],
  ])('refused: %s', (_label, body, header, message) => {
    expect(() => parse(file(body, header))).toThrow(message);
  });

  test('one transactional step is written without a marker, anything else with one above each step', () => {
    const one = formatMigration({ ...base, summary: [], up: [{ mode: 'transaction', statements: ['SELECT 1;'] }], down: [] });
    expect(one).toContain('-- +up\nSELECT 1;\n\n-- +down\n');
    const two = formatMigration({ ...base, summary: [], up: [{ mode: 'transaction', statements: ['SELECT 1;'] }, { mode: 'outside transaction', statements: ['VACUUM datahub.t;'] }], down: [] });
    expect(two).toContain('-- +up\n-- +step\nSELECT 1;\n-- +step outside transaction\nVACUUM datahub.t;\n');
    expect(parse(two).upSteps.map((s) => s.mode)).toEqual(['transaction', 'outside transaction']);
  });
});
