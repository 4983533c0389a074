// One step as the runner is about to run it: the planned step, how messages name it, what the
// ledger holds before it, and how the ledger follows it.
import { PlannedStep } from './planned-migration';
import { StepLedger } from './step-ledger';

export interface StepToRun {
  readonly step: PlannedStep;
  /** The migration's id. */
  readonly id: string;
  /** How messages name the step (see stepName). */
  readonly name: string;
  /** For a lost connection: what was being done, to what (`<id>`, `<id> step 2 of 4`). */
  readonly doing: 'applying' | 'rolling back';
  readonly subject: string;
  /**
   * The first step of a run resuming a migration the ledger shows stopped at this step with no
   * error recorded: the run died during the step, so its statement may have
   * finished. Only then may a step found done be recorded without running (a failure the
   * runner recorded, e.g. 42P07 on a name already taken, means it did not finish).
   */
  readonly interrupted: boolean;
  /** The ledger records this migration's progress before the step (a failed transactional step leaves it as it was). */
  readonly recorded: boolean;
  /** Where the ledger says the migration stopped if this step fails, e.g. `<id> in progress at step 2 of 4`. */
  readonly stoppedAt: string;
  /** Who resumes it: `the next deploy`, or for a rollback `the next deploy of a plan without it`. */
  readonly again: string;
  readonly ledger: StepLedger;
}

/**
 * How messages name step `step` of `total` (1-based) of `what` (`migration <id>`, or `rolling
 * back <id>,` with kind `down step`): e.g. `migration <id>`, `migration <id> (outside a
 * transaction)`, `migration <id> step 2 of 4 (line 12, outside a transaction)`.
 */
export function stepName(what: string, kind: string, planned: PlannedStep, step: number, total: number): string {
  const details = [...(total > 1 ? [`line ${planned.line}`] : []), ...(planned.transactional ? [] : ['outside a transaction'])];
  return `${what}${total > 1 ? ` ${kind} ${step} of ${total}` : ''}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
}
