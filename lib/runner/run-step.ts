// Runs one step of a migration's up or down: a transactional step in one round trip with its
// ledger change, or one statement outside a transaction with the ledger written before and
// after it; lock timeouts retried with backoff; every stop explained in one RunnerError.
import { SilentServer } from './answer-bound';
import { PlannedStep } from './planned-migration';
import { dropInvalidIndex, INDEX_STEP_LOCK_TIMEOUT_MS, indexState, indexStepDone } from './index-step';
import { LockRetries } from './converge-options';
import { withLockRetries } from './lock-retry';
import { lostConnection, silentServer } from './lost-connection';
import { runOutsideTransaction } from './outside-step';
import { runBatched } from './run-batched-step';
import { checkTransfer } from './run-transfer-step';
import { RunContext } from './run-context';
import { describe } from './runner-error';
import { isConnectionLost } from './session';
import { inOneTransaction } from './step-transaction';
import { lostOutside, retryLine, stepFailure, unrecorded } from './step-messages';
import { blockingSessions } from './blocking-sessions';
import { StepToRun } from './step-to-run';
import { stepMode, StepsLabel, stepSubject, whileRunning } from './progress';

/** 'already done': a resumed index step found its index as the step leaves it, and was only recorded. */
export type StepOutcome = 'ran' | 'already done';

/** Where a migration's up or down starts: its first step, or the one the ledger says it stopped at. */
export interface StepsFrom {
  /** The 0-based index of the first step to run. */
  readonly from: number;
  /** The ledger holds the migration as stopped at step `from` + 1. */
  readonly resumed: boolean;
  /** ...with no error recorded: the run died during that step (it may have finished its statement). */
  readonly interrupted: boolean;
}

/**
 * Runs `steps` from `from`, in order. For a migration of several steps, a line when each starts
 * (`step 2/4 of <id> started (in a transaction)`) and one when it ends (`<id> step 2/4 in N ms`);
 * for any step, while it runs, a line per progress interval (`... still running after 30 s`).
 */
export async function runSteps(context: RunContext, steps: readonly PlannedStep[], from: number, label: StepsLabel, toRun: (index: number) => StepToRun): Promise<void> {
  const service = context.plan.service;
  for (let index = from; index < steps.length; index++) {
    const subject = stepSubject(label, index, steps.length);
    if (steps.length > 1) context.log(`${service}: ${subject} started (${stepMode(steps[index])})`);
    const started = Date.now();
    const outcome = await whileRunning(context.progressIntervalMs, (elapsed) => context.log(`${service}: ${subject} still running after ${elapsed}`), () => runStep(context, toRun(index)));
    const outside = steps[index].transactional ? '' : ' (outside a transaction)';
    if (steps.length > 1) context.log(`${service}: ${label.id} ${label.kind} ${index + 1}/${steps.length}${outside} ${outcome === 'ran' ? 'in' : 'found done, recorded in'} ${Date.now() - started} ms`);
  }
}

export function runStep(context: RunContext, run: StepToRun): Promise<StepOutcome> {
  if (run.step.batch) return runBatched(context, run);
  return run.step.transactional ? runTransactional(context, run) : runOutside(context, run);
}

const NO_RETRIES: LockRetries = { retries: 0, backoffMs: 0, maxBackoffMs: 0 };

async function runTransactional(context: RunContext, run: StepToRun): Promise<StepOutcome> {
  const { client, plan, settings } = context;
  if (run.step.transfer) await checkTransfer(context, run.id, run.step.transfer);
  const lockTimeout = new LockTimeout(context, run);
  try {
    await withLockRetries(
      settings.lockRetries,
      () => lockTimeout.attempt(() => inOneTransaction(client, plan, { ...settings, lockTimeoutMs: lockTimeout.ms }, run.step.sql, run.ledger.committedSql(), run.step.transfer ? 'deploying user' : 'owner')),
      (retry, waitMs) => lockTimeout.beforeRetry(retry, waitMs),
    );
  } catch (error) {
    if (error instanceof SilentServer) throw silentServer(plan, run.subject, run.doing, error.boundMs);
    if (isConnectionLost(error)) throw await lostConnection(plan, run.subject, run.doing, error, context.options, run.ledger.probe);
    // The step's failure is what must be told; a ledger that cannot take its error keeps the step before it.
    await run.ledger.stopped(client, describe(error), false).catch(() => undefined);
    throw await stepFailure(context, run, error, lockTimeout.triedAt);
  }
  context.committed = true;
  return 'ran';
}

async function runOutside(context: RunContext, run: StepToRun): Promise<StepOutcome> {
  const { client } = context;
  if (await finishedBeforeResume(context, run)) return 'already done';
  await run.ledger.started(client, run.step.retrySafe);
  context.committed = true;
  const started = Date.now();
  const lockTimeout = new LockTimeout(context, run);
  try {
    // Only a step safe to run again is tried again; index steps wait without lock_timeout.
    await withLockRetries(
      run.step.retrySafe ? context.settings.lockRetries : NO_RETRIES,
      () => lockTimeout.attempt(() => attemptOutside(context, run, lockTimeout.ms)),
      (retry, waitMs) => lockTimeout.beforeRetry(retry, waitMs),
    );
  } catch (error) {
    if (error instanceof SilentServer || isConnectionLost(error)) throw lostOutside(context, run, describe(error));
    const undone = await cleanUpAfter(context, run, error);
    await run.ledger.stopped(client, describe(error), !run.step.retrySafe).catch(() => undefined);
    throw await stepFailure(context, run, error, lockTimeout.triedAt, undone);
  }
  await run.ledger.finished(client, Date.now() - started).catch((error) => {
    throw unrecorded(context, run, describe(error));
  });
  return 'ran';
}

/**
 * Resuming an index step the ledger shows started: if the index is already as the step leaves
 * it, the interrupted run finished the statement before it could record it. Recorded as done.
 */
async function finishedBeforeResume(context: RunContext, run: StepToRun): Promise<boolean> {
  const index = run.step.index;
  if (!run.interrupted || !index || !indexStepDone(index, await indexState(context, index))) return false;
  await run.ledger.finished(context.client, 0);
  context.committed = true;
  const state = index.action === 'create' ? 'exists and is valid' : 'is already gone';
  context.log(`${context.plan.service}: ${run.name}: the index ${index.schema}.${index.name} ${state}: the interrupted run had finished the step; recorded as done without running it`);
  return true;
}

async function attemptOutside(context: RunContext, run: StepToRun, lockTimeoutMs: number): Promise<void> {
  const index = run.step.index;
  if (index?.action === 'create' && (await dropInvalidIndex(context, index))) {
    context.log(`${context.plan.service}: ${run.name}: dropped the INVALID index ${index.schema}.${index.name} an earlier build left, before building it again`);
  }
  await runOutsideTransaction(context, run.step.sql, index ? INDEX_STEP_LOCK_TIMEOUT_MS : lockTimeoutMs);
}

/**
 * The lock_timeout of a step's next try: the environment's, except behind an autovacuum. An
 * autovacuum (one not preventing wraparound) holds SHARE UPDATE EXCLUSIVE on a large table for
 * minutes, and PostgreSQL cancels it only for a lock request that has waited deadlock_timeout
 * (1 s by default): a shorter lock_timeout would time out behind it on every try. So the try
 * after one blocked by an autovacuum waits deadlock_timeout plus the environment's timeout;
 * writers queue behind it that long, once, rather than the deploy failing.
 */
class LockTimeout {
  ms: number;
  /** The server's clock just before the last try was sent (timestamptz as text, microseconds kept). */
  triedAt: string | undefined;

  constructor(
    private readonly context: RunContext,
    private readonly run: StepToRun,
  ) {
    this.ms = context.settings.lockTimeoutMs;
  }

  /**
   * Runs one try, first asking the server's clock: every writer that queues behind the try's
   * lock request begins its transaction after that (a round trip per try, nothing else).
   */
  async attempt<T>(work: () => Promise<T>): Promise<T> {
    this.triedAt = (await this.context.client.query<{ t: string }>('SELECT pg_catalog.clock_timestamp()::text AS t')).rows[0].t;
    return work();
  }

  async beforeRetry(retry: number, waitMs: number): Promise<void> {
    const waited = this.ms;
    // Sessions whose transaction began before this try was sent: the writers that queued behind
    // its lock request began theirs later (and hold their locks by now, the request gone).
    const blockers = await blockingSessions(this.context.client, this.run.step.tables, this.triedAt);
    const base = this.context.settings.lockTimeoutMs;
    this.ms = blockers.yieldingAutovacuum ? Math.max(base, blockers.deadlockTimeoutMs + base) : base;
    this.context.log(retryLine(this.context, this.run, retry, waitMs, blockers, waited, this.ms));
  }
}

/**
 * A failed CREATE INDEX CONCURRENTLY leaves its index INVALID (still updated by every write,
 * never used by a query): dropped now, best effort, so nothing is left INVALID. Not when the
 * name was taken already (42P07): that index is not the step's.
 */
async function cleanUpAfter(context: RunContext, run: StepToRun, error: unknown): Promise<string | undefined> {
  const index = run.step.index;
  if (index?.action !== 'create') return undefined;
  if ((error as { code?: string }).code === '42P07') return `The name ${index.schema}.${index.name} is taken by a relation that is not this step's (left as it is): rename or drop it`;
  try {
    return (await dropInvalidIndex(context, index)) ? `The INVALID index ${index.schema}.${index.name} it left was dropped` : 'It left no INVALID index';
  } catch (cleanup) {
    return `The INVALID index ${index.schema}.${index.name} it left could not be dropped now (${describe(cleanup)}): the next deploy drops it first`;
  }
}
