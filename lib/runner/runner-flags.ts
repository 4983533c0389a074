// The runner's command line: the environment's timeouts, retries and backups as the plan shows
// them, written at synth from RunnerSettings and read back by the runner. One table of flags
// serves both, so a setting the environment accepts is one the runner reads.
import { LockRetries, RunnerChoices, RunnerSettings, runnerSettingsProblems } from './runner-settings';

interface Flag {
  readonly name: string;
  readonly example: number;
  /** Whether 0 is a value (a count or a limit), rather than no bound at all (a wait). */
  readonly zero: boolean;
  read(settings: RunnerSettings): number | undefined;
  /** `choices` with this flag's value. */
  write(choices: RunnerChoices, value: number): RunnerChoices;
}

const setting = (key: 'lockTimeoutMs' | 'statementTimeoutMs' | 'lockWaitMs' | 'offlineChangeMaxRows') => ({
  read: (s: RunnerSettings) => s[key],
  write: (c: RunnerChoices, value: number) => ({ ...c, [key]: value }),
});
const retry = (key: keyof LockRetries) => ({
  read: (s: RunnerSettings) => s.lockRetries[key],
  write: (c: RunnerChoices, value: number) => ({ ...c, lockRetries: { ...c.lockRetries, [key]: value } }),
});

/** The retention, written only while backups are on (off, it would mean nothing). */
const retention = {
  read: (s: RunnerSettings) => (s.backups.enabled ? s.backups.retentionDays : undefined),
  write: (c: RunnerChoices, value: number) => ({ ...c, backups: { ...c.backups, retentionDays: value } }),
};

const FLAGS: readonly Flag[] = [
  { name: '--lock-timeout-ms', example: 500, zero: false, ...setting('lockTimeoutMs') },
  { name: '--statement-timeout-ms', example: 900000, zero: false, ...setting('statementTimeoutMs') },
  { name: '--lock-wait-ms', example: 60000, zero: false, ...setting('lockWaitMs') },
  { name: '--lock-retries', example: 8, zero: true, ...retry('retries') },
  { name: '--lock-retry-backoff-ms', example: 1000, zero: false, ...retry('backoffMs') },
  { name: '--lock-retry-max-backoff-ms', example: 30000, zero: false, ...retry('maxBackoffMs') },
  { name: '--offline-max-rows', example: 100000, zero: true, ...setting('offlineChangeMaxRows') },
  { name: '--backup-retention-days', example: 14, zero: false, ...retention },
];

/**
 * Backups are on unless this switch is given (the library's default): a plan synthesized before
 * backups existed runs with them on, and turning them off is a word a reviewer sees in the plan.
 */
const NO_BACKUPS = '--no-backups';

export const RUNNER_FLAGS_USAGE = [...FLAGS.map((f) => `[${f.name} N]`), `[${NO_BACKUPS}]`].join(' ');

/** The flags of `settings`, for the head's command line (numbers and one fixed switch only: nothing can inject a word). */
export function formatRunnerFlags(settings: RunnerSettings): string[] {
  const numbers = FLAGS.flatMap((flag) => {
    const value = flag.read(settings);
    if (value === undefined) return [];
    checked(flag, String(value));
    return [flag.name, String(value)];
  });
  return settings.backups.enabled ? numbers : [...numbers, NO_BACKUPS];
}

/** The value after `name` on the command line, if it is there. */
export function option(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

/** A positive whole number (or, where 0 means something, 0 too); a wait that is not one would be no bound at all. */
function checked(flag: Flag, value: string): number {
  if (!(flag.zero ? /^(0|[1-9]\d*)$/ : /^[1-9]\d*$/).test(value) || !Number.isSafeInteger(Number(value))) {
    throw new Error(`${flag.name} ${JSON.stringify(value)}: give a ${flag.zero ? 'whole number (0 or more)' : 'positive whole number'}, e.g. ${flag.name} ${flag.example}`);
  }
  return Number(value);
}

/** The settings given on the command line; those not given are left out (their defaults apply). */
export function parseRunnerFlags(args: readonly string[]): RunnerChoices {
  let choices = FLAGS.reduce<RunnerChoices>((chosen, flag) => {
    const value = option(args, flag.name);
    return value === undefined ? chosen : flag.write(chosen, checked(flag, value));
  }, {});
  if (args.includes(NO_BACKUPS)) choices = { ...choices, backups: { ...choices.backups, enabled: false } };
  const problems = runnerSettingsProblems(choices);
  if (problems.length > 0) throw new Error(problems.join('; '));
  return choices;
}
