// The file Terraform hands the runner: every migration of one service up to the head, in
// steps, as the plan showed them. Its sha256 is in the plan; the runner refuses a manifest that
// differs. Written at synth (where the parser split the steps), read by the runner (which has none).
import { checksumOf } from '../migrations/checksum';
import type { Migration } from '../migrations/migration-file';
import { MigrationPlan, PlannedMigration, PlannedStep } from './planned-migration';

/** Bumped when the shape changes: a runner never guesses at a manifest it does not know. */
const FORMAT = 2;

export interface RunnerManifest {
  readonly format: number;
  readonly service: string;
  readonly ownerRole: string;
  readonly schema: string;
  readonly migrations: readonly (PlannedMigration & {
    /** The migration file, byte for byte: its checksum is checked before anything runs. */
    readonly text: string;
  })[];
}

/** The manifest of `plan`, whose migrations are `files` (same ids, same order). */
export function manifestText(plan: MigrationPlan, files: readonly Migration[]): string {
  const manifest: RunnerManifest = {
    format: FORMAT,
    service: plan.service,
    ownerRole: plan.ownerRole,
    schema: plan.schema ?? plan.service,
    migrations: plan.migrations.map((m, i) => {
      if (files[i]?.id !== m.id) throw new Error(`manifest: the plan's migration ${m.id} has no file at position ${i}`);
      return { ...m, text: files[i].text };
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
  if (manifest.format !== FORMAT) throw new Error(`REFUSED: the manifest is in format ${manifest.format ?? 1}, this runner reads format ${FORMAT}: re-run cdktf synth with this version`);
  return {
    service: manifest.service,
    ownerRole: manifest.ownerRole,
    schema: manifest.schema,
    migrations: manifest.migrations.map((entry) => {
      if (checksumOf(entry.text) !== entry.checksum) throw new Error(`REFUSED: ${entry.id}: its text does not match its checksum ${entry.checksum}`);
      if (!validSteps(entry.upSteps) || entry.upSteps.length === 0 || !validSteps(entry.downSteps)) throw new Error(`REFUSED: ${entry.id}: the manifest's steps are malformed: re-run cdktf synth`);
      // What runs is the steps; the checksum covers the file. Each must be the file's own text.
      const foreign = [entry.up, entry.down, ...entry.upSteps.map((s) => s.sql), ...entry.downSteps.map((s) => s.sql)].find((sql) => !entry.text.includes(sql));
      if (foreign !== undefined) throw new Error(`REFUSED: ${entry.id}: the manifest holds SQL its file does not (${JSON.stringify(foreign.slice(0, 80))}): re-run cdktf synth`);
      const { text: _text, ...planned } = entry;
      return planned;
    }),
  };
}

function validSteps(steps: unknown): steps is PlannedStep[] {
  return (
    Array.isArray(steps) &&
    steps.every((s: PlannedStep) => typeof s.sql === 'string' && typeof s.transactional === 'boolean' && typeof s.retrySafe === 'boolean' && typeof s.offline === 'boolean' && Array.isArray(s.tables) && Number.isInteger(s.line))
  );
}
