// A migration's up, step by step from where the ledger says it stopped (the first step for a
// migration not yet in the ledger), after copying what its steps destroy (backup-copy.ts). A
// line when it starts and when it ends, and for a migration of several steps, when each step
// starts and ends (see progress.ts).
import { PlannedMigration } from './planned-migration';
import { RunContext } from './run-context';
import { stepsSummary } from './progress';
import { runSteps, StepsFrom } from './run-step';
import { StepsEntry, upStepLedger } from './step-ledger';
import { stepName, StepToRun } from './step-to-run';
import { backUpBefore } from './backup-copy';

/** A migration to apply; resumed: the ledger holds it as partial. */
export interface PendingUp extends StepsFrom {
  readonly migration: PlannedMigration;
}

export async function runUp(context: RunContext, pending: PendingUp): Promise<void> {
  const { migration } = pending;
  const service = context.plan.service;
  const total = migration.upSteps.length;
  const started = Date.now();
  const entry = stepsEntry(service, migration);
  await backUpBefore(context, { id: migration.id, direction: 'up', steps: migration.upSteps, from: pending.from });
  context.log(pending.resumed ? `${service}: resuming ${migration.id} at step ${pending.from + 1} of ${total}` : `${service}: applying ${migration.id}${stepsSummary(migration.upSteps)}`);
  const label = { id: migration.id, kind: 'step', whole: migration.id } as const;
  await runSteps(context, migration.upSteps, pending.from, label, (index) => upStep(pending, entry, index));
  const outside = migration.upSteps.every((s) => !s.transactional) ? ' (outside a transaction)' : '';
  context.log(`${service}: applied ${migration.id}${outside} in ${Date.now() - started} ms`);
}

function stepsEntry(service: string, migration: PlannedMigration): StepsEntry {
  const { id, checksum, up, down, transactional } = migration;
  return { service, id, checksum, up, down, transactional, stepsTotal: migration.upSteps.length, downSteps: migration.downSteps };
}

function upStep(pending: PendingUp, entry: StepsEntry, index: number): StepToRun {
  const { id, upSteps } = pending.migration;
  const [step, total] = [index + 1, upSteps.length];
  const recorded = pending.resumed || index > 0;
  return {
    step: upSteps[index],
    id,
    name: stepName(`migration ${id}`, 'step', upSteps[index], step, total),
    doing: 'applying',
    subject: total > 1 ? `${id} step ${step} of ${total}` : id,
    interrupted: pending.interrupted && index === pending.from,
    recorded,
    stoppedAt: `${id} as in progress at step ${step} of ${total}`,
    again: 'the next deploy',
    ledger: upStepLedger(entry, step, recorded),
  };
}
