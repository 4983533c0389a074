// A step that timed out waiting for a lock (lock_timeout, SQLSTATE 55P03) is tried again after
// a wait that doubles, up to the environment's count: a short lock_timeout retried, rather than
// one long wait during which every writer queues behind the migration's lock request.
import { LockRetries } from './converge-options';

export const isLockTimeout = (error: unknown): boolean => (error as { code?: string })?.code === '55P03';

/** The wait before retry `retry` (1-based), in ms. */
export function backoffMs(settings: LockRetries, retry: number): number {
  return Math.min(settings.maxBackoffMs, settings.backoffMs * 2 ** (retry - 1));
}

/**
 * Runs `attempt`, again after each lock timeout up to `settings.retries` times; `beforeRetry`
 * is told which retry comes and after what wait (to say so). Any other error, or the last lock
 * timeout, is thrown. An attempt must leave nothing behind when it fails on a lock timeout (a
 * transaction rolled back).
 */
export async function withLockRetries<T>(
  settings: LockRetries,
  attempt: () => Promise<T>,
  beforeRetry: (retry: number, waitMs: number) => Promise<void>,
  retryable: (error: unknown) => boolean = isLockTimeout,
): Promise<T> {
  for (let retry = 1; ; retry++) {
    try {
      return await attempt();
    } catch (error) {
      if (!retryable(error) || retry > settings.retries) throw error;
      const waitMs = backoffMs(settings, retry);
      await beforeRetry(retry, waitMs);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
