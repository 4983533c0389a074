// A service's migrations folder: the immutable migration files, `bedrock.sum` (their
// checksums, with a total on the first line so two branches that add a migration conflict in
// git) and `snapshots/<id>.json` (the model at each migration, the differ's starting point).
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileNameProblem, Migration, parseMigration } from './migration-file';
import { emptySchema, ServiceSchema } from './service-schema';
import { formatSnapshot, parseSnapshot } from './snapshot-file';
import { formatSum, parseSum } from './sum-file';
import { CarriedData, carriedData } from './carried-data';

export const SUM_FILE = 'bedrock.sum';
export const SNAPSHOTS = 'snapshots';

/** What `bedrock` itself is called in messages, so every fix is a command to copy. */
export const COMMAND = 'npm run bedrock --';

export interface DirectoryState {
  /** The migrations in chain order (parent before child). */
  readonly migrations: readonly Migration[];
  /** Every problem found, each naming the service, the file and the fix. */
  readonly problems: readonly string[];
  /**
   * The problems among them that `rehash` repairs: bedrock.sum missing, damaged, stale or
   * disagreeing with a file's checksum. A file that bedrock.sum lists but that is missing is
   * not one of them: rewriting the sum would drop it from the chain unnoticed.
   */
  readonly sumProblems: readonly string[];
}

export class MigrationDirectory {
  /** The data sections of the migration `remove` took away last, for the next generate (rebase). */
  private removedData?: CarriedData;

  constructor(
    /** The folder, e.g. stacks/datahub/migrations. */
    readonly directory: string,
    readonly service: string,
    readonly schema: string,
  ) {}

  private file(name: string): string {
    return path.join(this.directory, name);
  }

  /** The snapshot file of migration `id`. */
  snapshotFile(id: string): string {
    return path.join(this.directory, SNAPSHOTS, `${id}.json`);
  }

  /** Reads and checks every file; problems are returned, never thrown. */
  read(): DirectoryState {
    if (!existsSync(this.directory)) return { migrations: [], problems: [], sumProblems: [] };
    const problems: string[] = [];
    const parsed: Migration[] = [];
    const files = readdirSync(this.directory).filter((n) => n.endsWith('.sql')).sort();
    for (const name of files) {
      const nameProblem = fileNameProblem(name, this.service);
      if (nameProblem) problems.push(`${this.service}: ${nameProblem}`);
      try {
        const migration = parseMigration(name, readFileSync(this.file(name), 'utf8'));
        if (migration.service !== this.service) problems.push(`${this.service}: ${name} says it belongs to service ${migration.service}: it is in the wrong folder`);
        parsed.push(migration);
      } catch (error) {
        problems.push(`${this.service}: ${(error as Error).message}`);
      }
    }
    const migrations = this.chain(parsed, problems);
    const sumProblems = this.checkSums(parsed, migrations, new Set(files.map((f) => f.replace(/\.sql$/, ''))), problems);
    const head = migrations[migrations.length - 1];
    if (head) {
      const snapshot = this.readSnapshot(head.id);
      if ('problem' in snapshot) problems.push(snapshot.problem);
    }
    return { migrations, problems, sumProblems };
  }

  /** Orders migrations parent-first and reports anything that is not one linear chain. */
  private chain(migrations: readonly Migration[], problems: string[]): Migration[] {
    const byId = new Map(migrations.map((m) => [m.id, m]));
    const children = new Map<string, Migration[]>();
    for (const migration of migrations) {
      const key = migration.parent ?? '';
      children.set(key, [...(children.get(key) ?? []), migration]);
      if (migration.parent !== undefined && !byId.has(migration.parent)) {
        problems.push(`${this.service}: ${migration.id}.sql follows ${migration.parent}, which does not exist: restore it from git, or regenerate this migration with \`${COMMAND} rebase ${this.service} ${migration.id}\``);
      }
    }
    const timestamps = new Map<string, string>();
    for (const migration of migrations) {
      const stamp = migration.id.slice(0, 15);
      if (timestamps.has(stamp)) problems.push(`${this.service}: ${timestamps.get(stamp)} and ${migration.id} have the same timestamp: regenerate one with \`${COMMAND} rebase ${this.service} ${migration.id}\``);
      timestamps.set(stamp, migration.id);
    }
    for (const [parent, siblings] of children) {
      if (siblings.length < 2) continue;
      const [older, ...newer] = [...siblings].sort((a, b) => a.id.localeCompare(b.id));
      const after = parent === '' ? 'as the first migration' : `after ${parent}`;
      problems.push(
        `${this.service}: multiple heads: ${[older, ...newer].map((m) => m.id).join(' and ')} both come ${after} (generated on two branches). ` +
          `Fix: \`${COMMAND} rebase ${this.service} ${newer[newer.length - 1].id}\` regenerates the newer one on top of the other`,
      );
    }
    const ordered: Migration[] = [];
    let next = (children.get('') ?? [])[0];
    const seen = new Set<string>();
    while (next && !seen.has(next.id)) {
      seen.add(next.id);
      ordered.push(next);
      next = [...(children.get(next.id) ?? [])].sort((a, b) => a.id.localeCompare(b.id))[0];
    }
    return ordered;
  }

  /** Checks bedrock.sum against the files; returns the problems found that `rehash` repairs. */
  private checkSums(all: readonly Migration[], ordered: readonly Migration[], files: ReadonlySet<string>, problems: string[]): string[] {
    const sumPath = this.file(SUM_FILE);
    const repairable: string[] = [];
    const report = (problem: string, byRehash = true) => {
      problems.push(problem);
      if (byRehash) repairable.push(problem);
    };
    if (!existsSync(sumPath)) {
      if (all.length > 0) report(`${this.service}: ${SUM_FILE} is missing: restore it from git (\`${COMMAND} rehash ${this.service}\` rebuilds it from the files as they are)`);
      return repairable;
    }
    const text = readFileSync(sumPath, 'utf8');
    const sum = parseSum(text);
    for (const problem of sum.problems) {
      report(
        `${this.service}: ${sumPath} is damaged: ${problem}. Restore it from git, or resolve the merge conflict keeping one line per migration; ` +
          `\`${COMMAND} rehash ${this.service}\` rebuilds it from the migration files as they are`,
      );
    }
    for (const migration of all) {
      const checksum = sum.checksums.get(migration.id);
      // A damaged line is reported above, not as a migration written by hand.
      if (checksum === undefined) {
        if (sum.problems.length === 0) report(`${this.service}: ${migration.id}.sql is not in ${SUM_FILE}: generate migrations with \`${COMMAND} generate\`, do not write them by hand`);
      } else if (checksum !== migration.checksum) {
        report(`${this.service}: ${migration.id}.sql was edited after it was generated (checksum differs from ${SUM_FILE}). Never edit an applied migration: restore it with \`git checkout -- ${path.join(this.directory, `${migration.id}.sql`)}\` and generate a new one`);
      }
    }
    for (const id of sum.checksums.keys()) {
      if (files.has(id)) continue;
      report(
        `${this.service}: ${SUM_FILE} lists ${id}, but its file ${path.join(this.directory, `${id}.sql`)} is missing: restore it from git (\`git checkout -- ${path.join(this.directory, `${id}.sql`)}\`). ` +
          `If it was deleted on purpose and was never applied anywhere, delete its line from ${SUM_FILE} and its snapshot, then \`${COMMAND} rehash ${this.service}\` ` +
          `(a migration that followed it: \`${COMMAND} rebase ${this.service} <that migration>\`)`,
        false,
      );
    }
    if (problems.length === 0 && text !== formatSum(ordered)) {
      report(`${this.service}: ${SUM_FILE} does not match the migrations (its total line ${sum.total} is stale, e.g. after a merge): run \`${COMMAND} check\` after resolving, or \`${COMMAND} rehash ${this.service}\``);
    }
    return repairable;
  }

  /** The snapshot after `id`, or what is wrong with it, naming the file, the service and the fix. */
  /** The service's model after migration `id`, as its snapshot holds it, or why it cannot be read. */
  readSnapshot(id: string): { schema: ServiceSchema } | { problem: string } {
    const file = this.snapshotFile(id);
    const fix = `restore it from git (\`git checkout -- ${file}\`); if ${id} was never applied anywhere, \`${COMMAND} rebase ${this.service} ${id}\` generates it again with its snapshot`;
    if (!existsSync(file)) return { problem: `${this.service}: the snapshot ${file} of the head migration is missing: ${fix}` };
    const parsed = parseSnapshot(readFileSync(file, 'utf8'), this.service, this.schema);
    if ('problem' in parsed) return { problem: `${this.service}: the snapshot ${file} of ${id} is unusable: ${parsed.problem}. Fix: ${fix}` };
    return parsed;
  }

  /** The schema after `id` (or the empty schema before the first migration); throws, naming the file and the fix, when its snapshot is missing or damaged. */
  snapshot(id: string | undefined): ServiceSchema {
    if (id === undefined) return emptySchema(this.service, this.schema);
    const snapshot = this.readSnapshot(id);
    if ('problem' in snapshot) throw new Error(snapshot.problem);
    return snapshot.schema;
  }

  /**
   * Adds a migration: its file, the snapshot after it, and the new bedrock.sum. Everything is
   * rendered first and each file written whole, so a failure leaves no partial file.
   */
  add(migration: Migration, schema: ServiceSchema, existing: readonly Migration[]): void {
    const writes: [string, string][] = [
      [this.file(`${migration.id}.sql`), migration.text],
      [this.snapshotFile(migration.id), formatSnapshot(schema)],
      [this.file(SUM_FILE), formatSum([...existing, migration])],
    ];
    mkdirSync(path.join(this.directory, SNAPSHOTS), { recursive: true });
    for (const [file, text] of writes) {
      writeFileSync(`${file}.tmp`, text);
    }
    for (const [file] of writes) renameSync(`${file}.tmp`, file);
  }

  /**
   * Removes a migration's file and snapshot and rewrites bedrock.sum (for rebase). Its data
   * sections, which no generator can write again, are kept for the next `generateMigration` on
   * this directory, which puts them back at the same place (carried-data.ts); returns them.
   */
  remove(id: string, remaining: readonly Migration[]): CarriedData | undefined {
    const file = this.file(`${id}.sql`);
    this.removedData = undefined;
    if (existsSync(file)) {
      try {
        const carried = carriedData(parseMigration(`${id}.sql`, readFileSync(file, 'utf8')));
        if (carried.sections.length > 0) this.removedData = carried;
      } catch {
        // A file that does not parse has no data sections to carry (and git still holds it).
      }
    }
    rmSync(file, { force: true });
    rmSync(this.snapshotFile(id), { force: true });
    writeFileSync(this.file(SUM_FILE), formatSum(remaining));
    return this.removedData;
  }

  /** The data sections `remove` kept, once: the next generate takes them. */
  takeRemovedData(): CarriedData | undefined {
    const data = this.removedData;
    this.removedData = undefined;
    return data;
  }

  /**
   * What keeps `rehash` from running: every problem of the folder except the ones a new
   * bedrock.sum repairs. Rewriting the sum over a missing file, a broken chain or a damaged
   * snapshot would hide the problem from `check` instead of fixing it.
   */
  rehashRefusals(state: DirectoryState): string[] {
    return state.problems.filter((problem) => !state.sumProblems.includes(problem));
  }

  /** Rewrites bedrock.sum from the files as they are (after a reviewed hand edit; see rehashRefusals). */
  rehash(migrations: readonly Migration[]): void {
    mkdirSync(this.directory, { recursive: true });
    writeFileSync(this.file(SUM_FILE), formatSum(migrations));
  }
}
