// One line on where a service's part of the database stands against its migrations folder,
// including a migration stopped at a step (up or down) and one that failed.
import { ClientBase } from 'pg';
import { Migration } from '../migrations/migration-file';
import { LedgerRow, ledgerRows } from './ledger';
import { downStepsOf } from './ledger-down-steps';

export async function serviceStatus(client: ClientBase, service: string, files: readonly Migration[]): Promise<string> {
  const rows = await ledgerRows(client, service);
  const applied = rows.filter((r) => r.status === 'applied' || r.status === 'baselined').map((r) => r.id);
  const pending = files.filter((m) => !rows.some((r) => r.id === m.id)).map((m) => m.id);
  const beyond = applied.filter((id) => !files.some((m) => m.id === id));
  const parts = [`${service}: at ${applied[applied.length - 1] ?? 'nothing applied'}`, `${applied.length} applied`, `${pending.length} pending${pending.length ? ` (${pending.join(', ')})` : ''}`];
  if (beyond.length) parts.push(`${beyond.length} not in the folder (${beyond.join(', ')})`);
  parts.push(...rows.map(stopped).filter((line): line is string => line !== undefined));
  return parts.join('; ');
}

/** A migration stopped part-way, e.g. `IN PROGRESS: <id> stopped at step 3 of 5: <error>`. */
function stopped(row: LedgerRow): string | undefined {
  const error = row.error ? `: ${row.error}` : '';
  const step = (row.steps_done ?? 0) + 1;
  if (row.status === 'partial') return `IN PROGRESS: ${row.id} ${row.error ? 'stopped' : 'under way'} at step ${step} of ${row.steps_total ?? '?'}${error}`;
  if (row.status === 'rolling_back') return `ROLLING BACK: ${row.id} ${row.error ? 'stopped' : 'under way'} at down step ${step} of ${downStepsOf(row).length}${error}`;
  if (row.status === 'failed') return `FAILED: ${row.id}${error}`;
  return undefined;
}
