// The runner's command-line settings (the environment's timeouts and retries, as the plan
// shows them): written at synth from RunnerSettings, read back by the runner. One table of
// flags serves both, so a setting the environment accepts is one the runner reads.
import { DEFAULT_RUNNER_SETTINGS, LockRetries, RunnerSettings } from './converge-options';

interface Flag {
  readonly name: string;
  readonly example: number;
  /** Whether 0 is a value (a count or a limit), rather than no bound at all (a wait). */
  readonly zero: boolean;
  read(settings: RunnerSettings): number | undefined;
}

const retry = (key: keyof LockRetries) => (settings: RunnerSettings) => settings.lockRetries[key];

const FLAGS: readonly Flag[] = [
  { name: '--lock-timeout-ms', example: 500, zero: false, read: (s) => s.lockTimeoutMs },
  { name: '--statement-timeout-ms', example: 900000, zero: false, read: (s) => s.statementTimeoutMs },
  { name: '--lock-wait-ms', example: 60000, zero: false, read: (s) => s.lockWaitMs },
  { name: '--lock-retries', example: 8, zero: true, read: retry('retries') },
  { name: '--lock-retry-backoff-ms', example: 1000, zero: false, read: retry('backoffMs') },
  { name: '--lock-retry-max-backoff-ms', example: 30000, zero: false, read: retry('maxBackoffMs') },
  { name: '--offline-max-rows', example: 100000, zero: true, read: (s) => s.offlineChangeMaxRows },
];

export const RUNNER_FLAGS_USAGE = FLAGS.map((f) => `[${f.name} N]`).join(' ');

/** The flags of `settings`, for the head's command line (numbers only: nothing can inject a word). */
export function formatRunnerFlags(settings: RunnerSettings): string[] {
  return FLAGS.flatMap((flag) => {
    const value = flag.read(settings);
    if (value === undefined) return [];
    checked(flag, String(value));
    return [flag.name, String(value)];
  });
}

function option(args: readonly string[], name: string): string | undefined {
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
export function parseRunnerFlags(args: readonly string[]): Partial<RunnerSettings> {
  const given = new Map(FLAGS.flatMap((flag) => {
    const value = option(args, flag.name);
    return value === undefined ? [] : [[flag.name, checked(flag, value)] as const];
  }));
  const defaults = DEFAULT_RUNNER_SETTINGS.lockRetries;
  const retries = given.get('--lock-retries');
  const backoffMs = given.get('--lock-retry-backoff-ms');
  const maxBackoffMs = given.get('--lock-retry-max-backoff-ms');
  const settings: Partial<RunnerSettings> = {
    lockTimeoutMs: given.get('--lock-timeout-ms'),
    statementTimeoutMs: given.get('--statement-timeout-ms'),
    lockWaitMs: given.get('--lock-wait-ms'),
    offlineChangeMaxRows: given.get('--offline-max-rows'),
    ...(retries !== undefined || backoffMs !== undefined || maxBackoffMs !== undefined
      ? { lockRetries: { retries: retries ?? defaults.retries, backoffMs: backoffMs ?? defaults.backoffMs, maxBackoffMs: maxBackoffMs ?? defaults.maxBackoffMs } }
      : {}),
  };
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
}
