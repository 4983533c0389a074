// How the runner words a step that stopped: what failed, why, what the database and the ledger
// now hold, and what to do next, in one message.
import { Blockers, blockingSessions } from './blocking-sessions';
import { isLockTimeout } from './lock-retry';
import { RunContext } from './run-context';
import { describe, RunnerError } from './runner-error';
import { StepToRun } from './step-to-run';

/**
 * The step failed (its error is recorded in the ledger where there is a row). `triedAt`: when its
 * last try was sent (who held a lock is asked about the sessions older than that). `undone`: what
 * became of what a failed step outside a transaction left (e.g. the INVALID index it dropped).
 */
export async function stepFailure(context: RunContext, run: StepToRun, error: unknown, triedAt: string | undefined, undone?: string): Promise<RunnerError> {
  const service = context.plan.service;
  const lead = `${service}: ${run.name} failed: ${describe(error)}`;
  if (!isLockTimeout(error)) return new RunnerError(`${sentence(lead)} ${aftermath(context, run, undone)}`);
  const { lockRetries, lockTimeoutMs } = context.settings;
  const waited = run.step.index ? 'it waited for its locks' : `it waited ${lockTimeoutMs} ms for its locks`;
  return new RunnerError(
    `${lead}; ${waited} on each of ${lockRetries.retries + 1} tries, held by ${(await blockingSessions(context.client, run.step.tables, triedAt)).text}. ${aftermath(context, run, undone)}. ` +
      'End or wait for that session; or, to wait longer, change migrations.lockTimeoutMs / migrations.lockRetries of this environment in stacks/environments.ts (the runner flags --lock-timeout-ms, --lock-retries)',
  );
}

/** `text` ended with a full stop (PostgreSQL's detail may already end with one). */
const sentence = (text: string): string => (text.endsWith('.') ? text : `${text}.`);

/** What the database and the ledger hold after the failed step, and how to go on. */
function aftermath(context: RunContext, run: StepToRun, undone = 'It is safe to run again'): string {
  if (!run.step.transactional && !run.step.retrySafe) return `Part of it may have run; it is recorded as failed. ${settleByHand(context, run)}`;
  if (run.step.transactional && !run.recorded) return 'Rolled back: the database and the ledger are as they were before it';
  return `${run.step.transactional ? 'That step was rolled back' : undone}; the ledger records ${run.stoppedAt}: once the cause is fixed, ${run.again} resumes at that step (no resolve needed)`;
}

function settleByHand(context: RunContext, run: StepToRun): string {
  return `Inspect the database, then \`npm run bedrock -- resolve --service ${context.plan.service} ${run.id} --applied\` or \`--rolled-back\``;
}

/** The connection died (or went silent) during a step outside a transaction: nothing can be read back. */
export function lostOutside(context: RunContext, run: StepToRun, cause: string): RunnerError {
  const service = context.plan.service;
  const lead = `${service}: the connection was lost while ${run.doing} ${run.subject} (outside a transaction: ${cause})`;
  if (!run.step.retrySafe) {
    return new RunnerError(`${lead}; it is recorded as failed and unresolved, and part of it may have run. ${settleByHand(context, run)}`);
  }
  const index = run.step.index?.action === 'create' ? '; an INVALID index it left is dropped first' : '';
  return new RunnerError(`${lead}; the ledger records ${run.stoppedAt}, and ${run.again} resumes at that step (no resolve needed${index})`);
}

/**
 * The line logged before a retry after a lock timeout: who held the lock, and when the next try
 * comes (and, behind an autovacuum, how long it will wait).
 */
export function retryLine(context: RunContext, run: StepToRun, retry: number, waitMs: number, blockers: Blockers, waitedMs: number, nextLockTimeoutMs: number): string {
  const { lockRetries } = context.settings;
  const longer =
    nextLockTimeoutMs > waitedMs
      ? `; an autovacuum gives way to a lock request only after it has waited deadlock_timeout (${blockers.deadlockTimeoutMs} ms), so the next try waits ${nextLockTimeoutMs} ms`
      : '';
  return `${context.plan.service}: ${run.name} timed out waiting ${waitedMs} ms for a lock, held by ${blockers.text}${longer}; retry ${retry} of ${lockRetries.retries} in ${waitMs} ms`;
}

/** A step outside a transaction ran, but the ledger could not be told (the connection died just after). */
export function unrecorded(context: RunContext, run: StepToRun, cause: string): RunnerError {
  const lead = `${context.plan.service}: ${run.name} ran, but recording it in the ledger failed (${cause})`;
  if (!run.step.retrySafe) return new RunnerError(`${lead}; it is recorded as failed and unresolved. ${settleByHand(context, run)}`);
  const next = run.step.index ? 'finds the index done and records it' : 'runs it again';
  return new RunnerError(`${lead}; the ledger records ${run.stoppedAt}, and ${run.again} ${next} (no resolve needed)`);
}
