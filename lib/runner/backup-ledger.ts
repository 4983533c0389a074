// The backups a service's ledger records (bedrock.backups, ledger version 4): read by `status`,
// `restore`, the retention at each converge and `down`'s data-loss refusal, and the one-line
// account of a copy that the runner's output, the history and `status` share.
import { ClientBase } from 'pg';
import { visibleText } from '../adopt/visible-text';
import { backupId } from './backup-names';

/** One copy, as bedrock.backups holds it. */
export interface BackupRow {
  readonly service: string;
  readonly number: number;
  readonly migration: string;
  /** up: taken before the migration ran; down: before its rollback. */
  readonly direction: 'up' | 'down';
  readonly reasons: readonly string[];
  readonly source_schema: string;
  readonly source_table: string;
  /** The columns copied for their values; null: the whole table. */
  readonly columns: readonly string[] | null;
  /** The primary key copied beside `columns` (empty: the table had none; every column was copied). */
  readonly key_columns: readonly string[];
  /** Each copied column's type as the source table had it (format_type): what `restore` requires of the table again. */
  readonly column_types: Readonly<Record<string, string>>;
  readonly backup_schema: string;
  readonly backup_table: string;
  /** Strings: bigint, which may exceed a JavaScript number's exact range. */
  readonly rows: string;
  readonly bytes: string;
  readonly created_at: Date;
  readonly expires_at: Date;
  readonly status: 'live' | 'expired';
  readonly expired_at: Date | null;
}

/** A backup in `status --json` (ServiceStatus.backups). */
export interface BackupEntry {
  /** What `restore` takes, e.g. `b1`. */
  readonly id: string;
  /** The migration before whose up (or rollback, see `direction`) it was taken. */
  readonly migration: string;
  readonly direction: 'up' | 'down';
  /** The table it was copied from, `schema.table`. */
  readonly table: string;
  /** The columns it holds the values of (with the table's key); null: the whole table. */
  readonly columns: readonly string[] | null;
  readonly rows: number;
  /** Its size on disk (pg_total_relation_size when taken). */
  readonly bytes: number;
  /** Where it is, `schema.table`. */
  readonly copy: string;
  /** ISO 8601, UTC. */
  readonly createdAt: string;
  /** When the first converge after it drops it. */
  readonly expiresAt: string;
}

const COLUMNS = `service, number, migration, direction, reasons, source_schema, source_table, columns, key_columns, column_types, backup_schema, backup_table, rows::text AS rows, bytes::text AS bytes, created_at, expires_at, status, expired_at`;

/** Whether the ledger has its backups table (a ledger of an older runner has not). */
async function hasBackupsTable(client: ClientBase): Promise<boolean> {
  return (await client.query(`SELECT pg_catalog.to_regclass('bedrock.backups'::text) IS NOT NULL AS ok`)).rows[0].ok;
}

/** The service's copies not yet expired, oldest first. */
export async function liveBackups(client: ClientBase, service: string): Promise<BackupRow[]> {
  if (!(await hasBackupsTable(client))) return [];
  return (await client.query<BackupRow>(`SELECT ${COLUMNS} FROM bedrock.backups WHERE service = $1 AND status = 'live' ORDER BY number`, [service])).rows;
}

/** Live copies of tables in `schema` (any service's ledger rows: the schema says whose), oldest first. */
export async function liveBackupsOfSchema(client: ClientBase, schema: string): Promise<BackupRow[]> {
  if (!(await hasBackupsTable(client))) return [];
  return (await client.query<BackupRow>(`SELECT ${COLUMNS} FROM bedrock.backups WHERE source_schema = $1 AND status = 'live' ORDER BY number`, [schema])).rows;
}

/** One copy by its number, live or expired; undefined when the service never had it. */
export async function backupRow(client: ClientBase, service: string, number: number): Promise<BackupRow | undefined> {
  if (!(await hasBackupsTable(client))) return undefined;
  return (await client.query<BackupRow>(`SELECT ${COLUMNS} FROM bedrock.backups WHERE service = $1 AND number = $2`, [service, number])).rows[0];
}

/** The copies whose time is up, oldest first. */
export async function expiredBackups(client: ClientBase, service: string): Promise<BackupRow[]> {
  return (await client.query<BackupRow>(`SELECT ${COLUMNS} FROM bedrock.backups WHERE service = $1 AND status = 'live' AND expires_at <= pg_catalog.clock_timestamp() ORDER BY number`, [service])).rows;
}

export function backupEntry(row: BackupRow): BackupEntry {
  return {
    id: backupId(row.number),
    migration: row.migration,
    direction: row.direction,
    table: `${row.source_schema}.${row.source_table}`,
    columns: row.columns === null ? null : [...row.columns],
    rows: Number(row.rows),
    bytes: Number(row.bytes),
    copy: `${row.backup_schema}.${row.backup_table}`,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
  };
}

/** `datahub.klines` shown to a person: catalog text, with anything invisible escaped. */
export function shownTable(schema: string, table: string): string {
  return visibleText(`${schema}.${table}`);
}

/** The columns a column copy holds, key first (`id, note`); `table` for a whole-table copy. */
export function copiedColumns(row: Pick<BackupRow, 'columns' | 'key_columns'>): string {
  if (row.columns === null) return 'table';
  const key = row.key_columns.filter((c) => !row.columns!.includes(c));
  return [...key, ...row.columns].map((c) => visibleText(c)).join(', ');
}

/** `1,000 rows, 64 kB` */
export function sizeText(rows: number | string, bytes: number | string): string {
  const count = Number(rows);
  return `${count.toLocaleString('en-US')} row${count === 1 ? '' : 's'}, ${prettyBytes(Number(bytes))}`;
}

/** Bytes as pg_size_pretty writes them, near enough: bytes, kB, MB, GB, TB, each unit up to about 10,239 of it. */
export function prettyBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 10 * 1024 - 0.5 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Math.round(value)} ${units[unit]}`;
}

/** `the migration 20260101_..._drop_note` or `the rollback of 20260101_...`. */
export function beforeWhat(row: Pick<BackupRow, 'direction' | 'migration'>): string {
  return row.direction === 'up' ? row.migration : `the rollback of ${row.migration}`;
}

/** `b1: datahub.klines (id, note: 1,000 rows, 64 kB) in datahub_backup.b1_klines`: the history's note and status's line. */
export function backupSummary(row: BackupRow): string {
  const what = row.columns === null ? `table ${shownTable(row.source_schema, row.source_table)} (${sizeText(row.rows, row.bytes)})` : `${shownTable(row.source_schema, row.source_table)} (${copiedColumns(row)}: ${sizeText(row.rows, row.bytes)})`;
  return `${backupId(row.number)}: ${what} in ${shownTable(row.backup_schema, row.backup_table)}`;
}

/** The command that puts it back. */
export function restoreCommandText(service: string, number: number): string {
  return `npm run bedrock -- restore --service ${service} ${backupId(number)}`;
}
