// What a converge is asked to do, and its defaults, resolved in one place.
import { ClientBase } from 'pg';
import { MigrationPlan } from './planned-migration';
import { SessionSettings } from './session';

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

/** The session settings of a runner for `plan`, the option defaults resolved. */
export function sessionSettings(plan: MigrationPlan, options: ConvergeOptions): SessionSettings {
  return { applicationName: `bedrock-runner ${plan.service}`, lockTimeoutMs: options.lockTimeoutMs ?? 10_000, statementTimeoutMs: statementTimeoutOf(options) };
}

export const statementTimeoutOf = (options: ConvergeOptions): number => options.statementTimeoutMs ?? 900_000;

export const lockWaitOf = (options: ConvergeOptions): number => options.lockWaitMs ?? 60_000;
