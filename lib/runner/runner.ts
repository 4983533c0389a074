// The migration runner: converges one service's part of the database to the plan's head.
// One session, one advisory lock per service; each migration runs as its steps (see
// run-step.ts), as the owner role with lock and statement timeouts, the ledger following every
// step, so a deploy that stopped resumes where it stopped. It logs a line when each migration
// and step starts and ends, and while a step runs, how long it has run (see progress.ts).
// Expired backups are dropped first; what a migration or rollback destroys is copied before it
// runs (backup-copy.ts).
import { refuseUnadoptedLegacyTables } from './legacy-tables';
import { ClientBase } from 'pg';
import { ensureLedger, LedgerLockTimeout, ledgerRows } from './ledger';
import { lockService, unlockService } from './service-lock';
import { pinSession } from './session';
import { ConvergeOptions, progressIntervalMs, runnerSettings, sessionSettings } from './converge-options';
import { RunnerError } from './runner-error';
import { reconcile } from './reconcile';
import { recordMissingDownSteps } from './ledger-down-steps';
import { refuseLargeOfflineSteps } from './offline-limit';
import { RunContext } from './run-context';
import { runDown } from './run-down';
import { runUp } from './run-up';
import { expireBackups } from './backup-retention';
import { BackupMoment, prepareBackups } from './backup-copy';
import { downStepsOf } from './ledger-down-steps';

export interface ConvergeResult {
  readonly applied: readonly string[];
  readonly rolledBack: readonly string[];
}

export { RunnerError };
export type { ConvergeOptions };

export async function converge(client: ClientBase, options: ConvergeOptions): Promise<ConvergeResult> {
  const { plan } = options;
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const settings = runnerSettings(options);
  const progressInterval = progressIntervalMs(options);
  await pinSession(client, sessionSettings(plan, settings));
  const applicationName = await lockService(client, plan.service, {
    waitMs: settings.lockWaitMs,
    onWait: (holds) => log(`${plan.service}: waiting for another deploy to finish: ${holds}`),
  });
  try {
    await ensureLedger(client, settings.lockWaitMs).catch((error) => {
      throw error instanceof LedgerLockTimeout ? new RunnerError(`${plan.service}: ${error.message}`) : error;
    });
    const context: RunContext = { client, plan, options, settings, log, applicationName, progressIntervalMs: progressInterval, committed: false };
    const result = await run(context);
    const head = plan.migrations[plan.migrations.length - 1]?.id ?? 'no migration';
    const what = result.applied.length + result.rolledBack.length === 0 ? 'up to date, nothing to do' : `${result.applied.length} applied, ${result.rolledBack.length} rolled back`;
    log(`${plan.service}: at ${head} (${what}) in ${Date.now() - started} ms`);
    return result;
  } finally {
    await unlockService(client, plan.service).catch(() => undefined);
  }
}

/** Everything the ledger and the plan say is left, refused as a whole before anything runs. */
async function run(context: RunContext): Promise<ConvergeResult> {
  const { client, plan, options } = context;
  await expireBackups(context);
  const rows = await recordMissingDownSteps(client, plan, await ledgerRows(client, plan.service));
  await refuseUnadoptedLegacyTables(client, plan, rows);
  const work = reconcile(plan, rows, options.allowDowngrades);
  await refuseLargeOfflineSteps(client, plan, work, context.settings.offlineChangeMaxRows);
  await prepareBackups(context, backupMoments(work));
  const rolledBack: string[] = [];
  const applied: string[] = [];
  let failure: unknown;
  try {
    for (const down of work.downs) {
      await runDown(context, down);
      rolledBack.push(down.row.id);
    }
    for (const up of work.ups) {
      await runUp(context, up);
      applied.push(up.migration.id);
    }
  } catch (error) {
    failure = error;
  }
  if (context.committed) {
    // Flush even after a failure, so what did commit is durable; never hide the failure.
    await flushCommits(client).catch((error) => {
      failure ??= error;
    });
  }
  if (failure !== undefined) throw failure;
  return { applied, rolledBack };
}

/** What the pending work would destroy, rollbacks and migrations alike, from where each starts. */
function backupMoments(work: ReturnType<typeof reconcile>): BackupMoment[] {
  return [
    ...work.downs.map(({ row, from }): BackupMoment => ({ id: row.id, direction: 'down', steps: downStepsOf(row), from })),
    ...work.ups.map(({ migration, from }): BackupMoment => ({ id: migration.id, direction: 'up', steps: migration.upSteps, from })),
  ];
}

/**
 * Makes every commit so far durable. Transactional steps commit with synchronous_commit off (a
 * step and its ledger row are one transaction, so a server crash loses both or neither); one
 * synchronous commit at the end flushes the WAL up to it, so the runner never reports a
 * migration that a crash could still take back. Per-step fsyncs would otherwise cost as much as
 * the DDL.
 */
async function flushCommits(client: ClientBase): Promise<void> {
  await client.query(`BEGIN;\nSET LOCAL synchronous_commit = on;\nSELECT pg_catalog.pg_current_xact_id();\nCOMMIT`);
}
