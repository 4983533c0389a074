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
  /** What the session is named while it holds the service's lock (`bedrock-runner <service> locked <time>`): re-pinning keeps it. */
  readonly applicationName: string;
  /** The options' progress interval, the default filled in (see ConvergeOptions.progressIntervalMs). */
  readonly progressIntervalMs: number;
  /** Set once any step committed: converge then makes the commits durable before it returns. */
  committed: boolean;
}
