// One migration file: `<YYYYMMDD_HHMMSS>_<service>_<description>.sql`, a header that names
// its parent (so the chain is in the files), then the up and down SQL. The one type that
// formats and parses the format; its parser cannot be confused by what the model's strings hold.
import { isCommentToken, scanTokens } from '../sql/parser';
import type { RenderedStep } from '../sql/render-steps';
import { checksumOf } from './checksum';
import { firstHiddenIndex, HIDDEN_CHARACTER, hiddenCharacterProblem } from '../sql/hidden-characters';

export interface Migration {
  /** The file name without `.sql`, e.g. `20250109_120000_datahub_add_klines_table`. */
  readonly id: string;
  readonly service: string;
  /** The migration this one follows, or undefined for the first. */
  readonly parent?: string;
  /**
   * False for a file whose header says `-- transactional: false` (written before steps existed:
   * each statement runs alone, outside a transaction); steps say it with `-- +step outside transaction`.
   */
  readonly transactional: boolean;
  readonly up: string;
  readonly down: string;
  /** The 1-based line of the file on which `up` starts (for messages about its statements). */
  readonly upLine: number;
  /** The 1-based line of the file on which `down` starts. */
  readonly downLine: number;
  /** The up section in steps (one when it has no `-- +step` lines). */
  readonly upSteps: readonly StepText[];
  /** The down section in steps (none when it is empty). */
  readonly downSteps: readonly StepText[];
  /**
   * The version of the renderer that wrote the file (`-- renderer: 2` in the header), or undefined
   * for a file written before the header said so. `check` renders the schema part of a file of
   * the current version again and compares (schema-part-check.ts).
   */
  readonly renderer?: number;
  /** The hand-written data sections (`-- +data ...`), up and down, in file order. */
  readonly dataSections: readonly DataSection[];
  /** sha256 of the file's bytes, hex. */
  readonly checksum: string;
  /** The file's text, exactly as written. */
  readonly text: string;
}

/**
 * How a step runs: in a transaction, alone outside one, in a transaction that holds a table
 * offline, or (a table transfer, see table-transfer.ts) in a transaction as the deploying user.
 */
export type StepMode = 'transaction' | 'outside transaction' | 'offline' | 'transfer';

/** One step of a section as written: its mode, its SQL and where it starts. */
export interface StepText {
  readonly mode: StepMode;
  readonly sql: string;
  /** The 1-based line of the file on which its SQL starts. */
  readonly line: number;
  /**
   * Set for a data section (`-- +data ...`): hand-written DML, not generated. A `-- +data`
   * section runs in one transaction (mode 'transaction'); a batched one runs its statement in
   * key-ordered batches, each in a transaction of its own (mode 'transaction' too: no batch
   * holds a lock beyond its own commit).
   */
  readonly data?: DataDeclaration;
}

/**
 * What a data section's marker declares: hand-written DML run in one transaction (`-- +data`),
 * or one UPDATE or DELETE of one table run in batches of `size` rows in the order of `key`, a
 * unique NOT NULL column (`-- +data batched <schema>.<table> key <column> size <rows>`).
 */
export type DataDeclaration =
  | { readonly kind: 'transaction' }
  | { readonly kind: 'batched'; readonly schema: string; readonly table: string; readonly key: string; readonly size: number };

/** A data section where the file holds it. */
export interface DataSection {
  readonly section: 'up' | 'down';
  readonly declaration: DataDeclaration;
  /** The section's text after its marker line (statements and comments), trimmed; '' when empty. */
  readonly sql: string;
  /** The 1-based line of its marker. */
  readonly markerLine: number;
  /** The 1-based last line that belongs to it (up to the next marker, blank lines included). */
  readonly endLine: number;
  /** The 1-based line on which its text starts (the marker's line + 1 when empty). */
  readonly line: number;
  /** Its index among the section's steps (data sections included). */
  readonly step: number;
}

export const STEP = '-- +step';
const STEP_MARKERS: ReadonlyMap<string, StepMode> = new Map<string, StepMode>([
  [STEP, 'transaction'],
  [`${STEP} outside transaction`, 'outside transaction'],
  [`${STEP} offline`, 'offline'],
  [`${STEP} transfer`, 'transfer'],
]);

/** The marker line of a step in `mode`. */
export function stepMarker(mode: StepMode): string {
  return [...STEP_MARKERS].find(([, m]) => m === mode)![0];
}

export const DATA = '-- +data';
const BATCHED = /^-- \+data batched ([a-z_][a-z0-9_]{0,62})\.([a-z_][a-z0-9_]{0,62}) key ([a-z_][a-z0-9_]{0,62}) size ([1-9][0-9]{0,8})$/;
const DATA_FORMS = `"${DATA}" or "${DATA} batched <schema>.<table> key <column> size <rows>"`;

/** The marker line of a data section. */
export function dataMarker(declaration: DataDeclaration): string {
  if (declaration.kind === 'transaction') return DATA;
  return `${DATA} batched ${declaration.schema}.${declaration.table} key ${declaration.key} size ${declaration.size}`;
}

/** The declaration a data marker line makes, or undefined when the line is not one of the two forms. */
export function dataDeclarationOf(text: string): DataDeclaration | undefined {
  if (text === DATA) return { kind: 'transaction' };
  const match = BATCHED.exec(text);
  if (!match) return undefined;
  return { kind: 'batched', schema: match[1], table: match[2], key: match[3], size: Number(match[4]) };
}

/**
 * The version of the renderer (lib/sql/, online forms, step grouping, header) this code writes,
 * in the header of every migration `generate` writes (`-- renderer: 2`). `check` renders the
 * schema part of every file of this version again from its snapshots and refuses any difference
 * outside the data sections. Bump it whenever what `generate` writes for a transition changes:
 * files of an older version are then taken as written (they were generated by code that no
 * longer exists, and by then applied somewhere, where the ledger's checksum guards them).
 * Files without the line (version 1) predate the rule.
 */
export const RENDERER = 2;

const NAME = /^(\d{8})_(\d{6})_([a-z][a-z0-9_]*)\.sql$/;
const DESCRIPTION = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const UP = '-- +up';
const DOWN = '-- +down';

export { checksumOf };

/** `20250109_120000` for a date, in UTC. */
export function timestampOf(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}_${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

/** What is wrong with a description for a migration name, or undefined. */
export function descriptionProblem(description: string): string | undefined {
  if (!DESCRIPTION.test(description)) {
    return `the description "${description}" is not snake_case: use lower-case words joined by single underscores, e.g. add_klines_table`;
  }
  if (description.length > 100) return 'the description is longer than 100 characters: say it shorter';
  return undefined;
}

/** What is wrong with a migration file name for `service`, or undefined. */
export function fileNameProblem(fileName: string, service: string): string | undefined {
  const match = NAME.exec(fileName);
  const convention = `<YYYYMMDD_HHMMSS>_${service}_<description>.sql`;
  if (!match) return `${fileName}: the name must follow ${convention}`;
  const [, day, time, rest] = match;
  const when = new Date(`${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}T${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4, 6)}Z`);
  if (isNaN(when.getTime()) || timestampOf(when) !== `${day}_${time}`) return `${fileName}: ${day}_${time} is not a valid UTC timestamp (YYYYMMDD_HHMMSS)`;
  if (!rest.startsWith(`${service}_`)) return `${fileName}: the name must follow ${convention} (it belongs to service ${service})`;
  const problem = descriptionProblem(rest.slice(service.length + 1));
  return problem ? `${fileName}: ${problem}` : undefined;
}

/** A step as the generator hands it over: its mode and its statements. */
type StepStatements = RenderedStep;

export interface MigrationContent {
  readonly id: string;
  readonly service: string;
  readonly parent?: string;
  readonly summary: readonly string[];
  readonly destructive: readonly string[];
  /** Changes that hold a table with rows under ACCESS EXCLUSIVE for a whole rewrite (up, then down). */
  readonly offline?: readonly string[];
  readonly offlineDown?: readonly string[];
  /** Statements (one transactional step), or steps (and data sections, in their places). */
  readonly up: readonly string[] | readonly SectionItem[];
  readonly down: readonly string[] | readonly SectionItem[];
  /** Written as `-- renderer: <n>` in the header (generate writes RENDERER). @default no such line */
  readonly renderer?: number;
  /**
   * A migration with data sections: every step gets its marker line (SQL before a first marker
   * would be refused), and the header says which parts are hand-written. @default false
   */
  readonly dataMode?: boolean;
}

/** A data section as formatted: its declaration and its text (hand-written, or the template generate writes). */
export interface DataSectionText {
  readonly data: DataDeclaration;
  /** Lines of statements and comments, written after the marker as they are; '' for none. */
  readonly body: string;
}

/** One item of a section: a generated step, or a data section. */
export type SectionItem = StepStatements | DataSectionText;

/** Whether a section item is a data section. */
export function isDataSectionText(item: SectionItem): item is DataSectionText {
  return 'data' in item;
}

/** The header line of a migration with data sections: which of its parts a person wrote. */
export const DATA_HEADER = '-- Hand-written: the "-- +data" sections (DML, judged by `check`). Everything else is generated: `check` renders it again and refuses any edit.';

/**
 * The lines of a section. One transactional step is written without a marker, as files were
 * before steps existed; anything else with a marker line above each step.
 */
function sectionLines(content: readonly string[] | readonly SectionItem[], markers: boolean): string[] {
  if (content.length === 0 || typeof content[0] === 'string') return [...(content as readonly string[])];
  const items = content as readonly SectionItem[];
  if (!markers && items.length === 1 && !isDataSectionText(items[0]) && items[0].mode === 'transaction') return [...items[0].statements];
  return items.flatMap((item) => (isDataSectionText(item) ? [dataMarker(item.data), ...(item.body === '' ? [] : [item.body])] : [stepMarker(item.mode), ...item.statements]));
}

/** The text of a generated migration file. Deterministic: same content, same bytes. */
export function formatMigration(content: MigrationContent): string {
  const markers = content.dataMode === true;
  const lines = [
    `-- Migration ${content.id}`,
    `-- service: ${content.service}`,
    `-- parent: ${content.parent ?? 'none'}`,
    ...(content.renderer !== undefined ? [`-- renderer: ${content.renderer}`] : []),
    '--',
    ...content.summary.map((s) => `--   ${headerText(s)}`),
    ...(content.destructive.length > 0 ? ['--', '-- Destroys data:', ...content.destructive.map((d) => `--   ${headerText(d)}`)] : []),
    ...offlineLines('Not online', content.offline),
    ...offlineLines('Not online when rolled back', content.offlineDown),
    '--',
    ...(markers ? [DATA_HEADER] : []),
    '-- Generated by `npm run bedrock -- generate`. Once applied anywhere, never edit it: generate a new one.',
    '',
    UP,
    ...sectionLines(content.up, markers),
    '',
    DOWN,
    ...sectionLines(content.down, markers),
    '',
  ];
  return lines.join('\n');
}

function offlineLines(heading: string, lines: readonly string[] | undefined): string[] {
  if (!lines || lines.length === 0) return [];
  return ['--', `-- ${heading} (a table with rows is locked for reads and writes while it runs; the environment may refuse it above offlineChangeMaxRows):`, ...lines.map((l) => `--   ${headerText(l)}`)];
}

/**
 * A model value as header text: one line, every invisible character visible. Summaries quote
 * names, defaults and enum labels, which may hold anything (a newline followed by `-- +up`,
 * a bidi override); escaped, a header line can never end early or read as something else.
 */
export function headerText(value: string): string {
  return value.replace(INVISIBLE, (c) => `\\u{${c.codePointAt(0)!.toString(16).padStart(4, '0')}}`);
}

/** Line breaks and every character a reviewer cannot see (hidden-characters.ts); tabs stay. */
export const INVISIBLE = new RegExp(`[\\n\\r]|${HIDDEN_CHARACTER.source}`, 'gu');

/**
 * Parses a migration file; throws with the file name and what is wrong. The file is read with
 * PostgreSQL's own scanner: the markers `-- +up` and `-- +down` count only as comment tokens
 * on a line of their own, so a marker inside a string literal, a dollar quote or a C-style
 * comment is SQL like any other; the header before `-- +up` may hold nothing but comments,
 * and each marker and header field must appear exactly once.
 */
export function parseMigration(fileName: string, text: string): Migration {
  // Synth reads each service's files once per environment: scanning is the costly part.
  const key = `${fileName}\u0000${text}`;
  let parsed = parsedFiles.get(key);
  if (!parsed) {
    parsed = parseMigrationText(fileName, text);
    parsedFiles.set(key, parsed);
  }
  return parsed;
}

const parsedFiles = new Map<string, Migration>();

function parseMigrationText(fileName: string, text: string): Migration {
  const id = fileName.replace(/\.sql$/, '');
  const hidden = hiddenCharacterProblem(text);
  if (hidden) throw new Error(`${fileName}: line ${text.slice(0, firstHiddenIndex(text)).split('\n').length}: ${hidden.replace(/ at character \d+/, '')}`);
  const bytes = Buffer.from(text, 'utf8');
  const comments = lineComments(fileName, text, bytes);
  const marker = (name: string) => {
    const found = comments.all.filter((c) => c.text === name);
    if (found.length !== 1) throw new Error(`${fileName}: expected exactly one line "${name}" outside any SQL string, found ${found.length}`);
    return found[0];
  };
  const up = marker(UP);
  const down = marker(DOWN);
  refuseLookalikeMarkers(fileName, text, [up, down, ...comments.all.filter((c) => isMarkerLine(c.text))]);
  if (down.start < up.start) throw new Error(`${fileName}: the line "${DOWN}" must come after the line "${UP}"`);
  const early = comments.all.find((c) => c.start < up.start && isMarkerLine(c.text));
  if (early) throw new Error(`${fileName}: line ${lineAt(bytes, early.start)}: "${early.text}" comes before "${UP}": steps and data sections belong in the up and down sections`);
  if (comments.firstSql !== undefined && comments.firstSql < up.start) {
    throw new Error(`${fileName}: line ${lineAt(bytes, comments.firstSql)} is SQL before the line "${UP}": the header holds only comments; put SQL after "${UP}" (or "${DOWN}")`);
  }
  const header = headerFields(fileName, comments.all.filter((c) => c.start < up.start));
  const upText = section(bytes, up.end, down.start);
  const downText = section(bytes, down.end, bytes.length);
  const dataSections: DataSection[] = [];
  const steps = (name: string, from: number, to: number, text: { text: string; start: number }): StepText[] => {
    const markers = comments.all.filter((c) => c.start > from && c.start < to && isMarkerLine(c.text));
    const section = name === UP ? 'up' : 'down';
    return sectionSteps(fileName, name, bytes, comments.firstSqlIn(from, to), markers, to, text, header.transactional, (data) => dataSections.push({ ...data, section }));
  };
  const upSteps = steps(UP, up.end, down.start, upText);
  const downSteps = steps(DOWN, down.end, bytes.length, downText);
  return {
    id,
    service: header.service,
    ...(header.parent !== 'none' ? { parent: header.parent } : {}),
    ...(header.renderer !== undefined ? { renderer: header.renderer } : {}),
    dataSections,
    transactional: header.transactional,
    up: upText.text,
    down: downText.text,
    upLine: lineAt(bytes, upText.start),
    downLine: lineAt(bytes, downText.start),
    upSteps,
    downSteps,
    checksum: checksumOf(text),
    text,
  };
}

/**
 * A line that reads `-- +up` or `-- +down` but is inside a string, dollar quote or C comment is
 * SQL to PostgreSQL, yet a reviewer reading the file takes it for the marker: refused.
 */
function refuseLookalikeMarkers(fileName: string, text: string, markers: readonly LineComment[]): void {
  let offset = 0;
  text.split('\n').forEach((line, index) => {
    const trimmed = line.replace(/[ \t\r]+$/, '');
    if ((trimmed === UP || trimmed === DOWN || isMarkerLine(trimmed)) && !markers.some((m) => m.start === offset)) {
      throw new Error(`${fileName}: line ${index + 1} reads "${trimmed}" inside a string, dollar quote or comment: a reviewer would take it for the marker; write the line break as \\n in an E'' literal`);
    }
    offset += Buffer.byteLength(line, 'utf8') + 1;
  });
}

interface LineComment {
  /** The comment without trailing blanks, e.g. `-- +up`. */
  readonly text: string;
  /** Byte offsets in the file. */
  readonly start: number;
  readonly end: number;
}

/**
 * The `--` comments that start a line, and where the first SQL token is. A file that does
 * not scan (an unterminated quote or comment) is refused: its markers would be ambiguous.
 */
function lineComments(fileName: string, text: string, bytes: Buffer): { all: LineComment[]; firstSql?: number; firstSqlIn(from: number, to: number): number | undefined } {
  const tokens = scanTokens(text);
  if (!tokens) throw new Error(`${fileName}: it does not scan as SQL (an unterminated quoted string, dollar quote or comment): close it`);
  const all: LineComment[] = [];
  const sqlStarts: number[] = [];
  for (const token of tokens) {
    if (!isCommentToken(token)) sqlStarts.push(token.start);
    const startsLine = token.start === 0 || bytes[token.start - 1] === NEWLINE;
    if (token.tokenName === 'SQL_COMMENT' && startsLine) {
      all.push({ text: bytes.subarray(token.start, token.end).toString('utf8').replace(/[ \t\r]+$/, ''), start: token.start, end: token.end });
    }
  }
  return { all, firstSql: sqlStarts[0], firstSqlIn: (from, to) => sqlStarts.find((start) => start >= from && start < to) };
}

/** `-- +step` and what may follow it (anything: an unknown kind is refused by name, not ignored). */
function isStepLine(text: string): boolean {
  return text === STEP || text.startsWith(`${STEP} `);
}

/** `-- +data` and what may follow it (likewise refused by name when it is not one of the two forms). */
function isDataLine(text: string): boolean {
  return text === DATA || text.startsWith(`${DATA} `);
}

/** A line that starts a step or a data section. */
function isMarkerLine(text: string): boolean {
  return isStepLine(text) || isDataLine(text);
}

/**
 * A section's steps. Without `-- +step` lines the section is one step (the files written before
 * steps existed keep their bytes and meaning; a header `-- transactional: false` runs it outside
 * a transaction, statement by statement). With them, no SQL may come before the first, every
 * step holds SQL, and each marker is one of the known kinds.
 */
function sectionSteps(
  fileName: string,
  name: string,
  bytes: Buffer,
  firstSql: number | undefined,
  markers: readonly LineComment[],
  to: number,
  whole: { text: string; start: number },
  transactional: boolean,
  onData: (data: Omit<DataSection, 'section'>) => void,
): StepText[] {
  if (markers.length === 0) {
    if (whole.text === '') return [];
    return [{ mode: transactional ? 'transaction' : 'outside transaction', sql: whole.text, line: lineAt(bytes, whole.start) }];
  }
  if (!transactional) throw new Error(`${fileName}: the header says "-- transactional: false" and the file has "${markers[0].text}" lines: remove the header line and mark each statement that must run outside a transaction "${STEP} outside transaction"`);
  if (firstSql !== undefined && firstSql < markers[0].start) {
    throw new Error(`${fileName}: line ${lineAt(bytes, firstSql)}: SQL after "${name}" before its first "${STEP}" line: with steps, every statement belongs to one; put a "${STEP}" line above it`);
  }
  return markers.map((marker, i) => {
    const end = i + 1 < markers.length ? markers[i + 1].start : to;
    const text = section(bytes, marker.end, end);
    const markerLine = lineAt(bytes, marker.start);
    if (isDataLine(marker.text)) {
      const data = dataDeclarationOf(marker.text);
      if (!data) throw new Error(`${fileName}: line ${markerLine}: "${marker.text}" is not a data marker: use ${DATA_FORMS} (the table qualified with its schema, names in lower case)`);
      // An empty data section parses (generate writes one, commented, for a person to fill);
      // `check` refuses it until it holds its DML.
      const line = text.text === '' ? markerLine + 1 : lineAt(bytes, text.start);
      onData({ declaration: data, sql: text.text, markerLine, endLine: lineAt(bytes, end) - (end < bytes.length || bytes[bytes.length - 1] === NEWLINE ? 1 : 0), line, step: i });
      return { mode: 'transaction', sql: text.text, line, data };
    }
    const mode = STEP_MARKERS.get(marker.text);
    if (!mode) throw new Error(`${fileName}: line ${markerLine}: "${marker.text}" is not a step marker: use one of ${[...STEP_MARKERS.keys()].map((k) => `"${k}"`).join(', ')}`);
    if (text.text === '') throw new Error(`${fileName}: line ${markerLine}: the step holds no SQL: remove the "${marker.text}" line`);
    return { mode, sql: text.text, line: lineAt(bytes, text.start) };
  });
}

const NEWLINE = 0x0a;

function headerFields(fileName: string, comments: readonly LineComment[]): { service: string; parent: string; transactional: boolean; renderer?: number } {
  const fields = new Map<string, string>();
  for (const comment of comments) {
    const match = /^-- (service|parent|transactional|renderer): (.*)$/.exec(comment.text);
    if (!match) continue;
    if (fields.has(match[1])) throw new Error(`${fileName}: the header has two "-- ${match[1]}:" lines: keep one`);
    fields.set(match[1], match[2].trim());
  }
  const service = fields.get('service');
  if (!service) throw new Error(`${fileName}: the header has no "-- service: <name>" line`);
  const parent = fields.get('parent');
  if (parent === undefined) throw new Error(`${fileName}: the header has no "-- parent: <id or none>" line`);
  const transactional = fields.get('transactional') ?? 'true';
  if (transactional !== 'true' && transactional !== 'false') throw new Error(`${fileName}: "-- transactional:" must be true or false`);
  const renderer = fields.get('renderer');
  if (renderer !== undefined && !/^[1-9][0-9]{0,3}$/.test(renderer)) throw new Error(`${fileName}: "-- renderer:" must be a whole number (generate writes "-- renderer: ${RENDERER}")`);
  return { service, parent, transactional: transactional === 'true', ...(renderer !== undefined ? { renderer: Number(renderer) } : {}) };
}

/** The text between two byte offsets, trimmed, and the byte offset where it starts. */
function section(bytes: Buffer, from: number, to: number): { text: string; start: number } {
  const raw = bytes.subarray(from, to).toString('utf8');
  const leading = raw.length - raw.trimStart().length;
  return { text: raw.trim(), start: from + Buffer.byteLength(raw.slice(0, leading), 'utf8') };
}

/** The 1-based line of a byte offset. */
function lineAt(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === NEWLINE) line++;
  return line;
}
