// The static reserved-word list agrees with PostgreSQL 18's own lexer (libpg-query).
import { scanSync } from 'libpg-query';
import { isReservedWord, RESERVED_WORDS, identifierProblem, quoteIdentifier, quoteLiteral } from '../../lib';

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
