// Where a service's part of the database stands against its migrations folder: what is applied,
// what is pending, what stopped part-way or failed, what was edited after it was applied and
// what the folder does not have. One report, printed as a line or as JSON (`status --json`).
import { ClientBase } from 'pg';
import { Migration } from '../migrations/migration-file';
import { LedgerRow, ledgerRows } from './ledger';
import { downStepsOf } from './ledger-down-steps';
import { BackupEntry, backupEntry, liveBackups, prettyBytes } from './backup-ledger';
import { visibleText } from '../adopt/visible-text';

/** A migration that stopped part-way (up or down) or failed. */
export interface StoppedMigration {
  readonly id: string;
  /** partial: stopped (or under way) at an up step; rolling_back: at a down step; failed: a transaction that failed. */
  readonly status: 'partial' | 'rolling_back' | 'failed';
  /** The step it stopped at, 1-based (null for failed). */
  readonly step: number | null;
  /** How many steps that direction has (null when an older runner did not record it). */
  readonly steps: number | null;
  /** The error it stopped with; null while it is still under way. */
  readonly error: string | null;
}

/**
 * The state of one service, worst first: `edited` (an applied migration's file changed),
 * `failed` (a migration failed or stopped part-way), `unknown` (the database holds migrations
 * the folder lacks), `pending` (migrations to apply), else `ok`.
 */
export type ServiceState = 'ok' | 'pending' | 'failed' | 'edited' | 'unknown';

/** One service in `status --json` (the document's `services[]`). */
export interface ServiceStatus {
  readonly service: string;
  readonly state: ServiceState;
  /** The last applied (or baselined) migration; null when nothing is applied. */
  readonly head: string | null;
  /** Applied or baselined, oldest first. */
  readonly applied: readonly string[];
  /** In the folder, not in the database, oldest first. */
  readonly pending: readonly string[];
  /** Applied in the database, absent from the folder (a newer checkout applied them). */
  readonly unknown: readonly string[];
  /** Applied, but the file's checksum now differs from the one applied. */
  readonly edited: readonly string[];
  readonly stopped: readonly StoppedMigration[];
  /** Copies taken before migrations or rollbacks destroyed data, not yet expired, oldest first (`restore` puts one back). */
  readonly backups: readonly BackupEntry[];
}

export async function serviceStatusReport(client: ClientBase, service: string, files: readonly Migration[]): Promise<ServiceStatus> {
  const rows = await ledgerRows(client, service);
  const applied = rows.filter((r) => r.status === 'applied' || r.status === 'baselined');
  const fileOf = new Map(files.map((m) => [m.id, m]));
  const report = {
    service,
    head: applied[applied.length - 1]?.id ?? null,
    applied: applied.map((r) => r.id),
    pending: files.filter((m) => !rows.some((r) => r.id === m.id)).map((m) => m.id),
    unknown: applied.filter((r) => !fileOf.has(r.id)).map((r) => r.id),
    edited: rows.filter((r) => fileOf.has(r.id) && fileOf.get(r.id)!.checksum !== r.checksum).map((r) => r.id),
    stopped: rows.map(stoppedOf).filter((s): s is StoppedMigration => s !== undefined),
    backups: (await liveBackups(client, service)).map(backupEntry),
  };
  return { ...report, state: stateOf(report) };
}

function stateOf(report: Omit<ServiceStatus, 'state'>): ServiceState {
  if (report.edited.length > 0) return 'edited';
  if (report.stopped.length > 0) return 'failed';
  if (report.unknown.length > 0) return 'unknown';
  if (report.pending.length > 0) return 'pending';
  return 'ok';
}

/** One line, e.g. `datahub: at <id>; 3 applied; 1 pending (<id>); FAILED: <id>: <error>`. */
export function statusLine(status: ServiceStatus): string {
  const { service, applied, pending, unknown, edited } = status;
  const parts = [`${service}: at ${status.head ?? 'nothing applied'}`, `${applied.length} applied`, `${pending.length} pending${pending.length ? ` (${pending.join(', ')})` : ''}`];
  if (unknown.length) parts.push(`${unknown.length} not in the folder (${unknown.join(', ')})`);
  if (edited.length) parts.push(`EDITED since applied: ${edited.join(', ')} (the runner refuses them: restore the files as applied, and put the change in a new migration)`);
  parts.push(...status.stopped.map(stoppedLine));
  if (status.backups.length > 0) parts.push(backupsText(status.backups));
  return parts.join('; ');
}

/** `2 backups (1 MB): b1 datahub.klines (note, 1,000 rows, 64 kB, until 2026-01-15), b2 ...` */
function backupsText(backups: readonly BackupEntry[]): string {
  const total = backups.reduce((sum, b) => sum + b.bytes, 0);
  const each = backups.map((b) => `${b.id} ${visibleText(b.table)} (${b.columns === null ? 'table' : b.columns.map((c) => visibleText(c)).join(', ')}, ${b.rows.toLocaleString('en-US')} rows, ${prettyBytes(b.bytes)}, until ${b.expiresAt.slice(0, 10)})`);
  return `${backups.length} backup${backups.length === 1 ? '' : 's'} (${prettyBytes(total)}): ${each.join(', ')}`;
}

/** The line of `status` for a service, as before `status --json` existed. */
export async function serviceStatus(client: ClientBase, service: string, files: readonly Migration[]): Promise<string> {
  return statusLine(await serviceStatusReport(client, service, files));
}

function stoppedOf(row: LedgerRow): StoppedMigration | undefined {
  const step = (row.steps_done ?? 0) + 1;
  if (row.status === 'partial') return { id: row.id, status: row.status, step, steps: row.steps_total, error: row.error };
  if (row.status === 'rolling_back') return { id: row.id, status: row.status, step, steps: downStepsOf(row).length, error: row.error };
  if (row.status === 'failed') return { id: row.id, status: row.status, step: null, steps: null, error: row.error };
  return undefined;
}

/** e.g. `IN PROGRESS: <id> stopped at step 3 of 5: <error>`. */
function stoppedLine(stopped: StoppedMigration): string {
  const error = stopped.error ? `: ${stopped.error}` : '';
  const how = stopped.error ? 'stopped' : 'under way';
  if (stopped.status === 'partial') return `IN PROGRESS: ${stopped.id} ${how} at step ${stopped.step} of ${stopped.steps ?? '?'}${error}`;
  if (stopped.status === 'rolling_back') return `ROLLING BACK: ${stopped.id} ${how} at down step ${stopped.step} of ${stopped.steps}${error}`;
  return `FAILED: ${stopped.id}${error}`;
}
