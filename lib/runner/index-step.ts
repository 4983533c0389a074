// Steps that build or drop an index outside a transaction (CONCURRENTLY), made safe to run
// again: a build that failed or was cut off leaves an INVALID index, dropped before the next
// build; on resuming, an index already built (or already gone) means the step had finished.
import { dropIndex } from '../sql/alter-statements';
import { StepIndex } from './planned-migration';
import { RunContext } from './run-context';
import { runOutsideTransaction } from './outside-step';

/**
 * The lock_timeout of index steps: none (0), with statement_timeout still in force. Their
 * SHARE UPDATE EXCLUSIVE lock blocks no reads or writes, so waiting for it queues nobody behind
 * the migration; and CREATE INDEX CONCURRENTLY waits for every older transaction that could
 * write the table to end, waits PostgreSQL counts as lock waits: a short lock_timeout would fail
 * every build on a busy database.
 */
export const INDEX_STEP_LOCK_TIMEOUT_MS = 0;

export type IndexState = 'absent' | 'valid' | 'invalid';

/** Whether the index exists, and whether PostgreSQL may use it (pg_index.indisvalid). */
export async function indexState(context: RunContext, index: StepIndex): Promise<IndexState | 'on another table'> {
  const { rows } = await context.client.query<{ valid: boolean; ours: boolean }>(
    `SELECT i.indisvalid AS valid, ($3::text IS NULL OR i.indrelid = pg_catalog.to_regclass($3::text)) AS ours
       FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2`,
    [index.schema, index.name, index.table ?? null],
  );
  if (rows.length === 0) return 'absent';
  if (!rows[0].ours) return 'on another table';
  return rows[0].valid ? 'valid' : 'invalid';
}

/** On resuming, whether the index is already as the step leaves it (built and valid, or gone). */
export function indexStepDone(index: StepIndex, state: IndexState | 'on another table'): boolean {
  return index.action === 'create' ? state === 'valid' : state === 'absent';
}

/** Drops the index if it is INVALID (concurrently, as the owner); says whether it did. */
export async function dropInvalidIndex(context: RunContext, index: StepIndex): Promise<boolean> {
  if ((await indexState(context, index)) !== 'invalid') return false;
  await runOutsideTransaction(context, dropIndex(index.schema, index.name, { concurrently: true, ifExists: true }), INDEX_STEP_LOCK_TIMEOUT_MS);
  return true;
}
