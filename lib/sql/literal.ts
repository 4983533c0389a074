// The one place where SQL string literals are produced.
import { HIDDEN_CHARACTER, unicodeEscape } from './hidden-characters';

/** Characters that make a literal an escape string: backslashes, layout, and what a reviewer cannot see. */
const NEEDS_ESCAPE = new RegExp(`[\\\\\\t\\n\\r]|${HIDDEN_CHARACTER.source}`, 'u');
/** Every character written as an escape (or doubled, for the quote) inside `E'...'`. */
const ESCAPED = new RegExp(`[\\\\'\\t\\n\\r]|${HIDDEN_CHARACTER.source}`, 'gu');
const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', "'": "''", '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/**
 * Quotes a string as a SQL literal whose meaning does not depend on server settings.
 *
 * Without a backslash, a line break, a tab or a character a reviewer cannot see
 * (hidden-characters.ts), the literal is standard `'...'` with quotes doubled, which reads the
 * same whatever `standard_conforming_strings` says. Otherwise it is an escape string `E'...'`,
 * which PostgreSQL always reads with backslash escapes: backslashes doubled, quotes doubled,
 * and line breaks, controls and invisible characters written as `\n`, `\x1b`, `\u202e` or
 * `\U000e0041`, so a literal is always one visible line in a reviewed file. (A `\u` escape
 * needs a UTF8 server encoding, like the character itself would.) NUL cannot be stored in
 * PostgreSQL text at all and is refused.
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
  return code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : unicodeEscape(code);
}
