// What every part of one converge shares: the session, the plan, the resolved settings, the log.
import { ClientBase } from 'pg';
import { ConvergeOptions, RunnerSettings } from './converge-options';
import { MigrationPlan } from './planned-migration';

export interface RunContext {
  readonly client: ClientBase;
  readonly plan: MigrationPlan;
  readonly options: ConvergeOptions;
  /** The options' settings, defaults filled in. */
  readonly settings: RunnerSettings;
  readonly log: (line: string) => void;
  /** Set once any step committed: converge then makes the commits durable before it returns. */
  committed: boolean;
}
