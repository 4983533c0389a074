// Characters a reviewer cannot see or PostgreSQL cannot store: the one definition. SQL written
// in the model is reviewed as text: a bidi override or a zero-width space can make it read
// differently from what runs ("trojan source"), and a NUL cannot be held by any PostgreSQL text
// value. Identifiers and expressions refuse these characters; literals (literal.ts) and
// migration headers (migration-file.ts) write them as escapes.
//
// The set: the C0 and C1 controls and DEL except tab, line feed and carriage return (ordinary
// layout in SQL), LINE and PARAGRAPH SEPARATOR, and every code point Unicode marks
// Default_Ignorable_Code_Point (shown as nothing unless a font chooses otherwise: bidi
// controls, zero-width marks, fillers, variation selectors, tag characters, and the code
// points reserved for more of them). A test compares the list with \p{Default_Ignorable_Code_Point}.

/** Inclusive code point ranges, each with what to call a character of it. */
const RANGES: readonly (readonly [from: number, to: number, name: string | readonly string[]])[] = [
  [0x00, 0x08, 'a control character'],
  [0x0b, 0x0c, 'a control character'],
  [0x0e, 0x1f, 'a control character'],
  [0x7f, 0x7f, 'DELETE'],
  [0x80, 0x9f, 'a control character'],
  [0xad, 0xad, 'SOFT HYPHEN'],
  [0x34f, 0x34f, 'COMBINING GRAPHEME JOINER'],
  [0x61c, 0x61c, 'ARABIC LETTER MARK'],
  [0x115f, 0x1160, ['HANGUL CHOSEONG FILLER', 'HANGUL JUNGSEONG FILLER']],
  [0x17b4, 0x17b5, ['KHMER VOWEL INHERENT AQ', 'KHMER VOWEL INHERENT AA']],
  [0x180b, 0x180d, 'a Mongolian free variation selector'],
  [0x180e, 0x180e, 'MONGOLIAN VOWEL SEPARATOR'],
  [0x180f, 0x180f, 'a Mongolian free variation selector'],
  [0x200b, 0x200f, ['ZERO WIDTH SPACE', 'ZERO WIDTH NON-JOINER', 'ZERO WIDTH JOINER', 'LEFT-TO-RIGHT MARK', 'RIGHT-TO-LEFT MARK']],
  [0x2028, 0x2029, ['LINE SEPARATOR', 'PARAGRAPH SEPARATOR']],
  [
    0x202a,
    0x202e,
    ['LEFT-TO-RIGHT EMBEDDING', 'RIGHT-TO-LEFT EMBEDDING', 'POP DIRECTIONAL FORMATTING', 'LEFT-TO-RIGHT OVERRIDE', 'RIGHT-TO-LEFT OVERRIDE'],
  ],
  [0x2060, 0x2064, ['WORD JOINER', 'FUNCTION APPLICATION', 'INVISIBLE TIMES', 'INVISIBLE SEPARATOR', 'INVISIBLE PLUS']],
  [0x2065, 0x2065, 'a reserved invisible code point'],
  [0x2066, 0x2069, ['LEFT-TO-RIGHT ISOLATE', 'RIGHT-TO-LEFT ISOLATE', 'FIRST STRONG ISOLATE', 'POP DIRECTIONAL ISOLATE']],
  [0x206a, 0x206f, 'a deprecated format character'],
  [0x3164, 0x3164, 'HANGUL FILLER'],
  [0xfe00, 0xfe0f, 'a variation selector'],
  [0xfeff, 0xfeff, 'ZERO WIDTH NO-BREAK SPACE'],
  [0xffa0, 0xffa0, 'HALFWIDTH HANGUL FILLER'],
  [0xfff0, 0xfff8, 'a reserved invisible code point'],
  [0x1bca0, 0x1bca3, 'a shorthand format control'],
  [0x1d173, 0x1d17a, 'a musical symbol format control'],
  [0xe0000, 0xe007f, 'a tag character'],
  [0xe0080, 0xe00ff, 'a reserved invisible code point'],
  [0xe0100, 0xe01ef, 'a variation selector'],
  [0xe01f0, 0xe0fff, 'a reserved invisible code point'],
];

const classEscape = (code: number): string => `\\u{${code.toString(16)}}`;

/**
 * One character a reviewer cannot see (NUL included). Not global, so `test` keeps no state;
 * to find every one, or to extend the set, build a RegExp from its `source` with flag `u`.
 */
export const HIDDEN_CHARACTER = new RegExp(`[${RANGES.map(([from, to]) => (from === to ? classEscape(from) : `${classEscape(from)}-${classEscape(to)}`)).join('')}]`, 'u');

/**
 * The character as PostgreSQL's E'' string literal writes it: `\u202e`, or `\U000e0041`
 * above U+FFFF (`\u` takes exactly four hex digits, `\U` eight).
 */
export function unicodeEscape(code: number): string {
  return code > 0xffff ? `\\U${code.toString(16).padStart(8, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `U+202E (RIGHT-TO-LEFT OVERRIDE)` */
export function codePointLabel(code: number): string {
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  return `U+${hex} (${nameOf(code)})`;
}

function nameOf(code: number): string {
  const range = RANGES.find(([from, to]) => code >= from && code <= to);
  if (!range) return 'a visible character';
  const [from, , name] = range;
  return typeof name === 'string' ? name : name[code - from];
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
  const index = firstHiddenIndex(sql);
  if (index < 0) return undefined;
  const code = sql.codePointAt(index)!;
  const position = [...sql.slice(0, index)].length + 1;
  return (
    `it contains ${codePointLabel(code)} at character ${position}, which a reviewer cannot see ("trojan source"): ` +
    `remove it, or if a value needs it, write it as an escape inside an E'' string literal, e.g. E'${unicodeEscape(code)}'`
  );
}

/** The UTF-16 index of the first hidden character (or NUL) in `text`, or -1. */
export function firstHiddenIndex(text: string): number {
  return text.search(HIDDEN_CHARACTER);
}
