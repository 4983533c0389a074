// A migration's up, step by step from where the ledger says it stopped (the first step for a
// migration not yet in the ledger). One line per step for a migration of several steps.
import { PlannedMigration } from './planned-migration';
import { RunContext } from './run-context';
import { runStep } from './run-step';
import { StepsEntry, upStepLedger } from './step-ledger';
import { stepName, StepToRun } from './step-to-run';

export interface PendingUp {
  readonly migration: PlannedMigration;
  /** The 0-based index of the first step to run. */
  readonly from: number;
  /** The ledger holds the migration as stopped at step `from` + 1 (partial). */
  readonly resumed: boolean;
  /** ...with no error recorded: the run died during that step (it may have finished its statement). */
  readonly interrupted: boolean;
}

export async function runUp(context: RunContext, pending: PendingUp): Promise<void> {
  const { migration } = pending;
  const service = context.plan.service;
  const total = migration.upSteps.length;
  const started = Date.now();
  const entry = stepsEntry(service, migration);
  if (pending.resumed) context.log(`${service}: resuming ${migration.id} at step ${pending.from + 1} of ${total}`);
  for (let index = pending.from; index < total; index++) {
    const stepStarted = Date.now();
    const outcome = await runStep(context, upStep(pending, entry, index));
    const outside = migration.upSteps[index].transactional ? '' : ' (outside a transaction)';
    if (total > 1) context.log(`${service}: ${migration.id} step ${index + 1}/${total}${outside} ${outcome === 'ran' ? 'in' : 'found done, recorded in'} ${Date.now() - stepStarted} ms`);
  }
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
