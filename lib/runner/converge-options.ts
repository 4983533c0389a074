// What a converge is asked to do, and its defaults, resolved in one place.
import { ClientBase } from 'pg';
import { MigrationPlan } from './planned-migration';
import { SessionSettings } from './session';

/** How a step that timed out waiting for a lock is tried again. */
export interface LockRetries {
  /** Tries after the first one. 0: fail on the first lock timeout. */
  readonly retries: number;
  /** The wait before the first retry, in ms; each next wait doubles... */
  readonly backoffMs: number;
  /** ...up to this. */
  readonly maxBackoffMs: number;
}

/**
 * The timeouts and retries of one environment, as the plan shows them. The defaults follow
 * the PostgreSQL community's advice for busy tables: a short lock_timeout, retried with
 * backoff, rather than one long wait during which every writer queues behind the migration's
 * lock request (a waiting ACCESS EXCLUSIVE request blocks every later reader and writer).
 */
export interface RunnerSettings {
  /** lock_timeout of each step's statements; the longest a writer queues behind the migration. */
  readonly lockTimeoutMs: number;
  /** statement_timeout of each statement (an index build on a large table needs minutes). */
  readonly statementTimeoutMs: number;
  /** How long to wait for another deploy of the same service. */
  readonly lockWaitMs: number;
  readonly lockRetries: LockRetries;
  /**
   * Refuse, before anything runs, a pending offline step (ACCESS EXCLUSIVE for a whole
   * rewrite) on a table with more rows than this (the planner's estimate). undefined: no limit.
   */
  readonly offlineChangeMaxRows?: number;
}

export const DEFAULT_RUNNER_SETTINGS: RunnerSettings = {
  lockTimeoutMs: 500,
  statementTimeoutMs: 900_000,
  lockWaitMs: 60_000,
  lockRetries: { retries: 8, backoffMs: 1_000, maxBackoffMs: 30_000 },
};

export interface ConvergeOptions extends Partial<RunnerSettings> {
  readonly plan: MigrationPlan;
  /** Roll back migrations the database holds beyond the plan's head (by their stored down SQL). */
  readonly allowDowngrades: boolean;
  readonly log?: (line: string) => void;
  /**
   * A new connection, used only after the connection was lost mid-migration, to read the
   * ledger and tell whether the migration committed. Without it the outcome is reported as
   * unresolved.
   */
  readonly reconnect?: () => Promise<ClientBase & { end(): Promise<void> }>;
}

/** The runner settings of `options`, defaults filled in. */
export function runnerSettings(options: Partial<RunnerSettings>): RunnerSettings {
  return {
    lockTimeoutMs: options.lockTimeoutMs ?? DEFAULT_RUNNER_SETTINGS.lockTimeoutMs,
    statementTimeoutMs: options.statementTimeoutMs ?? DEFAULT_RUNNER_SETTINGS.statementTimeoutMs,
    lockWaitMs: options.lockWaitMs ?? DEFAULT_RUNNER_SETTINGS.lockWaitMs,
    lockRetries: options.lockRetries ?? DEFAULT_RUNNER_SETTINGS.lockRetries,
    ...(options.offlineChangeMaxRows !== undefined ? { offlineChangeMaxRows: options.offlineChangeMaxRows } : {}),
  };
}

/** The session settings of a runner for `plan`, the option defaults resolved. */
export function sessionSettings(plan: MigrationPlan, options: ConvergeOptions): SessionSettings {
  return { applicationName: `bedrock-runner ${plan.service}`, lockTimeoutMs: runnerSettings(options).lockTimeoutMs, statementTimeoutMs: statementTimeoutOf(options) };
}

export const statementTimeoutOf = (options: ConvergeOptions): number => runnerSettings(options).statementTimeoutMs;

export const lockWaitOf = (options: ConvergeOptions): number => runnerSettings(options).lockWaitMs;
