// A generated migration's content: the differ's typed changes and their SQL, the summary and
// the data-loss lines. The summary is one line per change, so it is complete by construction.
import { renderChanges } from '../sql/render-change';
import { Change } from './change';
import { SchemaDiff } from './schema-diff';

export interface SchemaChange {
  /** The changes up, in the order they run. */
  readonly changes: readonly Change[];
  /** The changes down, in the order they run. */
  readonly downChanges: readonly Change[];
  readonly up: readonly string[];
  readonly down: readonly string[];
  /** What the up loses, in words (dropped tables and columns, narrowed types). */
  readonly destructive: readonly string[];
  /** One line per change, for the person generating and the reviewer. */
  readonly summary: readonly string[];
}

export function schemaChange(diff: SchemaDiff): SchemaChange {
  return {
    changes: diff.up,
    downChanges: diff.down,
    up: renderChanges(diff.up),
    down: renderChanges(diff.down),
    destructive: diff.up.flatMap((c) => (c.dataLoss ? [c.dataLoss] : [])),
    summary: diff.up.map((c) => c.description),
  };
}
