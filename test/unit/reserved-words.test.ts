// The static reserved-word list agrees with PostgreSQL 18's own lexer (libpg-query); literals
// and names keep every character a reviewer cannot see visible or out, checked on PostgreSQL.
import { scanSync } from 'libpg-query';
import { isReservedWord, RESERVED_WORDS, identifierProblem, quoteIdentifier, quoteLiteral } from '../../lib';
import { headerText } from '../../lib/migrations/migration-file';
import { HIDDEN_CHARACTER } from '../../lib/sql/hidden-characters';
import { useTestDatabase } from '../support/database';

const db = useTestDatabase();

const lexerCategory = (word: string) => scanSync(word).tokens[0]?.keywordName;

test.each([...RESERVED_WORDS])('PostgreSQL reserves "%s"', (word) => {
  expect(['RESERVED_KEYWORD', 'TYPE_FUNC_NAME_KEYWORD']).toContain(lexerCategory(word));
});

test('words PostgreSQL allows as column names are not on the list', () => {
  // Keywords of the other categories, used by Bedrock's tables, and plain words.
  for (const word of ['interval', 'open', 'close', 'name', 'value', 'position', 'time', 'version', 'symbol', 'status']) {
    expect(['UNRESERVED_KEYWORD', 'COL_NAME_KEYWORD', 'NO_KEYWORD']).toContain(lexerCategory(word));
    expect(isReservedWord(word)).toBe(false);
  }
});

describe('identifiers', () => {
  test('valid names are quoted', () => {
    expect(quoteIdentifier('klines')).toBe('"klines"');
    expect(quoteIdentifier('open_time_2')).toBe('"open_time_2"');
  });

  test.each([
    ['', 'the name is empty'],
    ['Klines', 'is not snake_case'],
    ['open__time', 'is not snake_case'],
    ['_private', 'is not snake_case'],
    ['2fa', 'is not snake_case'],
    ['klines"; DROP TABLE x; --', 'is not snake_case'],
    ['a'.repeat(64), 'is 64 bytes long'],
    ['select', 'is a reserved word'],
  ])('"%s" is off the convention: %s', (name, message) => {
    expect(identifierProblem(name)).toContain(message);
  });

  test('quoting refuses only what PostgreSQL cannot hold, and doubles embedded quotes', () => {
    expect(() => quoteIdentifier('')).toThrow('the name is empty');
    expect(() => quoteIdentifier('a'.repeat(64))).toThrow('is 64 bytes long');
    expect(() => quoteIdentifier('a\u0000b')).toThrow('NUL');
    // A name acknowledged off the convention is still quoted safely.
    expect(quoteIdentifier('klines"; DROP TABLE x; --')).toBe('"klines""; DROP TABLE x; --"');
    expect(quoteIdentifier('select')).toBe('"select"');
  });

  test('63 bytes is the longest name', () => {
    expect(identifierProblem('a'.repeat(63))).toBeUndefined();
  });
});

describe('literals', () => {
  test('single quotes are doubled; a backslash makes an escape string, read the same under any standard_conforming_strings', () => {
    expect(quoteLiteral("O'Brien ok")).toBe("'O''Brien ok'");
    expect(quoteLiteral("O'Brien \\ ok")).toBe("E'O''Brien \\\\ ok'");
  });

  test('NUL is refused', () => {
    expect(() => quoteLiteral('a\u0000b')).toThrow('NUL');
  });
});

describe('characters a reviewer cannot see: one definition, used by literals, headers and names', () => {
  // Each with its escape in an E'' literal. Before, the first twelve were missing from every list
  // (quoted raw into literals and headers, accepted in names), and no escape used \U.
  const HIDDEN: readonly [string, string][] = [
    ['\u00ad', '\\u00ad'], // SOFT HYPHEN
    ['\u061c', '\\u061c'], // ARABIC LETTER MARK
    ['\u180e', '\\u180e'], // MONGOLIAN VOWEL SEPARATOR
    ['\u115f', '\\u115f'], // HANGUL CHOSEONG FILLER
    ['\u1160', '\\u1160'], // HANGUL JUNGSEONG FILLER
    ['\u3164', '\\u3164'], // HANGUL FILLER
    ['\uffa0', '\\uffa0'], // HALFWIDTH HANGUL FILLER
    ['\ufe00', '\\ufe00'], // VARIATION SELECTOR-1
    ['\ufe0f', '\\ufe0f'], // VARIATION SELECTOR-16
    ['\u{e0001}', '\\U000e0001'], // LANGUAGE TAG
    ['\u{e0041}', '\\U000e0041'], // TAG LATIN CAPITAL LETTER A
    ['\u{e007f}', '\\U000e007f'], // CANCEL TAG
    ['\u2060', '\\u2060'],
    ['\u2064', '\\u2064'],
    ['\u2066', '\\u2066'],
    ['\u2069', '\\u2069'],
    ['\u200b', '\\u200b'],
    ['\u200f', '\\u200f'],
    ['\u2028', '\\u2028'],
    ['\u2029', '\\u2029'],
    ['\u202a', '\\u202a'],
    ['\u202e', '\\u202e'],
    ['\ufeff', '\\ufeff'],
    ['\u0001', '\\x01'],
    ['\u001b', '\\x1b'],
    ['\u007f', '\\x7f'],
    ['\u0085', '\\u0085'],
    ['\u009f', '\\u009f'],
  ];

  test('every control character and every code point Unicode marks Default_Ignorable is hidden; tab, line feed and carriage return are layout', () => {
    const missing: string[] = [];
    for (let code = 0; code <= 0x10ffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const character = String.fromCodePoint(code);
      const invisible = /[\p{Cc}\p{Default_Ignorable_Code_Point}\u2028\u2029]/u.test(character) && !'\t\n\r'.includes(character);
      if (invisible !== HIDDEN_CHARACTER.test(character)) missing.push(`U+${code.toString(16).toUpperCase()}`);
    }
    expect(missing).toEqual([]);
  });

  // Titled by the escape: the character itself would not show in the test's name.
  const BY_ESCAPE = HIDDEN.map(([character, escape]) => [escape, character]);

  test.each(HIDDEN)('quoteLiteral escapes %j as %s, one visible line', (character, escape) => {
    expect(quoteLiteral(`a${character}'b`)).toBe(`E'a${escape}''b'`);
  });

  test('quoteLiteral of each reads back verbatim on PostgreSQL, under either standard_conforming_strings', async () => {
    const values = HIDDEN.map(([character]) => `a${character}b`);
    expect(values.map(quoteLiteral).join('')).not.toMatch(HIDDEN_CHARACTER);
    for (const setting of ['on', 'off']) {
      await db.query(`SET standard_conforming_strings = ${setting}`);
      const { rows } = await db.query(`SELECT ARRAY[${values.map(quoteLiteral).join(', ')}]::text[] AS value`);
      expect({ setting, value: rows[0].value }).toEqual({ setting, value: values });
    }
    await db.query('RESET standard_conforming_strings');
  });

  test.each(BY_ESCAPE)('headerText writes %s as an escape', (_escape, character) => {
    const code = character.codePointAt(0)!.toString(16).padStart(4, '0');
    expect(headerText(`a${character}b`)).toBe(`a\\u{${code}}b`);
  });

  test.each(BY_ESCAPE)('a name holding %s is refused', (_escape, character) => {
    expect(identifierProblem(`a${character}b`)).toMatch(/^a name contains U\+[0-9A-F]{4,5} \(.+\) at character 2, which a reviewer cannot see \("trojan source"\): remove it$/);
  });

  test('the message names the character', () => {
    expect(identifierProblem('a\u00adb')).toBe('a name contains U+00AD (SOFT HYPHEN) at character 2, which a reviewer cannot see ("trojan source"): remove it');
    expect(identifierProblem('a\u{e0041}b')).toBe('a name contains U+E0041 (a tag character) at character 2, which a reviewer cannot see ("trojan source"): remove it');
    expect(identifierProblem('a\u3164b')).toBe('a name contains U+3164 (HANGUL FILLER) at character 2, which a reviewer cannot see ("trojan source"): remove it');
  });
});
