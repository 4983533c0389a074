// A batched data section as a step of a migration's up: its statement run batch by batch by the
// batch executor (backfill.ts), as the owner role with the environment's timeouts and lock
// retries, each batch committed together with the ledger's note of the key it reached, so a
// failure, a lost connection or a stop loses at most the batch in flight and the next deploy
// resumes after the last key the ledger holds. A SIGTERM or SIGINT while it runs stops it after
// the batch in flight (a second one ends the process at once).
import { BackfillError, BackfillResult, runBackfill } from './backfill';
import { StepBatches } from './planned-migration';
import { RunContext } from './run-context';
import { describe, RunnerError } from './runner-error';
import { isConnectionLost } from './session';
import { isReadTimeout } from './answer-bound';
import { isLockTimeout } from './lock-retry';
import { StepToRun } from './step-to-run';

/** Runs the batched step `run` (its `step.batch` set) to its end, or throws a RunnerError saying where it stopped. */
export async function runBatched(context: RunContext, run: StepToRun): Promise<'ran'> {
  const { client, plan } = context;
  const { step } = run;
  const batches = step.batch!;
  const ledger = run.ledger.batches;
  if (!ledger) throw new RunnerError(`${plan.service}: ${run.name} is a batched data section, which the runner runs only in an up (a down takes a "-- +data" section): nothing of it ran`);
  const table = `${batches.table.schema}.${batches.table.name}`;
  const from = await ledger.storedKey(client);
  if (from !== undefined) context.log(`${plan.service}: resuming the backfill of ${table} after ${batches.key} ${from} (the last batch the ledger records as committed)`);
  const stop = stopOnSignals((signal) => context.log(`${plan.service}: ${signal}: the backfill of ${table} stops after the batch in flight (${signal} again ends the process at once)`));
  const started = Date.now();
  let result: BackfillResult;
  try {
    result = await runBackfill(client, { table: batches.table, key: batches.key, size: batches.size, statement: statementOf(batches), ...(from !== undefined ? { from } : {}) }, {
      service: plan.service,
      role: plan.ownerRole,
      lockTimeoutMs: context.settings.lockTimeoutMs,
      statementTimeoutMs: context.settings.statementTimeoutMs,
      lockRetries: context.settings.lockRetries,
      progressIntervalMs: context.progressIntervalMs,
      log: context.log,
      shouldStop: () => stop.received !== undefined,
      async onBatch(progress, batchClient) {
        await batchClient.query(ledger.committedSql(progress.lastKey));
        context.committed = true;
      },
    });
  } catch (error) {
    throw await failure(context, run, batches, error, from);
  } finally {
    stop.dispose();
  }
  if (!result.done) {
    const at = result.lastKey === undefined ? 'before its first batch' : `after ${batches.key} ${result.lastKey}`;
    await run.ledger.stopped(client, `the backfill of ${table} stopped on ${stop.received} ${at}`, false).catch(() => undefined);
    throw new RunnerError(`${plan.service}: ${run.name} stopped on ${stop.received}, in the backfill of ${table} ${at}; ${resumeText(run, batches, result.lastKey, false)}`);
  }
  await run.ledger.finished(client, Date.now() - started).catch((error) => {
    const last = result.lastKey === undefined ? 'from its first key' : `after ${batches.key} ${result.lastKey}`;
    throw new RunnerError(
      `${plan.service}: ${run.name}: the backfill of ${table} is done, but recording the step as done in the ledger failed (${describe(error)}): ` +
        `the ledger records ${run.stoppedAt}; ${run.again} resumes the backfill ${last}, finds no row left and records it (no resolve needed)`,
    );
  });
  context.committed = true;
  return 'ran';
}

/** The statement as the batch executor takes it: what the plan rendered, for the declared table and key. */
function statementOf(batches: StepBatches) {
  return { target: { schema: batches.table.schema, table: batches.table.name, key: batches.key }, first: batches.first, next: batches.next };
}

/**
 * The backfill ended with an error (`from`: where this run started): what the database and the
 * ledger hold, and how the next deploy goes on.
 */
async function failure(context: RunContext, run: StepToRun, batches: StepBatches, error: unknown, from: string | undefined): Promise<RunnerError> {
  const service = context.plan.service;
  // A BackfillError carries the last key committed (from, when none in this run); other errors come before the first batch.
  const [cause, lastKey] = error instanceof BackfillError ? [error.cause, error.lastKey] : [error, from];
  const table = `${batches.table.schema}.${batches.table.name}`;
  const at = positionOf(batches, lastKey);
  if (isConnectionLost(cause) || isReadTimeout(cause)) {
    // Each batch commits with its key in the ledger: the ledger, read by the next deploy, says which batch was the last.
    return new RunnerError(
      `${service}: the connection was lost while ${run.doing} ${run.subject}, in the backfill of ${table} ${at} (${describe(cause)}): ` +
        'each batch committed is recorded in the ledger with its key, in the batch\'s own transaction; the next deploy resumes after the last one (no resolve needed)',
    );
  }
  await run.ledger.stopped(context.client, `the backfill of ${table} stopped ${at}: ${describe(cause)}`, false).catch(() => undefined);
  const committed = lastKey === undefined ? 'No batch of it is committed' : `The batches up to ${batches.key} ${lastKey} are committed`;
  const { lockTimeoutMs, lockRetries } = context.settings;
  // A batch waits only for rows a writer holds: a long transaction of the app's, most likely.
  const waited = isLockTimeout(cause)
    ? ` The batch waited ${lockTimeoutMs} ms for row locks on each of ${lockRetries.retries + 1} tries: end or wait for the session holding them (see pg_stat_activity), or change migrations.lockTimeoutMs / migrations.lockRetries of this environment.`
    : '';
  return new RunnerError(`${service}: ${run.name} failed in the backfill of ${table} ${at}: ${sentence(describe(cause))}${waited} ${committed}; ${resumeText(run, batches, lastKey)}`);
}

/** `after id 250000`, or `in its first batch`. */
function positionOf(batches: StepBatches, lastKey: string | undefined): string {
  return lastKey === undefined ? 'in its first batch' : `after ${batches.key} ${lastKey}`;
}

/** Where the ledger says the step stands and how it goes on; `fixFirst`: after a failure, not a stop. */
function resumeText(run: StepToRun, batches: StepBatches, lastKey: string | undefined, fixFirst = true): string {
  const where = lastKey === undefined ? 'from its first key' : `after ${batches.key} ${lastKey}`;
  return `the ledger records ${run.stoppedAt}: ${fixFirst ? 'once the cause is fixed, ' : ''}${run.again} resumes the backfill ${where} (no resolve needed)`;
}

const sentence = (text: string): string => (text.endsWith('.') ? text : `${text}.`);

const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * While a backfill runs, the first SIGTERM or SIGINT is taken as a request to stop after the
 * batch in flight (Ctrl-C, or a CI job cancelled): the batches before it stay committed with
 * their key. A second one removes the handlers and signals the process again, which ends it as
 * it would have ended (the batch in flight rolls back with the connection).
 */
function stopOnSignals(onFirst: (signal: NodeJS.Signals) => void): { readonly received: NodeJS.Signals | undefined; dispose(): void } {
  let received: NodeJS.Signals | undefined;
  const dispose = () => SIGNALS.forEach((signal) => process.off(signal, handler));
  const handler = (signal: NodeJS.Signals) => {
    if (received !== undefined) {
      dispose();
      process.kill(process.pid, signal);
      return;
    }
    received = signal;
    onFirst(signal);
  };
  SIGNALS.forEach((signal) => process.on(signal, handler));
  return {
    get received() {
      return received;
    },
    dispose,
  };
}
