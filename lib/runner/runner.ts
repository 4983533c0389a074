// The migration runner: converges one service's part of the database to the plan's head.
// One session, one advisory lock per service, one transaction per migration run as the
// owner role with lock and statement timeouts, the ledger row written in that transaction.
import { ClientBase, DatabaseError, QueryConfig } from 'pg';
import { quoteIdentifier } from '../sql/identifier';
import { ensureLedger, LedgerEntry, LedgerLockTimeout, LedgerRow, ledgerRows, recordApplied, recordAppliedSql, recordRemovedSql } from './ledger';
import { quoteLiteral } from '../sql/literal';
import { MigrationPlan, PlannedMigration } from './planned-migration';
import { lockService, unlockService } from './service-lock';
import { isConnectionLost, migrationSearchPath, pinSession, RUNNER_SEARCH_PATH, SessionSettings } from './session';
import { answerWithinMs } from './answer-bound';

export interface ConvergeOptions {
  readonly plan: MigrationPlan;
  /** Roll back migrations the database holds beyond the plan's head (by their stored down SQL). */
  readonly allowDowngrades: boolean;
  /** lock_timeout for each migration's statements. @default 10 s */
  readonly lockTimeoutMs?: number;
  /** statement_timeout for each migration's statements. @default 15 min */
  readonly statementTimeoutMs?: number;
  /** How long to wait for another deploy of the same service. @default 60 s */
  readonly lockWaitMs?: number;
  readonly log?: (line: string) => void;
  /**
   * A new connection, used only after the connection was lost mid-migration, to read the
   * ledger and tell whether the migration committed. Without it the outcome is reported as
   * unresolved.
   */
  readonly reconnect?: () => Promise<ClientBase & { end(): Promise<void> }>;
}

export interface ConvergeResult {
  readonly applied: readonly string[];
  readonly rolledBack: readonly string[];
}

/** A refusal or failure the runner explains; nothing of the failed migration remains. */
export class RunnerError extends Error {}

export async function converge(client: ClientBase, options: ConvergeOptions): Promise<ConvergeResult> {
  const { plan } = options;
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  await pinSession(client, sessionSettings(plan, options));
  await lockService(client, plan.service, {
    waitMs: options.lockWaitMs ?? 60_000,
    onWait: (holder) => log(`${plan.service}: waiting for another deploy to finish: ${holder}`),
  });
  try {
    await ensureLedger(client, options.lockWaitMs ?? 60_000).catch((error) => {
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

function describe(error: unknown): string {
  if (error instanceof DatabaseError) {
    return `${error.message} (SQLSTATE ${error.code})${error.detail ? `; ${error.detail}` : ''}${error.where ? `; ${error.where}` : ''}`;
  }
  return (error as Error).message;
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
    `SET LOCAL lock_timeout = ${quoteLiteral(`${options.lockTimeoutMs ?? 10_000}ms`)}`,
    `SET LOCAL statement_timeout = ${quoteLiteral(`${options.statementTimeoutMs ?? 900_000}ms`)}`,
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
  try {
    await queryWithin(client, script, answerWithinMs(sql, statementTimeoutOf(options)));
  } catch (error) {
    if (isReadTimeout(error)) throw closeSilentConnection(client, error);
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

const statementTimeoutOf = (options: ConvergeOptions): number => options.statementTimeoutMs ?? 900_000;

/** node-postgres's per-query read timeout (query_timeout, missing from @types/pg). */
function queryWithin(client: ClientBase, text: string, ms: number): Promise<unknown> {
  return client.query({ text, query_timeout: ms } as QueryConfig);
}

const isReadTimeout = (error: unknown): boolean => (error as Error)?.message === 'Query read timeout';

/**
 * No answer in time: the socket is destroyed, so nothing else waits on it (node-postgres would
 * otherwise keep the query in flight). The server notices within client_connection_check_interval
 * and rolls back, unless the COMMIT had already run: the outcome is unknown.
 */
function closeSilentConnection(client: ClientBase, error: unknown): SilentServer {
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  return new SilentServer((error as Error).message);
}

/** The server did not answer within the bound. */
class SilentServer extends Error {}

async function runUp(client: ClientBase, plan: MigrationPlan, migration: PlannedMigration, options: ConvergeOptions, log: (line: string) => void): Promise<void> {
  const entry: LedgerEntry = { service: plan.service, id: migration.id, checksum: migration.checksum, up: migration.up, down: migration.down, transactional: migration.transactional };
  const started = Date.now();
  if (!migration.transactional) return runUpOutsideTransaction(client, plan, migration, entry, options, log);
  try {
    await inOneTransaction(client, plan, options, migration.up, recordAppliedSql(entry));
  } catch (error) {
    if (error instanceof SilentServer) throw silentServer(plan, migration.id, 'applying', answerWithinMs(migration.up, statementTimeoutOf(options)));
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
    if (isReadTimeout(error)) closeSilentConnection(client, error);
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
    if (error instanceof SilentServer) throw silentServer(plan, row.id, 'rolling back', answerWithinMs(row.down_sql, statementTimeoutOf(options)));
    if (isConnectionLost(error)) throw await lostConnection(plan, row.id, 'rolling back', error, options);
    throw new RunnerError(`${plan.service}: rolling back ${row.id} failed: ${describe(error)}. Rolled back: the database and the ledger are as they were before it`);
  }
  log(`${plan.service}: rolled back ${row.id} in ${Date.now() - started} ms`);
}

/**
 * The connection died during a migration's transaction. PostgreSQL rolls back a transaction
 * whose session ends before COMMIT; if the COMMIT got through first, the migration and its
 * ledger row are both there. A fresh connection reads the ledger to say which, in one line.
 */
async function lostConnection(plan: MigrationPlan, id: string, doing: 'applying' | 'rolling back', error: unknown, options: ConvergeOptions): Promise<RunnerError> {
  const lead = `${plan.service}: the connection was lost while ${doing} ${id} (${describe(error)})`;
  const recorded = await ledgerHolds(plan, id, options);
  if (recorded === undefined) {
    return new RunnerError(
      `${lead}; whether it committed cannot be told (no new connection, or the old session still holds the deploy lock), so it is unresolved: ` +
        `run \`npm run bedrock -- status --service ${plan.service}\` once the old session has ended, then deploy again`,
    );
  }
  const committed = doing === 'applying' ? recorded : !recorded;
  if (committed) return new RunnerError(`${lead} after it committed: it is ${doing === 'applying' ? 'applied' : 'rolled back'} and recorded; deploy again to continue`);
  return new RunnerError(`${lead}: rolled back by PostgreSQL, the database and the ledger are as they were before it; deploy again`);
}

/**
 * Whether the ledger holds the migration, read on a new connection once the old session is
 * gone: only the client side of a connection may have died (a proxy or NAT reset), and the old
 * backend may still be running the migration towards its COMMIT. That backend holds the
 * service's deploy lock until it ends, so the answer is read only after taking the lock; when
 * it is not free within the deploy-lock wait, the outcome is unknown (undefined).
 */
async function ledgerHolds(plan: MigrationPlan, id: string, options: ConvergeOptions): Promise<boolean | undefined> {
  if (!options.reconnect) return undefined;
  const client = await options.reconnect();
  try {
    await pinSession(client, sessionSettings(plan, options));
    await lockService(client, plan.service, { waitMs: Math.min(options.lockWaitMs ?? 60_000, 60_000) });
    try {
      const { rows } = await client.query(`SELECT 1 FROM bedrock.migrations WHERE service = $1 AND id = $2 AND status <> 'failed'`, [plan.service, id]);
      return rows.length > 0;
    } finally {
      await unlockService(client, plan.service).catch(() => undefined);
    }
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function sessionSettings(plan: MigrationPlan, options: ConvergeOptions): SessionSettings {
  return { applicationName: `bedrock-runner ${plan.service}`, lockTimeoutMs: options.lockTimeoutMs ?? 10_000, statementTimeoutMs: options.statementTimeoutMs ?? 900_000 };
}

function silentServer(plan: MigrationPlan, id: string, doing: 'applying' | 'rolling back', boundMs: number): RunnerError {
  const seconds = Math.round(boundMs / 1000);
  return new RunnerError(
    `${plan.service}: no answer from the server for ${seconds} s while ${doing} ${id} (the network went silent?): the connection was closed, and it is unresolved: ` +
      `PostgreSQL rolls it back unless its COMMIT had already run. Run \`npm run bedrock -- status --service ${plan.service}\` to see which, then deploy again`,
  );
}
