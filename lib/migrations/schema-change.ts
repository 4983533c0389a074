// A generated migration's content: the differ's typed changes and their SQL in steps, the
// summary, the data-loss lines and the changes that cannot be made online. The summary is one
// line per change, so it is complete by construction.
import { offlineChanges, RenderedStep, renderSteps } from '../sql/render-steps';
import { Change } from './change';
import { SchemaDiff } from './schema-diff';

export interface SchemaChange {
  /** The changes up, in the order they run. */
  readonly changes: readonly Change[];
  /** The changes down, in the order they run. */
  readonly downChanges: readonly Change[];
  /** The up SQL in steps (online forms on tables that existed before). */
  readonly upSteps: readonly RenderedStep[];
  /** The down SQL in steps, written with the same care. */
  readonly downSteps: readonly RenderedStep[];
  /** Every statement of the up, in order (the steps flattened). */
  readonly up: readonly string[];
  readonly down: readonly string[];
  /** What the up loses, in words (dropped tables and columns, narrowed types). */
  readonly destructive: readonly string[];
  /** One line per change, for the person generating and the reviewer. */
  readonly summary: readonly string[];
  /** The up's changes PostgreSQL cannot make online, each with the lock it takes and what it blocks. */
  readonly offline: readonly string[];
  /** The same for the down. */
  readonly offlineDown: readonly string[];
}

export function schemaChange(diff: SchemaDiff): SchemaChange {
  const upSteps = renderSteps(diff.up);
  const downSteps = renderSteps(diff.down);
  return {
    changes: diff.up,
    downChanges: diff.down,
    upSteps,
    downSteps,
    up: upSteps.flatMap((s) => s.statements),
    down: downSteps.flatMap((s) => s.statements),
    destructive: diff.up.flatMap((c) => (c.dataLoss ? [c.dataLoss] : [])),
    summary: diff.up.map((c) => c.description),
    offline: offlineChanges(diff.up).map(offlineLine),
    offlineDown: offlineChanges(diff.down).map(offlineLine),
  };
}

/** `change type of datahub.klines.x from integer to bigint: ACCESS EXCLUSIVE while it rewrites the table (blocks reads and writes)` */
function offlineLine(c: Change): string {
  return `${c.description}: ${c.lock} while it rewrites the table (blocks reads and writes until it ends)`;
}
