// The file Terraform hands the runner: every migration of one service up to the head, as
// the plan showed them. Its sha256 is in the plan; the runner refuses a manifest that differs.
import { checksumOf } from '../migrations/checksum';
import type { Migration } from '../migrations/migration-file';
import { MigrationPlan } from './planned-migration';

export interface RunnerManifest {
  readonly service: string;
  readonly ownerRole: string;
  readonly schema: string;
  readonly migrations: readonly {
    readonly id: string;
    readonly checksum: string;
    /** The migration file, byte for byte. */
    readonly text: string;
    readonly transactional: boolean;
    /**
     * The up and down SQL as PostgreSQL's scanner split the file at synth: the runner carries
     * no SQL parser, and a manifest whose hash is in the plan is what the plan showed.
     */
    readonly up: string;
    readonly down: string;
    /** For non-transactional migrations, the up SQL split into statements. */
    readonly statements?: readonly string[];
  }[];
}

export function manifestText(service: string, ownerRole: string, migrations: readonly Migration[], statements: (m: Migration) => readonly string[] | undefined, schema = service): string {
  const manifest: RunnerManifest = {
    service,
    ownerRole,
    schema,
    migrations: migrations.map((m) => {
      const split = statements(m);
      return {
        id: m.id,
        checksum: m.checksum,
        text: m.text,
        transactional: m.transactional,
        up: m.up,
        down: m.down,
        ...(split ? { statements: split } : {}),
      };
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
    schema: manifest.schema,
    migrations: manifest.migrations.map((entry) => {
      if (checksumOf(entry.text) !== entry.checksum) throw new Error(`REFUSED: ${entry.id}: its text does not match its checksum ${entry.checksum}`);
      if (typeof entry.up !== 'string' || typeof entry.down !== 'string' || typeof entry.transactional !== 'boolean') {
        throw new Error(`REFUSED: ${entry.id}: the manifest was written by an older version (no up/down): re-run cdktf synth`);
      }
      return {
        id: entry.id,
        checksum: entry.checksum,
        transactional: entry.transactional,
        up: entry.up,
        down: entry.down,
        ...(entry.statements ? { statements: entry.statements } : {}),
      };
    }),
  };
}
