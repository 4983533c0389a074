// What a converge is asked to do; its settings completed in one place (runner-settings.ts).
import { ClientBase } from 'pg';
import { MigrationPlan } from './planned-migration';
import { RunnerChoices, RunnerSettings } from './runner-settings';
import { SessionSettings } from './session';

export type { LockRetries, RunnerChoices, RunnerSettings } from './runner-settings';
export { DEFAULT_RUNNER_SETTINGS, runnerSettings } from './runner-settings';

export interface ConvergeOptions extends RunnerChoices {
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

/** The session settings of a runner for `plan` with `settings`. */
export function sessionSettings(plan: MigrationPlan, settings: RunnerSettings): SessionSettings {
  return { applicationName: `bedrock-runner ${plan.service}`, lockTimeoutMs: settings.lockTimeoutMs, statementTimeoutMs: settings.statementTimeoutMs };
}
