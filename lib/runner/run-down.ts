// A migration's down, run from the ledger row (not from the plan, which no longer holds it),
// step by step from where an interrupted rollback stopped. Rows of older runners have no
// steps: their down SQL runs as one transaction. What the down destroys is copied first
// (backup-copy.ts), when the steps say what (steps recorded by a runner with backups).
import { LedgerRow } from './ledger';
import { downStepsOf } from './ledger-down-steps';
import { PlannedStep } from './planned-migration';
import { RunContext } from './run-context';
import { stepsSummary } from './progress';
import { runSteps, StepsFrom } from './run-step';
import { downStepLedger } from './step-ledger';
import { stepName, StepToRun } from './step-to-run';
import { backUpBefore } from './backup-copy';

/** A rollback to run; resumed: the ledger holds the migration as rolling back. */
export interface PendingDown extends StepsFrom {
  readonly row: LedgerRow;
}

export async function runDown(context: RunContext, pending: PendingDown): Promise<void> {
  const { row } = pending;
  const service = context.plan.service;
  const steps = downStepsOf(row);
  await backUpBefore(context, { id: row.id, direction: 'down', steps, from: pending.from });
  const started = Date.now();
  context.log(pending.resumed ? `${service}: resuming the rollback of ${row.id} at down step ${pending.from + 1} of ${steps.length}` : `${service}: rolling back ${row.id}${stepsSummary(steps)}`);
  const label = { id: row.id, kind: 'down step', whole: `rollback of ${row.id}` } as const;
  await runSteps(context, steps, pending.from, label, (index) => downStep(context, pending, steps, index, started));
  context.log(`${service}: rolled back ${row.id} in ${Date.now() - started} ms`);
}

function downStep(context: RunContext, pending: PendingDown, steps: readonly PlannedStep[], index: number, since: number): StepToRun {
  const { id } = pending.row;
  const [step, total] = [index + 1, steps.length];
  const recorded = pending.resumed || index > 0;
  return {
    step: steps[index],
    id,
    name: stepName(total > 1 ? `rolling back ${id},` : `rolling back ${id}`, 'down step', steps[index], step, total),
    doing: 'rolling back',
    subject: total > 1 ? `${id} (down step ${step} of ${total})` : id,
    interrupted: pending.interrupted && index === pending.from,
    recorded,
    stoppedAt: `the rollback of ${id} as stopped at down step ${step} of ${total}`,
    again: 'the next deploy of a plan without it',
    ledger: downStepLedger(context.plan.service, id, step, total, since, recorded),
  };
}
