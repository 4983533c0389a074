// Characters a reviewer cannot see or PostgreSQL cannot store. SQL written in the model is
// reviewed as text: a bidi override or a zero-width space can make it read differently from
// what runs ("trojan source"), and a NUL cannot be held by any PostgreSQL text value.

const NAMES: Readonly<Record<number, string>> = {
  0x200b: 'ZERO WIDTH SPACE',
  0x200c: 'ZERO WIDTH NON-JOINER',
  0x200d: 'ZERO WIDTH JOINER',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x2028: 'LINE SEPARATOR',
  0x2029: 'PARAGRAPH SEPARATOR',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x2060: 'WORD JOINER',
  0x2061: 'FUNCTION APPLICATION',
  0x2062: 'INVISIBLE TIMES',
  0x2063: 'INVISIBLE SEPARATOR',
  0x2064: 'INVISIBLE PLUS',
  0x2066: 'LEFT-TO-RIGHT ISOLATE',
  0x2067: 'RIGHT-TO-LEFT ISOLATE',
  0x2068: 'FIRST STRONG ISOLATE',
  0x2069: 'POP DIRECTIONAL ISOLATE',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE',
  0x7f: 'DELETE',
};

/** Tab, newline and carriage return are ordinary layout in SQL; other controls are not. */
function isHidden(code: number): boolean {
  if (code === 0x09 || code === 0x0a || code === 0x0d) return false;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || NAMES[code] !== undefined;
}

/** `U+202E (RIGHT-TO-LEFT OVERRIDE)` */
export function codePointLabel(code: number): string {
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  return `U+${hex} (${NAMES[code] ?? 'a control character'})`;
}

/** The problem with a NUL in text PostgreSQL should store, or undefined. */
export function nulCharacterProblem(text: string): string | undefined {
  const at = text.indexOf('\u0000');
  if (at < 0) return undefined;
  return `it cannot contain the NUL character (U+0000), found at character ${at + 1}: PostgreSQL cannot store it in text; remove it`;
}

/**
 * The first character of hand-written SQL that a reviewer cannot see (or a NUL), with the
 * fix, or undefined.
 */
export function hiddenCharacterProblem(sql: string): string | undefined {
  const nul = nulCharacterProblem(sql);
  if (nul) return nul;
  let position = 0;
  for (const character of sql) {
    position += 1;
    const code = character.codePointAt(0)!;
    if (isHidden(code)) {
      const escape = `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
      return (
        `it contains ${codePointLabel(code)} at character ${position}, which a reviewer cannot see ("trojan source"): ` +
        `remove it, or if a value needs it, write it as an escape inside an E'' string literal, e.g. E'${escape}'`
      );
    }
  }
  return undefined;
}

/** The UTF-16 index of the first hidden character (or NUL) in `text`, or -1. */
export function firstHiddenIndex(text: string): number {
  let index = 0;
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if (code === 0 || isHidden(code)) return index;
    index += character.length;
  }
  return -1;
}
