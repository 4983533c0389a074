// How messages name a statement: its leading keywords as the author wrote them (`DROP TABLE`,
// `SET ROLE`, `CREATE UNIQUE INDEX`), read from PostgreSQL's scanner so a name is never taken
// for a keyword by mistake of a regular expression.

/** A token of libpg-query's scanner; offsets are bytes of the scanned text. */
export interface Token {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly tokenName: string;
  /** 0 when the token is no keyword. */
  readonly keywordKind: number;
}

/** Words that change how a statement runs, not what it is: left out of the label. */
const MODIFIERS = new Set(['IF', 'NOT', 'EXISTS', 'OR', 'REPLACE', 'ONLY', 'CONCURRENTLY', 'TEMP', 'TEMPORARY', 'UNLOGGED', 'LOCAL']);

const MAX_WORDS = 3;

/** The label of the statement whose first token is `tokens[first]` and which ends before byte `end`. */
export function statementLabel(tokens: readonly Token[], first: number, end: number): string {
  const words: string[] = [];
  for (let i = first; i < tokens.length && tokens[i].start < end && words.length < MAX_WORDS; i++) {
    const token = tokens[i];
    const next = tokens[i + 1];
    // A keyword followed by `.` or `(` is used as a name (`data.klines`, `coalesce(`).
    if (token.keywordKind === 0 || (next !== undefined && next.start < end && (next.text === '.' || next.text === '('))) break;
    const word = token.text.toUpperCase();
    if (!MODIFIERS.has(word)) words.push(word);
  }
  return words.join(' ');
}
