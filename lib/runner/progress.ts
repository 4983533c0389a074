// What the runner tells while it works, besides the line when something ends: a line when a
// migration or a step starts, and, while a step runs longer than the progress interval, how
// long it has run, once per interval. Lines name migrations and steps, never their SQL (a
// statement may carry data). Each starts with `<service>: ` and keeps one shape, to grep.
import { elapsedText } from './elapsed';
import { PlannedStep } from './planned-migration';

/** How the lines of one migration's up or down name its steps. */
export interface StepsLabel {
  /** The migration's id. */
  readonly id: string;
  /** `step` for an up, `down step` for a down (the end lines say `<id> step 2/4 in N ms`). */
  readonly kind: 'step' | 'down step';
  /** How a migration of a single step is named while it runs: `<id>`, or `rollback of <id>`. */
  readonly whole: string;
}

/** ` (4 steps: 3 transactional, 1 outside a transaction)`; for a single step ` (outside a transaction)` or nothing. */
export function stepsSummary(steps: readonly PlannedStep[]): string {
  const outside = steps.filter((s) => !s.transactional).length;
  if (steps.length === 1) return outside === 1 ? ' (outside a transaction)' : '';
  const kinds = [...(outside < steps.length ? [`${steps.length - outside} transactional`] : []), ...(outside > 0 ? [`${outside} outside a transaction`] : [])];
  return ` (${steps.length} steps: ${kinds.join(', ')})`;
}

/** How the lines name step `index` (0-based) of `steps`: `step 2/4 of <id>`, or for a single step the migration. */
export function stepSubject(label: StepsLabel, index: number, total: number): string {
  return total > 1 ? `${label.kind} ${index + 1}/${total} of ${label.id}` : label.whole;
}

/** `in a transaction`, `in a transaction, rewrites a table offline`, or `outside a transaction`. */
export function stepMode(step: PlannedStep): string {
  if (!step.transactional) return 'outside a transaction';
  if (step.batch) return `in batches of ${step.batch.size.toLocaleString('en-US')} rows, each in a transaction of its own`;
  if (step.transfer) return 'in a transaction, as the deploying user (a table transfer)';
  return step.offline ? 'in a transaction, rewrites a table offline' : 'in a transaction';
}

/**
 * Runs `work`; every `intervalMs` while it runs, `still` is told how long it has run (`30 s`).
 * The timer ends with `work`, however it ends (done, failed, connection lost): nothing is left
 * to tick after it, nor to keep the process alive.
 */
export async function whileRunning<T>(intervalMs: number, still: (elapsed: string) => void, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const timer = setInterval(() => {
    try {
      still(elapsedText(Date.now() - started));
    } catch {
      // A line that cannot be printed must not end the process in the middle of a step.
    }
  }, intervalMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
