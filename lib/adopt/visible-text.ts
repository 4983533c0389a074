// Text from a legacy catalog shown to a person (in a terminal, in a written file): every
// character a reader cannot see, and every line break or escape sequence that could rewrite
// what the terminal shows, written as an escape. The set is the one definition of hidden
// characters (lib/sql/hidden-characters.ts), plus tab, line feed and carriage return.
import { HIDDEN_CHARACTER } from '../sql/hidden-characters';

const escape = (code: number): string => (code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`);

/** `text` with hidden characters and line breaks as `\uXXXX` (and backslashes doubled when `backslashes`, as a string literal needs). */
export function visibleText(text: string, options: { readonly backslashes?: boolean } = {}): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '\\' && options.backslashes) out += '\\\\';
    else if (code === 0x09 || code === 0x0a || code === 0x0d || HIDDEN_CHARACTER.test(char)) out += escape(code);
    else out += char;
  }
  return out;
}
