// The timeouts, retries and backups of one environment: their type, their defaults, how a
// partial choice is completed, and what is wrong with one. The environment (at synth), the
// runner's command line and converge all go through here.

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
 * Copies taken before a migration (or a rollback) drops or rewrites data: the tables or columns
 * it destroys, into the service's `<service>_backup` schema (see backup-copy.ts).
 */
export interface BackupSettings {
  /** Copy what a migration drops, truncates or rewrites before it runs. */
  readonly enabled: boolean;
  /** Days a copy is kept; the first converge of the service after that drops it. */
  readonly retentionDays: number;
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
  /** Backups before destructive steps (on by default; see DEFAULT_RUNNER_SETTINGS). */
  readonly backups: BackupSettings;
}

/** What an environment or a command line chooses: any field, lock retries and backups field by field. */
export type RunnerChoices = Partial<Omit<RunnerSettings, 'lockRetries' | 'backups'>> & { readonly lockRetries?: Partial<LockRetries>; readonly backups?: Partial<BackupSettings> };

export const DEFAULT_RUNNER_SETTINGS: RunnerSettings = {
  lockTimeoutMs: 500,
  statementTimeoutMs: 900_000,
  lockWaitMs: 60_000,
  lockRetries: { retries: 8, backoffMs: 1_000, maxBackoffMs: 30_000 },
  // On unless an environment turns it off: the safe default. A drop that was not meant (or a
  // type change that mangled values) is then undone by `restore`, not from last night's dump;
  // an environment whose data is disposable (local, dev) says so in its row. 14 days covers a
  // release cycle or two: long enough to notice, short enough that copies of big tables do not
  // pile up (each holds its disk until it expires).
  backups: { enabled: true, retentionDays: 14 },
};

/** `choices` completed with the defaults. */
export function runnerSettings(choices: RunnerChoices = {}): RunnerSettings {
  const defined = <T extends object>(value: T): Partial<T> => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
  const { lockRetries, backups, ...rest } = choices;
  return {
    ...DEFAULT_RUNNER_SETTINGS,
    ...defined(rest),
    lockRetries: { ...DEFAULT_RUNNER_SETTINGS.lockRetries, ...defined(lockRetries ?? {}) },
    backups: { ...DEFAULT_RUNNER_SETTINGS.backups, ...defined(backups ?? {}) },
  };
}

const KNOWN = ['lockTimeoutMs', 'statementTimeoutMs', 'lockWaitMs', 'lockRetries', 'offlineChangeMaxRows', 'backups'];
const KNOWN_BACKUPS = ['enabled', 'retentionDays'];

/** The longest retention accepted: ten years (a typo of a few more digits is refused). */
export const MAX_RETENTION_DAYS = 3650;

/**
 * What is wrong with `choices`, each problem naming its field (prefixed with `prefix`, e.g.
 * `migrations.`): every wait a whole number of ms above 0, counts and limits 0 or more, the
 * backoff cap at least the first wait, no unknown field (a misspelt one would be ignored).
 */
export function runnerSettingsProblems(choices: RunnerChoices | undefined, prefix = ''): string[] {
  if (choices === undefined) return [];
  if (typeof choices !== 'object' || choices === null) return [`${prefix || 'settings'}: give an object, e.g. { lockTimeoutMs: 500 }`];
  const problems: string[] = [];
  const whole = (field: string, value: unknown, minimum: number): void => {
    if (value !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value >= minimum && value <= 2_147_483_647)) {
      problems.push(`${prefix}${field} ${JSON.stringify(value)}: give a whole number ${minimum === 0 ? '0 or more' : 'above 0'} (milliseconds, or a count)`);
    }
  };
  for (const field of Object.keys(choices)) if (!KNOWN.includes(field)) problems.push(`${prefix}${field} is not a setting (known: ${KNOWN.join(', ')})`);
  whole('lockTimeoutMs', choices.lockTimeoutMs, 1);
  whole('statementTimeoutMs', choices.statementTimeoutMs, 1);
  whole('lockWaitMs', choices.lockWaitMs, 1);
  whole('offlineChangeMaxRows', choices.offlineChangeMaxRows, 0);
  const retries = choices.lockRetries;
  if (retries !== undefined) {
    whole('lockRetries.retries', retries.retries, 0);
    whole('lockRetries.backoffMs', retries.backoffMs, 1);
    whole('lockRetries.maxBackoffMs', retries.maxBackoffMs, 1);
    const merged = runnerSettings(choices).lockRetries;
    if (merged.maxBackoffMs < merged.backoffMs) problems.push(`${prefix}lockRetries.maxBackoffMs ${merged.maxBackoffMs} is below backoffMs ${merged.backoffMs}: the cap must be at least the first wait`);
  }
  problems.push(...backupProblems(choices.backups, prefix));
  return problems;
}

function backupProblems(backups: Partial<BackupSettings> | undefined, prefix: string): string[] {
  if (backups === undefined) return [];
  if (typeof backups !== 'object' || backups === null) return [`${prefix}backups: give an object, e.g. { enabled: true, retentionDays: 14 }`];
  const problems = Object.keys(backups)
    .filter((field) => !KNOWN_BACKUPS.includes(field))
    .map((field) => `${prefix}backups.${field} is not a setting (known: ${KNOWN_BACKUPS.join(', ')})`);
  if (backups.enabled !== undefined && typeof backups.enabled !== 'boolean') problems.push(`${prefix}backups.enabled ${JSON.stringify(backups.enabled)}: give true or false`);
  const days = backups.retentionDays;
  if (days !== undefined && !(typeof days === 'number' && Number.isInteger(days) && days >= 1 && days <= MAX_RETENTION_DAYS)) {
    problems.push(`${prefix}backups.retentionDays ${JSON.stringify(days)}: give a whole number of days from 1 to ${MAX_RETENTION_DAYS}`);
  }
  return problems;
}
