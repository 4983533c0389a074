// What a converge is asked to do; its settings completed in one place (runner-settings.ts).
import { ClientBase } from 'pg';
import { MigrationPlan } from './planned-migration';
import { RunnerChoices, RunnerSettings } from './runner-settings';
import { runnerApplicationName } from './runner-name';
import { SessionSettings } from './session';

export type { LockRetries, RunnerChoices, RunnerSettings } from './runner-settings';
export { DEFAULT_RUNNER_SETTINGS, runnerSettings } from './runner-settings';

export interface ConvergeOptions extends RunnerChoices {
  readonly plan: MigrationPlan;
  /** Roll back migrations the database holds beyond the plan's head (by their stored down SQL). */
  readonly allowDowngrades: boolean;
  readonly log?: (line: string) => void;
  /**
   * While a step runs longer than this, `log` is told it is still running, once per interval
   * (in ms). Not an environment's setting: it changes what is printed, never what runs.
   * @default 30000 (PROGRESS_INTERVAL_MS)
   */
  readonly progressIntervalMs?: number;
  /**
   * A new connection, used only after the connection was lost mid-migration, to read the
   * ledger and tell whether the migration committed. Without it the outcome is reported as
   * unresolved.
   */
  readonly reconnect?: () => Promise<ClientBase & { end(): Promise<void> }>;
}

export const PROGRESS_INTERVAL_MS = 30_000;

/** The options' progress interval, the default filled in; throws naming the option when it is no whole number of ms above 0. */
export function progressIntervalMs(options: ConvergeOptions): number {
  const ms = options.progressIntervalMs ?? PROGRESS_INTERVAL_MS;
  if (!Number.isInteger(ms) || ms < 1 || ms > 2_147_483_647) throw new Error(`${options.plan.service}: progressIntervalMs ${JSON.stringify(ms)}: give a whole number of milliseconds above 0 (default ${PROGRESS_INTERVAL_MS})`);
  return ms;
}

/** The session settings of a runner for `plan` with `settings` (named as before it holds the service's lock). */
export function sessionSettings(plan: MigrationPlan, settings: RunnerSettings): SessionSettings {
  return { applicationName: runnerApplicationName(plan.service), lockTimeoutMs: settings.lockTimeoutMs, statementTimeoutMs: settings.statementTimeoutMs };
}
