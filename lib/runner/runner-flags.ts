// The runner's command-line settings (the environment's timeouts and retries, as the plan
// shows them), read into RunnerSettings; anything that is not a whole number is refused.
import { DEFAULT_RUNNER_SETTINGS, RunnerSettings } from './converge-options';

export const RUNNER_FLAGS_USAGE =
  '[--lock-timeout-ms N] [--statement-timeout-ms N] [--lock-wait-ms N] [--lock-retries N] [--lock-retry-backoff-ms N] [--lock-retry-max-backoff-ms N] [--offline-max-rows N]';

function option(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

/** A positive whole number (or, with `zero`, 0 too); a wait that is not one would be no bound at all. */
function whole(args: readonly string[], name: string, example: number, zero = false): number | undefined {
  const value = option(args, name);
  if (value === undefined) return undefined;
  if (!(zero ? /^(0|[1-9]\d*)$/ : /^[1-9]\d*$/).test(value) || !Number.isSafeInteger(Number(value))) {
    throw new Error(`${name} ${JSON.stringify(value)}: give a ${zero ? 'whole number (0 or more)' : 'positive whole number'}, e.g. ${name} ${example}`);
  }
  return Number(value);
}

/** The settings given on the command line; those not given are left out (their defaults apply). */
export function runnerFlags(args: readonly string[]): Partial<RunnerSettings> {
  const retries = whole(args, '--lock-retries', 8, true);
  const backoffMs = whole(args, '--lock-retry-backoff-ms', 1000);
  const maxBackoffMs = whole(args, '--lock-retry-max-backoff-ms', 30000);
  const defaults = DEFAULT_RUNNER_SETTINGS.lockRetries;
  const anyRetry = retries !== undefined || backoffMs !== undefined || maxBackoffMs !== undefined;
  const settings: Partial<RunnerSettings> = {
    lockTimeoutMs: whole(args, '--lock-timeout-ms', 500),
    statementTimeoutMs: whole(args, '--statement-timeout-ms', 900000),
    lockWaitMs: whole(args, '--lock-wait-ms', 60000),
    offlineChangeMaxRows: whole(args, '--offline-max-rows', 100000),
    ...(anyRetry ? { lockRetries: { retries: retries ?? defaults.retries, backoffMs: backoffMs ?? defaults.backoffMs, maxBackoffMs: maxBackoffMs ?? defaults.maxBackoffMs } } : {}),
  };
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
}
