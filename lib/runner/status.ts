// One line on where a service's part of the database stands against its migrations folder.
import { ClientBase } from 'pg';
import { Migration } from '../migrations/migration-file';
import { ledgerRows } from './ledger';

export async function serviceStatus(client: ClientBase, service: string, files: readonly Migration[]): Promise<string> {
  const rows = await ledgerRows(client, service);
  const applied = rows.filter((r) => r.status !== 'failed').map((r) => r.id);
  const pending = files.filter((m) => !applied.includes(m.id)).map((m) => m.id);
  const beyond = applied.filter((id) => !files.some((m) => m.id === id));
  const failed = rows.filter((r) => r.status === 'failed').map((r) => r.id);
  const parts = [`${service}: at ${applied[applied.length - 1] ?? 'nothing applied'}`, `${applied.length} applied`, `${pending.length} pending${pending.length ? ` (${pending.join(', ')})` : ''}`];
  if (beyond.length) parts.push(`${beyond.length} not in the folder (${beyond.join(', ')})`);
  if (failed.length) parts.push(`FAILED: ${failed.join(', ')}`);
  return parts.join('; ');
}
