// Decision records (ADRs): where they live and what a link to one may look like. A construct
// that records an exception to ownership (a shared writer, a transferred table) links the
// record of the decision; the link is checked here when the construct is built, and the rule
// BEDROCK-O8 (lib/rules/decision-records-exist.ts) checks at synth that the file exists.
import { HIDDEN_CHARACTER } from '../sql/hidden-characters';

/** The folder of the decision records, relative to the project's folder (posix separators). */
export const DECISION_RECORD_FOLDER = 'docs/adr';

/** A record's slug is at most this long, so that file names stay readable in a listing. */
export const MAX_DECISION_SLUG_LENGTH = 60;

/** The command that writes a new record, for messages. */
export const NEW_DECISION_RECORD_COMMAND = 'npm run bedrock -- adr new';

/** An example link, for messages. */
export const EXAMPLE_DECISION_RECORD = `${DECISION_RECORD_FOLDER}/0001-portfolio-writes-signals.md`;

const FILE_NAME = new RegExp(`^(\\d{4})-([a-z0-9]+(?:-[a-z0-9]+)*)\\.md$`);
const ANY_HIDDEN = new RegExp(`${HIDDEN_CHARACTER.source}|[\\t\\n\\r]`, 'gu');

/** A value as a message shows it: quoted, cut short, every invisible character written as an escape. */
function shown(value: string): string {
  const cut = value.length > 60 ? `${value.slice(0, 60)}...` : value;
  return JSON.stringify(cut).replace(ANY_HIDDEN, (char) => `\\u${char.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

const fix = `give the record's path relative to the project's folder, e.g. ${EXAMPLE_DECISION_RECORD} (\`${NEW_DECISION_RECORD_COMMAND} "<title>"\` writes one)`;

/**
 * What is wrong with `value` as the link to a decision record, or undefined when it is one:
 * a relative path `docs/adr/NNNN-<slug>.md` (four digits; the slug lower-case ASCII letters,
 * digits and single hyphens, at most 60 characters). Nothing else is accepted: no absolute
 * path, no `..`, no backslash, no subfolder, no character a reviewer cannot see, so the link
 * can only name a file in docs/adr/ of the project, and prints as it reads.
 */
export function decisionRecordProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `expected the path of a decision record (a string), got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}: ${fix}`;
  if (value.trim() === '') return `no decision record is linked: ${fix}`;
  ANY_HIDDEN.lastIndex = 0;
  if (ANY_HIDDEN.test(value)) return `${shown(value)} holds a line break or a character a reviewer cannot see: ${fix}`;
  if (value.includes('\\')) return `${shown(value)} uses backslashes: write the path with forward slashes, e.g. ${EXAMPLE_DECISION_RECORD}`;
  if (value.startsWith('/') || value.startsWith('~') || /^[A-Za-z]:/.test(value)) return `${shown(value)} is an absolute path, which differs from machine to machine: ${fix}`;
  const segments = value.split('/');
  if (segments.some((s) => s === '..' || s === '.' || s === '')) return `${shown(value)} is not a plain relative path (it has "..", "." or an empty segment), so it could point outside ${DECISION_RECORD_FOLDER}/: ${fix}`;
  const folder = segments.slice(0, -1).join('/');
  if (folder !== DECISION_RECORD_FOLDER) return `${shown(value)} is not in ${DECISION_RECORD_FOLDER}/ (decision records live there, with no subfolder): ${fix}`;
  const match = FILE_NAME.exec(segments[segments.length - 1]);
  if (!match) return `${shown(value)}: a decision record's file name is NNNN-<slug>.md (four digits, a hyphen, then lower-case letters, digits and single hyphens): ${fix}`;
  if (match[2].length > MAX_DECISION_SLUG_LENGTH) return `${shown(value)}: the slug is ${match[2].length} characters long, more than ${MAX_DECISION_SLUG_LENGTH}: shorten it (rename the file too)`;
  return undefined;
}

/**
 * The slug of a record titled `title`: lower-case ASCII letters and digits joined by single
 * hyphens (accents dropped, everything else a separator), cut at a hyphen to at most 60
 * characters. '' when the title holds no letter or digit a file name can keep.
 */
export function decisionRecordSlug(title: string): string {
  const words = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
  let slug = '';
  for (const word of words) {
    const next = slug === '' ? word : `${slug}-${word}`;
    if (next.length > MAX_DECISION_SLUG_LENGTH) {
      // A single word longer than the limit is cut; otherwise stop before the word that overflows.
      if (slug === '') slug = word.slice(0, MAX_DECISION_SLUG_LENGTH);
      break;
    }
    slug = next;
  }
  return slug;
}

/** The number of the next record: one after the highest `NNNN-*.md` among `fileNames` (1 when there is none). */
export function nextDecisionRecordNumber(fileNames: readonly string[]): number {
  // Any `NNNN-` file counts, even one whose slug breaks the convention: a number is never reused.
  const numbers = fileNames.map((name) => /^(\d{4})-.*\.md$/.exec(name)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1]));
  return numbers.length === 0 ? 1 : Math.max(...numbers) + 1;
}

/** `docs/adr/0003-portfolio-writes-signals.md` */
export function decisionRecordPath(number: number, slug: string): string {
  if (!Number.isInteger(number) || number < 1 || number > 9999) throw new Error(`a decision record's number is from 1 to 9999, got ${number}`);
  return `${DECISION_RECORD_FOLDER}/${String(number).padStart(4, '0')}-${slug}.md`;
}
