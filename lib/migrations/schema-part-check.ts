// A generated migration is generated: everything outside its data sections must be exactly what
// `generate` writes for the transition between its parent's snapshot and its own. `check` renders
// that transition again (render-migration.ts, the one function generate uses) and compares it
// with the file line by line, leaving out the data sections (hand-written), the
// `-- bedrock:acknowledge` lines (a reviewer's, with reasons) and blank lines (layout: the
// renderer never writes a line break inside a token, so no blank line can be inside a string).
// Any other edit, DDL or DML or a comment, is refused with its line and the fix.
//
// Which files: those whose header says `-- renderer: <RENDERER>`, every file `generate` writes
// from now on. A file without that line was written by an older generate, whose output this
// renderer does not reproduce (it wrote tables in the order the code defined them, and some
// summary lines differently): Bedrock's own first migrations are such files, applied and
// guarded by the ledger's checksums; they are taken as written, as before. A data section is
// only accepted in a file this check can compare. A wholly hand-written file (no renderer line,
// no data sections) stays possible for what the model cannot say, judged statement by statement.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { BoundedCache } from '../statements/bounded-cache';
import { COMMAND, MigrationDirectory } from './migration-directory';
import { Migration, RENDERER } from './migration-file';
import { migrationText, schemaPart } from './render-migration';
import { emptySchema, ServiceSchema } from './service-schema';
import { parseSnapshot } from './snapshot-file';
import { UnsupportedChange } from './unsupported-change';

const ACKNOWLEDGEMENT = /^-- bedrock:acknowledge /;

const compared = new BoundedCache<readonly string[]>();

/**
 * What is wrong with `migration`'s schema part, one message per problem (at most one per file).
 * `head`: the head migration's id, whose snapshot problems the directory reports already.
 */
export function schemaPartProblems(migration: Migration, directory: MigrationDirectory, head?: string): string[] {
  const { service } = directory;
  const file = `${migration.id}.sql`;
  if (migration.renderer === undefined) {
    if (migration.dataSections.length === 0) return [];
    const first = migration.dataSections[0].markerLine;
    return [
      `${service}: ${file} line ${first}: a data section in a file \`generate\` did not write (its header has no "-- renderer: ${RENDERER}" line), so \`check\` cannot tell its generated part from hand edits: ` +
        `if it was never applied, \`${COMMAND} rebase ${service} ${migration.id}\` writes it again with the data sections carried over; else move the data into a new migration (\`${COMMAND} generate ${service} <description> --data\`)`,
    ];
  }
  if (migration.renderer > RENDERER) {
    return [`${service}: ${file}: it was written by a newer bedrock (renderer ${migration.renderer}; this one writes ${RENDERER}): update this checkout's bedrock before checking or deploying it`];
  }
  // An older renderer's output is not reproduced: see the file's first comment.
  if (migration.renderer < RENDERER) return [];
  const snapshots = transitionOf(migration, directory, head);
  if ('problems' in snapshots) return snapshots.problems;
  const key = [migration.checksum, digest(snapshots.beforeText), digest(snapshots.afterText)].join(' ');
  return [...compared.get(key, () => compare(migration, directory, snapshots.before, snapshots.after))];
}

/** A migration's parent's snapshot and its own (the empty schema before the first), or why they cannot be read. */
export function transitionOf(
  migration: Migration,
  directory: MigrationDirectory,
  head?: string,
): { before: ServiceSchema; after: ServiceSchema; beforeText: string; afterText: string } | { problems: string[] } {
  const parent = snapshotText(directory, migration.parent);
  const own = snapshotText(directory, migration.id);
  if ('problem' in parent) return { problems: [parent.problem] };
  if ('problem' in own) return { problems: migration.id === head ? [] : [own.problem] };
  return { before: parent.schema, after: own.schema, beforeText: parent.text, afterText: own.text };
}

function compare(migration: Migration, directory: MigrationDirectory, before: ServiceSchema, after: ServiceSchema): string[] {
  const dataMode = migration.dataSections.length > 0;
  const expected = rendered(migration, directory, before, after, dataMode);
  const difference = 'text' in expected ? firstDifference(fileLines(migration), expectedLines(expected.text)) : undefined;
  if ('text' in expected && !difference) return [];
  // A file written with data sections whose sections were all deleted: say so, not which line differs.
  const withData = dataMode ? undefined : rendered(migration, directory, before, after, true);
  if (withData && 'text' in withData && !firstDifference(fileLines(migration), expectedLines(withData.text))) {
    return [`${directory.service}: ${migration.id}.sql: it was written with data sections and has none left: put its "-- +data" section back, or (never applied) \`${COMMAND} rebase ${directory.service} ${migration.id}\` writes it again without`];
  }
  return ['problem' in expected ? expected.problem : differenceMessage(migration, directory, difference!)];
}

function rendered(migration: Migration, directory: MigrationDirectory, before: ServiceSchema, after: ServiceSchema, dataMode: boolean): { text: string } | { problem: string } {
  try {
    const part = schemaPart(before, after, dataMode);
    return { text: migrationText({ id: migration.id, service: directory.service, parent: migration.parent, part, dataMode }) };
  } catch (error) {
    if (!(error instanceof UnsupportedChange)) throw error;
    return { problem: `${directory.service}: ${migration.id}.sql: \`generate\` cannot write the change from ${snapshotName(migration.parent)} to ${snapshotName(migration.id)} (${error.message}), so the file was not written by it: restore the file and its snapshot from git` };
  }
}

interface Line {
  /** 1-based line of the file (or of the rendered text). */
  readonly number: number;
  readonly text: string;
}

/** The file's lines that generate wrote: without data sections, acknowledgements and blank lines. */
function fileLines(migration: Migration): Line[] {
  const inData = (n: number) => migration.dataSections.some((d) => n >= d.markerLine && n <= d.endLine);
  return migration.text
    .split('\n')
    .map((text, i) => ({ number: i + 1, text }))
    .filter((line) => !inData(line.number) && !ACKNOWLEDGEMENT.test(line.text) && line.text.trim() !== '');
}

function expectedLines(text: string): Line[] {
  return text
    .split('\n')
    .map((line, i) => ({ number: i + 1, text: line }))
    .filter((line) => line.text.trim() !== '');
}

interface Difference {
  /** The file's line that differs (undefined: the file ends where generate writes more). */
  readonly actual?: Line;
  /** What generate writes there (undefined: generate writes nothing more). */
  readonly expected?: Line;
  /** The file line after which the missing text belongs, when `actual` is undefined. */
  readonly after: number;
}

function firstDifference(actual: readonly Line[], expected: readonly Line[]): Difference | undefined {
  for (let i = 0; i < Math.max(actual.length, expected.length); i++) {
    if (actual[i]?.text === expected[i]?.text) continue;
    return { actual: actual[i], expected: expected[i], after: actual[i - 1]?.number ?? 0 };
  }
  return undefined;
}

function differenceMessage(migration: Migration, directory: MigrationDirectory, difference: Difference): string {
  const { service } = directory;
  const line = difference.actual?.number ?? difference.after + 1;
  const what = difference.actual
    ? difference.expected
      ? `it reads ${shown(difference.actual.text)} where \`generate\` writes ${shown(difference.expected.text)}`
      : `it reads ${shown(difference.actual.text)} where \`generate\` writes nothing more`
    : `\`generate\` writes ${shown(difference.expected!.text)} here, which the file lacks`;
  const restore = `\`git checkout -- ${path.join(directory.directory, `${migration.id}.sql`)}\``;
  return (
    `${service}: ${migration.id}.sql line ${line}: the file is not what \`generate\` writes for ${snapshotName(migration.parent)} -> ${snapshotName(migration.id)}: ${what}. ` +
    `Only its "-- +data" sections are hand-written (DML on ${service}'s tables; a schema change is a change of the tables in code). ` +
    `Fix: move the edit into a data section, or restore the file (${restore}); if it was never applied, \`${COMMAND} rebase ${service} ${migration.id}\` writes it again, carrying its data sections over`
  );
}

/** A line as a message shows it: quoted, shortened. */
function shown(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 117)}...` : text);
}

function snapshotName(id: string | undefined): string {
  return id === undefined ? 'the empty schema' : `snapshots/${id}.json`;
}

/** A snapshot's text and schema (the empty schema before the first migration), or what is wrong with it. */
function snapshotText(directory: MigrationDirectory, id: string | undefined): { text: string; schema: ServiceSchema } | { problem: string } {
  if (id === undefined) return { text: '', schema: emptySchema(directory.service, directory.schema) };
  const file = directory.snapshotFile(id);
  const fix = `restore it from git (\`git checkout -- ${file}\`): \`check\` renders each migration again from its parent's snapshot and its own`;
  if (!existsSync(file)) return { problem: `${directory.service}: the snapshot ${file} is missing: ${fix}` };
  const text = readFileSync(file, 'utf8');
  const parsed = parseSnapshot(text, directory.service, directory.schema);
  if ('problem' in parsed) return { problem: `${directory.service}: the snapshot ${file} is unusable: ${parsed.problem}. Fix: ${fix}` };
  return { text, schema: parsed.schema };
}

const digest = (text: string): string => createHash('sha256').update(text).digest('hex');
