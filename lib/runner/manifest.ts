// The file Terraform hands the runner: every migration of one service up to the head, as
// the plan showed them. Its sha256 is in the plan; the runner refuses a manifest that differs.
import { checksumOf, Migration, parseMigration } from '../migrations/migration-file';
import { MigrationPlan } from './planned-migration';

export interface RunnerManifest {
  readonly service: string;
  readonly ownerRole: string;
  readonly migrations: readonly {
    readonly id: string;
    readonly checksum: string;
    /** The migration file, byte for byte. */
    readonly text: string;
    /** For non-transactional migrations, the up SQL split into statements. */
    readonly statements?: readonly string[];
  }[];
}

export function manifestText(service: string, ownerRole: string, migrations: readonly Migration[], statements: (m: Migration) => readonly string[] | undefined): string {
  const manifest: RunnerManifest = {
    service,
    ownerRole,
    migrations: migrations.map((m) => {
      const split = statements(m);
      return { id: m.id, checksum: m.checksum, text: m.text, ...(split ? { statements: split } : {}) };
    }),
  };
  return `${JSON.stringify(manifest)}\n`;
}

/** Reads a manifest, checking it is the one the plan names and every file its checksum. */
export function planFromManifest(text: string, expected: string): MigrationPlan {
  const actual = checksumOf(text);
  if (actual !== expected) {
    throw new Error(`REFUSED: the migrations to run (sha256 ${actual}) are not the ones the plan showed (sha256 ${expected}): re-run cdktf synth and review the plan again`);
  }
  const manifest = JSON.parse(text) as RunnerManifest;
  return {
    service: manifest.service,
    ownerRole: manifest.ownerRole,
    migrations: manifest.migrations.map((entry) => {
      if (checksumOf(entry.text) !== entry.checksum) throw new Error(`REFUSED: ${entry.id}: its text does not match its checksum ${entry.checksum}`);
      const migration = parseMigration(`${entry.id}.sql`, entry.text);
      return { id: entry.id, checksum: entry.checksum, transactional: migration.transactional, up: migration.up, down: migration.down, ...(entry.statements ? { statements: entry.statements } : {}) };
    }),
  };
}
