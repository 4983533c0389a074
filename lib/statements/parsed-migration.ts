// A migration's up and down, parsed by PostgreSQL's grammar (libpg-query) into statements with
// the line each starts on in the file, plus its `--` comments (for acknowledgements). Parsed
// once per file content: synth judges the same migrations for every environment.
import * as pgQuery from 'libpg-query';
import { Migration } from '../migrations/migration-file';
import { BoundedCache } from './bounded-cache';
import { isCommentToken, parseScript, scanTokens } from '../sql/parser';
import { ParsedStatement } from './statement-rule';
import { statementLabel, Token } from './statement-label';

export interface SectionSyntaxError {
  readonly section: 'up' | 'down';
  readonly line: number;
  /** PostgreSQL's message, e.g. `syntax error at or near "SELEC"`. */
  readonly message: string;
}

export interface LineComment {
  readonly line: number;
  /** The comment as written, e.g. `-- bedrock:acknowledge BEDROCK-S3 backfill`. */
  readonly text: string;
}

export interface ParsedMigration {
  readonly statements: readonly ParsedStatement[];
  readonly syntaxErrors: readonly SectionSyntaxError[];
  /** `--` comments of up and down, found by the scanner: never text inside a string literal. */
  readonly comments: readonly LineComment[];
}

const parsed = new BoundedCache<ParsedMigration>();

/** The parsed migration, from the cache when a file with the same checksum was parsed before. */
export function parsedMigration(migration: Migration): ParsedMigration {
  return parsed.get(migration.checksum, () => {
    const up = parseSection('up', migration.up, migration.upLine);
    const down = parseSection('down', migration.down, migration.downLine);
    return {
      statements: [...up.statements, ...down.statements],
      syntaxErrors: [...up.syntaxErrors, ...down.syntaxErrors],
      comments: [...up.comments, ...down.comments],
    };
  });
}

function parseSection(section: 'up' | 'down', text: string, firstLine: number): ParsedMigration {
  const lines = new LineIndex(text, firstLine);
  const tokens = scan(text);
  const comments = tokens.filter((t) => t.tokenName === 'SQL_COMMENT').map((t) => ({ line: lines.atByte(t.start), text: lines.bytes.subarray(t.start, t.end).toString('utf8') }));
  // An empty section (a down with nothing to undo) holds no statement; the parser refuses ''.
  if (text.trim() === '') return { statements: [], syntaxErrors: [], comments };
  let result: pgQuery.ParseResult;
  try {
    result = parseScript(text);
  } catch (error) {
    const position = (error as pgQuery.SqlError).sqlDetails?.cursorPosition ?? 0;
    return { statements: [], syntaxErrors: [{ section, line: lines.atCharacter(position), message: (error as Error).message }], comments };
  }
  let cursor = 0;
  const statements = (result.stmts ?? []).map((raw): ParsedStatement => {
    const location = raw.stmt_location ?? 0;
    const end = raw.stmt_len ? location + raw.stmt_len : lines.bytes.length;
    // The statement's first token, past any comment PostgreSQL counts into the statement
    // (statements come in order, so the search goes on from the previous one).
    while (cursor < tokens.length && (tokens[cursor].start < location || isCommentToken(tokens[cursor]))) cursor++;
    const first = cursor < tokens.length && tokens[cursor].start < end ? cursor : -1;
    const [[kind, node]] = Object.entries(raw.stmt as unknown as Record<string, Record<string, unknown>>);
    return { kind, node, section, label: (first >= 0 ? statementLabel(tokens, first, end) : '') || kind, line: lines.atByte(first >= 0 ? tokens[first].start : location) };
  });
  return { statements, syntaxErrors: [], comments };
}

// The file was scanned whole when it was read; a section that does not scan on its own fails
// to parse too, and that error is reported.
const scan = (text: string): Token[] => scanTokens(text) ?? [];

/**
 * Lines of a section. libpg-query reports statement locations and tokens in bytes of the
 * UTF-8 text, and a syntax error's position in characters (code points): both are converted.
 */
class LineIndex {
  readonly bytes: Buffer;
  private readonly newlines: number[] = [];

  constructor(
    private readonly text: string,
    private readonly firstLine: number,
  ) {
    this.bytes = Buffer.from(text, 'utf8');
    for (let i = 0; i < this.bytes.length; i++) if (this.bytes[i] === 0x0a) this.newlines.push(i);
  }

  /** The file line of a byte offset. */
  atByte(offset: number): number {
    let low = 0;
    let high = this.newlines.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.newlines[middle] < offset) low = middle + 1;
      else high = middle;
    }
    return this.firstLine + low;
  }

  /** The file line of a character (code point) offset. */
  atCharacter(position: number): number {
    let units = 0;
    for (let seen = 0; seen < position && units < this.text.length; seen++) units += this.text.codePointAt(units)! > 0xffff ? 2 : 1;
    return this.atByte(Buffer.byteLength(this.text.slice(0, units), 'utf8'));
  }
}
