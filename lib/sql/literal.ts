// The one place where SQL string literals are produced.

/** Characters a reviewer cannot see or that break a line: C0/C1 controls, DEL, bidi and zero-width marks. */
const NEEDS_ESCAPE = /[\\\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/u;
const ESCAPED = /[\\'\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;
const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', "'": "''", '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/**
 * Quotes a string as a SQL literal whose meaning does not depend on server settings.
 *
 * Without a backslash or an invisible character the literal is standard `'...'` with quotes
 * doubled, which reads the same whatever `standard_conforming_strings` says. Otherwise it is
 * an escape string `E'...'`, which PostgreSQL always reads with backslash escapes: backslashes
 * doubled, quotes doubled, and line breaks, controls and bidi/zero-width marks written as
 * `\n`, `\x1b`, `\u202e`, so a literal is always one visible line in a reviewed file. (A
 * `\u` escape needs a UTF8 server encoding, like the character itself would.) NUL cannot be
 * stored in PostgreSQL text at all and is refused.
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) throw new Error('A SQL literal cannot contain the NUL character (\\u0000)');
  if (!NEEDS_ESCAPE.test(value)) return `'${value.replace(/'/g, "''")}'`;
  return `E'${value.replace(ESCAPED, escapeCharacter)}'`;
}

function escapeCharacter(character: string): string {
  const short = SHORT_ESCAPES[character];
  if (short !== undefined) return short;
  const code = character.codePointAt(0)!;
  return code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
