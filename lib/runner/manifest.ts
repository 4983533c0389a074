// The file Terraform hands the runner: every migration of one service up to the head, in
// steps, as the plan showed them. Its sha256 is in the plan; the runner refuses a manifest that
// differs. Written at synth (where the parser split the steps), read by the runner (which has none).
import { isStepTransfer } from './step-transfer';
import { checksumOf } from '../migrations/checksum';
import type { Migration } from '../migrations/migration-file';
import { MigrationPlan, PlannedMigration, PlannedStep, StepBatches } from './planned-migration';

/** Bumped when the shape changes: a runner never guesses at a manifest it does not know. */
const FORMAT = 2;
/**
 * A plan with a batched data section (a step's `batch`) is written in format 3: a runner of
 * format 2 would refuse it rather than run the batched statement as one long transaction. Any
 * other plan stays in format 2, so its manifest (and the hash the plan shows) does not change.
 */
const BATCHED_FORMAT = 3;

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
  refuseBatchedDowns(plan);
  const batched = plan.migrations.some((m) => m.upSteps.some((step) => step.batch !== undefined));
  const manifest: RunnerManifest = {
    format: batched ? BATCHED_FORMAT : FORMAT,
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
  const format = manifest.format ?? 1;
  if (format !== FORMAT && format !== BATCHED_FORMAT) {
    throw new Error(`REFUSED: the manifest is in format ${format}, this runner reads format ${format < FORMAT ? FORMAT : `${FORMAT} or ${BATCHED_FORMAT}`}: re-run cdktf synth with this version`);
  }
  return {
    service: manifest.service,
    ownerRole: manifest.ownerRole,
    schema: manifest.schema,
    migrations: manifest.migrations.map((entry) => {
      if (checksumOf(entry.text) !== entry.checksum) throw new Error(`REFUSED: ${entry.id}: its text does not match its checksum ${entry.checksum}`);
      if (!validSteps(entry.upSteps) || entry.upSteps.length === 0 || !validSteps(entry.downSteps) || entry.downSteps.some((s) => s.batch !== undefined)) {
        throw new Error(`REFUSED: ${entry.id}: the manifest's steps are malformed: re-run cdktf synth`);
      }
      // What runs is the steps; the checksum covers the file. Each must be the file's own text. A
      // batched step's `first` and `next` are not: they are its `sql` with the batch bounds added,
      // rendered at synth (this runner has no parser to render them again); the manifest's hash,
      // which the plan shows and was checked above, covers them. Their declaration is the file's.
      const foreign = [entry.up, entry.down, ...entry.upSteps.map((s) => s.sql), ...entry.downSteps.map((s) => s.sql)].find((sql) => !entry.text.includes(sql));
      if (foreign !== undefined) throw new Error(`REFUSED: ${entry.id}: the manifest holds SQL its file does not (${JSON.stringify(foreign.slice(0, 80))}): re-run cdktf synth`);
      const lines = entry.text.split('\n').map((l) => l.replace(/[ \t\r]+$/, ''));
      const undeclared = entry.upSteps.find((s) => s.batch !== undefined && !lines.includes(batchMarker(s.batch)));
      if (undeclared) throw new Error(`REFUSED: ${entry.id}: the manifest's batched step at line ${undeclared.line} is not declared in its file ("${batchMarker(undeclared.batch!)}"): re-run cdktf synth`);
      const { text: _text, ...planned } = entry;
      return planned;
    }),
  };
}

function validSteps(steps: unknown): steps is PlannedStep[] {
  return (
    Array.isArray(steps) &&
    steps.every(
      (s: PlannedStep) =>
        typeof s.sql === 'string' && typeof s.transactional === 'boolean' && typeof s.retrySafe === 'boolean' && typeof s.offline === 'boolean' && Array.isArray(s.tables) && Number.isInteger(s.line) &&
        (s.batch === undefined || validBatches(s.batch)) &&
        (s.transfer === undefined || isStepTransfer(s.transfer)),
    )
  );
}

function validBatches(batch: StepBatches): boolean {
  const names = [batch?.table?.schema, batch?.table?.name, batch?.key];
  return names.every((n) => typeof n === 'string' && n !== '') && Number.isInteger(batch.size) && batch.size > 0 && typeof batch.first === 'string' && typeof batch.next === 'string';
}

/** The marker line that declares `batch` in its file (the format of lib/migrations/migration-file.ts's dataMarker). */
function batchMarker(batch: StepBatches): string {
  return `-- +data batched ${batch.table.schema}.${batch.table.name} key ${batch.key} size ${batch.size}`;
}

/**
 * A batched data section runs only in an up: a rollback runs from the ledger's stored down steps
 * and a down takes a "-- +data" section in one transaction (check refuses it too, BEDROCK-S5).
 * Refused here, at synth, naming the file and line, before a plan could store it in a ledger.
 */
function refuseBatchedDowns(plan: MigrationPlan): void {
  for (const migration of plan.migrations) {
    const step = migration.downSteps.find((s) => s.batch !== undefined);
    if (step) throw new Error(`${plan.service}: ${migration.id}.sql: line ${step.line}: a batched data section in the down: the runner runs batches only in an up (a rollback runs from the ledger's stored steps); write the down's data as a "-- +data" section (one transaction)`);
  }
}
