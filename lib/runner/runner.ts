// The migration runner: converges one service's part of the database to the plan's head.
// One session, one advisory lock per service, one transaction per migration run as the
// owner role with lock and statement timeouts, the ledger row written in that transaction.
import { ClientBase } from 'pg';
import { quoteIdentifier } from '../sql/identifier';
import { ensureLedger, LedgerEntry, LedgerLockTimeout, LedgerRow, ledgerRows, recordApplied, recordAppliedSql, recordRemovedSql } from './ledger';
import { quoteLiteral } from '../sql/literal';
import { MigrationPlan, PlannedMigration } from './planned-migration';
import { lockService, unlockService } from './service-lock';
import { isConnectionLost, migrationSearchPath, pinSession, RUNNER_SEARCH_PATH } from './session';
import { ConvergeOptions, lockWaitOf, sessionSettings, statementTimeoutOf } from './converge-options';
import { answerWithinMs, destroyConnection, isReadTimeout, queryWithin, SilentServer } from './answer-bound';
import { describe, RunnerError } from './runner-error';
import { lostConnection, silentServer } from './lost-connection';

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
  await pinSession(client, sessionSettings(plan, options));
  await lockService(client, plan.service, {
    waitMs: lockWaitOf(options),
    onWait: (holder) => log(`${plan.service}: waiting for another deploy to finish: ${holder}`),
  });
  try {
    await ensureLedger(client, lockWaitOf(options)).catch((error) => {
      throw error instanceof LedgerLockTimeout ? new RunnerError(`${plan.service}: ${error.message}`) : error;
    });
    const rows = await ledgerRows(client, plan.service);
    const { pending, beyond } = reconcile(plan, rows, options.allowDowngrades);
    const rolledBack: string[] = [];
    const applied: string[] = [];
    let failure: unknown;
    try {
      for (const row of beyond.slice().reverse()) {
        await runDown(client, plan, row, options, log);
        rolledBack.push(row.id);
      }
      for (const migration of pending) {
        await runUp(client, plan, migration, options, log);
        applied.push(migration.id);
      }
    } catch (error) {
      failure = error;
    }
    if (applied.length + rolledBack.length > 0) {
      // Flush even after a failure, so what did commit is durable; never hide the failure.
      await flushCommits(client).catch((error) => {
        failure ??= error;
      });
    }
    if (failure !== undefined) throw failure;
    const head = plan.migrations[plan.migrations.length - 1]?.id ?? 'no migration';
    const what = applied.length + rolledBack.length === 0 ? 'up to date, nothing to do' : `${applied.length} applied, ${rolledBack.length} rolled back`;
    log(`${plan.service}: at ${head} (${what}) in ${Date.now() - started} ms`);
    return { applied, rolledBack };
  } finally {
    await unlockService(client, plan.service).catch(() => undefined);
  }
}

/** What to run, after checking that the database's history and the plan agree. */
function reconcile(plan: MigrationPlan, rows: readonly LedgerRow[], allowDowngrades: boolean): { pending: PlannedMigration[]; beyond: LedgerRow[] } {
  const service = plan.service;
  const failed = rows.find((r) => r.status === 'failed');
  if (failed) {
    throw new RunnerError(
      `${service}: migration ${failed.id} failed earlier and is unresolved (${failed.error ?? 'no error recorded'}). It ran outside a transaction, so part of it may be in the database. ` +
        `Inspect the database, then run \`npm run bedrock -- resolve --service ${service} ${failed.id} --applied\` or \`--rolled-back\``,
    );
  }
  const planned = new Map(plan.migrations.map((m, i) => [m.id, { migration: m, index: i }]));
  for (const row of rows) {
    const match = planned.get(row.id);
    if (match && match.migration.checksum !== row.checksum) {
      throw new RunnerError(
        `${service}: REFUSED: migration ${row.id} was applied with checksum ${row.checksum}, but the plan has ${match.migration.checksum}. ` +
          'An applied migration was edited. Restore the original file from git and put the change in a new migration.',
      );
    }
  }
  const appliedIndexes = rows.filter((r) => planned.has(r.id)).map((r) => planned.get(r.id)!.index);
  const lastApplied = appliedIndexes.length > 0 ? Math.max(...appliedIndexes) : -1;
  const gaps = plan.migrations.slice(0, lastApplied + 1).filter((m) => !rows.some((r) => r.id === m.id));
  if (gaps.length > 0) {
    throw new RunnerError(`${service}: the database holds later migrations but not ${gaps.map((g) => g.id).join(', ')}: its history differs from the plan's chain; compare \`npm run bedrock -- history ${service}\` with the migrations folder`);
  }
  const beyond = rows.filter((r) => !planned.has(r.id));
  const lastAppliedId = lastApplied >= 0 ? plan.migrations[lastApplied].id : '';
  const interleaved = beyond.filter((r) => r.id < lastAppliedId);
  if (interleaved.length > 0) {
    throw new RunnerError(`${service}: the database holds ${interleaved.map((r) => r.id).join(', ')}, which the plan's chain does not contain before its applied migrations: its history differs from the plan`);
  }
  if (beyond.length > 0 && !allowDowngrades) {
    throw new RunnerError(
      `${service}: the database holds ${beyond.map((r) => r.id).join(', ')} beyond the plan's head, and this environment does not allow downgrades. ` +
        'Deploy a plan that includes them, or roll back where downgrades are allowed.',
    );
  }
  return { pending: plan.migrations.slice(lastApplied + 1), beyond };
}

/**
 * Makes every commit so far durable. Migrations commit with synchronous_commit off (the
 * migration and its ledger row are one transaction, so a server crash loses both or
 * neither); one synchronous commit at the end flushes the WAL up to it, so the runner never
 * reports a migration that a crash could still take back. Per-migration fsyncs would
 * otherwise cost as much as the DDL.
 */
async function flushCommits(client: ClientBase): Promise<void> {
  await client.query(`BEGIN;\nSET LOCAL synchronous_commit = on;\nSELECT pg_catalog.pg_current_xact_id();\nCOMMIT`);
}

/**
 * One migration's transaction in one round trip: BEGIN, timeouts, SET ROLE, the SQL, the
 * ledger rows, COMMIT. Statements are separated by a newline before the semicolon, so a
 * trailing comment in the SQL cannot swallow what follows. On any error the rest is skipped
 * by PostgreSQL and the transaction rolled back here.
 */
async function inOneTransaction(client: ClientBase, plan: MigrationPlan, options: ConvergeOptions, sql: string, ledger: string): Promise<void> {
  const script = [
    'BEGIN',
    'SET LOCAL synchronous_commit = off',
    `SET LOCAL lock_timeout = ${quoteLiteral(`${sessionSettings(plan, options).lockTimeoutMs}ms`)}`,
    `SET LOCAL statement_timeout = ${quoteLiteral(`${statementTimeoutOf(options)}ms`)}`,
    `SET LOCAL ROLE ${quoteIdentifier(plan.ownerRole)}`,
    `SET LOCAL search_path = ${migrationSearchPath(plan.schema ?? plan.service)}`,
    sql,
    // Deferred constraint checks fire at COMMIT, and up to PostgreSQL 17 as the current user,
    // who would by then be the deploying user: they are checked now, as the owner.
    'SET CONSTRAINTS ALL IMMEDIATE',
    'RESET ROLE',
    // The ledger rows are written as the deploying user: with pg_catalog alone on the path, no
    // operator or function the migration created can stand in for the ones they use.
    `SET LOCAL search_path = ${RUNNER_SEARCH_PATH}`,
    ledger,
    'COMMIT',
  ].join('\n;\n');
  const bound = answerWithinMs(sql, statementTimeoutOf(options));
  try {
    await queryWithin(client, script, bound);
  } catch (error) {
    if (isReadTimeout(error)) {
      destroyConnection(client);
      throw new SilentServer(bound);
    }
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}


async function runUp(client: ClientBase, plan: MigrationPlan, migration: PlannedMigration, options: ConvergeOptions, log: (line: string) => void): Promise<void> {
  const entry: LedgerEntry = { service: plan.service, id: migration.id, checksum: migration.checksum, up: migration.up, down: migration.down, transactional: migration.transactional };
  const started = Date.now();
  if (!migration.transactional) return runUpOutsideTransaction(client, plan, migration, entry, options, log);
  try {
    await inOneTransaction(client, plan, options, migration.up, recordAppliedSql(entry));
  } catch (error) {
    if (error instanceof SilentServer) throw silentServer(plan, migration.id, 'applying', error.boundMs);
    if (isConnectionLost(error)) throw await lostConnection(plan, migration.id, 'applying', error, options);
    throw new RunnerError(`${plan.service}: migration ${migration.id} failed: ${describe(error)}. Rolled back: the database and the ledger are as they were before it`);
  }
  log(`${plan.service}: applied ${migration.id} in ${Date.now() - started} ms`);
}

/** CREATE INDEX CONCURRENTLY and the like: statement by statement, recorded as failed until done. */
async function runUpOutsideTransaction(
  client: ClientBase,
  plan: MigrationPlan,
  migration: PlannedMigration,
  entry: LedgerEntry,
  options: ConvergeOptions,
  log: (line: string) => void,
): Promise<void> {
  const started = Date.now();
  // Written first, so a crash mid-way leaves a visible, unresolved row rather than nothing.
  await recordApplied(client, entry, 'failed', null, 'started outside a transaction and did not finish');
  try {
    // The session's timeouts (pinned at the start) bound every statement here too.
    await client.query(`SET ROLE ${quoteIdentifier(plan.ownerRole)}; SET search_path = ${migrationSearchPath(plan.schema ?? plan.service)}`);
    for (const statement of migration.statements ?? [migration.up]) await queryWithin(client, statement, answerWithinMs(statement, statementTimeoutOf(options)));
  } catch (error) {
    if (isReadTimeout(error)) destroyConnection(client);
    if (isConnectionLost(error) || isReadTimeout(error)) {
      throw new RunnerError(
        `${plan.service}: the connection was lost while applying ${migration.id} (outside a transaction: ${describe(error)}); it is recorded as failed and unresolved, and part of it may have run. ` +
          `Inspect the database, then \`npm run bedrock -- resolve --service ${plan.service} ${migration.id} --applied\` or \`--rolled-back\``,
      );
    }
    // The failure is recorded as the deploying user: with the runner's own settings again.
    await client.query('RESET ROLE').catch(() => undefined);
    await pinSession(client, sessionSettings(plan, options));
    await recordApplied(client, entry, 'failed', Date.now() - started, describe(error));
    throw new RunnerError(
      `${plan.service}: migration ${migration.id} (outside a transaction) failed: ${describe(error)}. Part of it may have run; it is recorded as failed. ` +
        `Inspect the database, then \`npm run bedrock -- resolve --service ${plan.service} ${migration.id} --applied\` or \`--rolled-back\``,
    );
  } finally {
    await client.query('RESET ROLE').catch(() => undefined);
    // Whatever the statements set for the session, the runner's own settings hold again.
    await pinSession(client, sessionSettings(plan, options)).catch(() => undefined);
  }
  await recordApplied(client, entry, 'applied', Date.now() - started);
  log(`${plan.service}: applied ${migration.id} (outside a transaction) in ${Date.now() - started} ms`);
}

async function runDown(client: ClientBase, plan: MigrationPlan, row: LedgerRow, options: ConvergeOptions, log: (line: string) => void): Promise<void> {
  const started = Date.now();
  try {
    await inOneTransaction(client, plan, options, row.down_sql, recordRemovedSql(plan.service, row.id));
  } catch (error) {
    if (error instanceof SilentServer) throw silentServer(plan, row.id, 'rolling back', error.boundMs);
    if (isConnectionLost(error)) throw await lostConnection(plan, row.id, 'rolling back', error, options);
    throw new RunnerError(`${plan.service}: rolling back ${row.id} failed: ${describe(error)}. Rolled back: the database and the ledger are as they were before it`);
  }
  log(`${plan.service}: rolled back ${row.id} in ${Date.now() - started} ms`);
}
