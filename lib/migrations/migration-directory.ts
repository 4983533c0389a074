// A service's migrations folder: the immutable migration files, `bedrock.sum` (their
// checksums, with a total on the first line so two branches that add a migration conflict in
// git) and `snapshots/<id>.json` (the model at each migration, the differ's starting point).
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { checksumOf, fileNameProblem, Migration, parseMigration } from './migration-file';
import { canonicalSchema, emptySchema, ServiceSchema } from './service-schema';

export const SUM_FILE = 'bedrock.sum';
export const SNAPSHOTS = 'snapshots';

/** What `bedrock` itself is called in messages, so every fix is a command to copy. */
export const COMMAND = 'npm run bedrock --';

export interface DirectoryState {
  /** The migrations in chain order (parent before child). */
  readonly migrations: readonly Migration[];
  /** Every problem found, each naming the service, the file and the fix. */
  readonly problems: readonly string[];
}

function sumText(migrations: readonly Migration[]): string {
  const body = migrations.map((m) => `${m.id} ${m.checksum}`).join('\n');
  return `h1:${checksumOf(body)}\n${body}${body ? '\n' : ''}`;
}

function snapshotText(schema: ServiceSchema): string {
  return `${JSON.stringify(canonicalSchema(schema), null, 2)}\n`;
}

export class MigrationDirectory {
  constructor(
    /** The folder, e.g. stacks/datahub/migrations. */
    readonly directory: string,
    readonly service: string,
    readonly schema: string,
  ) {}

  private file(name: string): string {
    return path.join(this.directory, name);
  }

  private snapshotFile(id: string): string {
    return path.join(this.directory, SNAPSHOTS, `${id}.json`);
  }

  /** Reads and checks every file; problems are returned, never thrown. */
  read(): DirectoryState {
    if (!existsSync(this.directory)) return { migrations: [], problems: [] };
    const problems: string[] = [];
    const parsed: Migration[] = [];
    for (const name of readdirSync(this.directory).filter((n) => n.endsWith('.sql')).sort()) {
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
    this.checkSums(parsed, migrations, problems);
    const head = migrations[migrations.length - 1];
    if (head && !existsSync(this.snapshotFile(head.id))) {
      problems.push(`${this.service}: the snapshot ${path.join(SNAPSHOTS, `${head.id}.json`)} of the head migration is missing: restore it from git, or regenerate the migration`);
    }
    return { migrations, problems };
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

  private checkSums(all: readonly Migration[], ordered: readonly Migration[], problems: string[]): void {
    const sumPath = this.file(SUM_FILE);
    if (!existsSync(sumPath)) {
      if (all.length > 0) problems.push(`${this.service}: ${SUM_FILE} is missing: restore it from git (\`${COMMAND} rehash ${this.service}\` rebuilds it from the files as they are)`);
      return;
    }
    const text = readFileSync(sumPath, 'utf8');
    const [total, ...lines] = text.split('\n').filter((l) => l !== '');
    const recorded = new Map(lines.map((l) => l.split(' ') as [string, string]));
    for (const migration of all) {
      const checksum = recorded.get(migration.id);
      if (checksum === undefined) problems.push(`${this.service}: ${migration.id}.sql is not in ${SUM_FILE}: generate migrations with \`${COMMAND} generate\`, do not write them by hand`);
      else if (checksum !== migration.checksum) {
        problems.push(`${this.service}: ${migration.id}.sql was edited after it was generated (checksum differs from ${SUM_FILE}). Never edit an applied migration: restore it with \`git checkout -- ${path.join(this.directory, `${migration.id}.sql`)}\` and generate a new one`);
      }
    }
    for (const id of recorded.keys()) {
      if (!all.some((m) => m.id === id)) problems.push(`${this.service}: ${SUM_FILE} lists ${id}, but its file is missing: restore it from git`);
    }
    if (problems.length === 0 && text !== sumText(ordered)) {
      problems.push(`${this.service}: ${SUM_FILE} does not match the migrations (its total line ${total} is stale, e.g. after a merge): run \`${COMMAND} check\` after resolving, or \`${COMMAND} rehash ${this.service}\``);
    }
  }

  /** The schema after `id` (or the empty schema before the first migration). */
  snapshot(id: string | undefined): ServiceSchema {
    if (id === undefined) return emptySchema(this.service, this.schema);
    return JSON.parse(readFileSync(this.snapshotFile(id), 'utf8')) as ServiceSchema;
  }

  /**
   * Adds a migration: its file, the snapshot after it, and the new bedrock.sum. Everything is
   * rendered first and each file written whole, so a failure leaves no partial file.
   */
  add(migration: Migration, schema: ServiceSchema, existing: readonly Migration[]): void {
    const writes: [string, string][] = [
      [this.file(`${migration.id}.sql`), migration.text],
      [this.snapshotFile(migration.id), snapshotText(schema)],
      [this.file(SUM_FILE), sumText([...existing, migration])],
    ];
    mkdirSync(path.join(this.directory, SNAPSHOTS), { recursive: true });
    for (const [file, text] of writes) {
      writeFileSync(`${file}.tmp`, text);
    }
    for (const [file] of writes) renameSync(`${file}.tmp`, file);
  }

  /** Removes a migration's file and snapshot and rewrites bedrock.sum (for rebase). */
  remove(id: string, remaining: readonly Migration[]): void {
    rmSync(this.file(`${id}.sql`), { force: true });
    rmSync(this.snapshotFile(id), { force: true });
    writeFileSync(this.file(SUM_FILE), sumText(remaining));
  }

  /** Rewrites bedrock.sum from the files as they are (after a reviewed hand edit). */
  rehash(migrations: readonly Migration[]): void {
    writeFileSync(this.file(SUM_FILE), sumText(migrations));
  }
}
