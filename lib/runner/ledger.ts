// The ledger: which migrations a database holds, per service, with their checksum, SQL,
// when, by whom and how long. It, not Terraform state, is the truth about the database.
import { ClientBase } from 'pg';
import { PlannedStep } from './planned-migration';

/**
 * applied / baselined: in the database. partial: its up stopped (or is under way) at step
 * steps_done + 1, and the next deploy resumes there. rolling_back: its down stopped at down step
 * steps_done + 1. failed: a step that is not safe to retry stopped or died: settled by `resolve`.
 */
export type LedgerStatus = 'applied' | 'failed' | 'baselined' | 'partial' | 'rolling_back';

export interface LedgerRow {
  readonly id: string;
  readonly checksum: string;
  readonly up_sql: string;
  readonly down_sql: string;
  readonly transactional: boolean;
  readonly status: LedgerStatus;
  readonly applied_at: Date;
  readonly applied_by: string;
  readonly duration_ms: number | null;
  readonly error: string | null;
  /** Up steps done (all of them once applied), or down steps done while rolling_back; NULL for rows of older runners. */
  readonly steps_done: number | null;
  /** How many up steps the migration has; NULL for rows of older runners. */
  readonly steps_total: number | null;
  /** The down's steps, as the plan had them; NULL for rows of older runners (their down_sql runs as one transaction). */
  readonly down_steps: PlannedStep[] | null;
}

export interface HistoryRow {
  readonly at: Date;
  readonly id: string;
  /** backup / restore / expire: a copy taken before a migration or rollback, put back, or dropped when it expired (the note names it). */
  readonly action: 'up' | 'down' | 'baseline' | 'failed' | 'resolved' | 'adopt' | 'backup' | 'restore' | 'expire';
  readonly by: string;
  readonly duration_ms: number | null;
  readonly error: string | null;
  /** Where an adopted database came from (e.g. its Alembic revision); for backup, restore, expire: the copy and what it holds. */
  readonly note: string | null;
}

export { ensureLedger, LedgerLockTimeout } from './ledger-schema';

/** The service's ledger rows, oldest first (ids start with their UTC timestamp). */
export async function ledgerRows(client: ClientBase, service: string): Promise<LedgerRow[]> {
  const exists = await client.query(`SELECT pg_catalog.to_regclass('bedrock.migrations'::text) IS NOT NULL AS ok`);
  if (!exists.rows[0].ok) return [];
  const { rows } = await client.query<LedgerRow>(`SELECT * FROM bedrock.migrations WHERE service = $1 ORDER BY id`, [service]);
  return rows;
}

export async function historyRows(client: ClientBase, service: string): Promise<HistoryRow[]> {
  const exists = await client.query(`SELECT pg_catalog.to_regclass('bedrock.migration_history'::text) IS NOT NULL AS ok`);
  if (!exists.rows[0].ok) return [];
  const { rows } = await client.query<HistoryRow>(`SELECT at, id, action, by, duration_ms, error, note FROM bedrock.migration_history WHERE service = $1 ORDER BY at, id`, [service]);
  return rows;
}

export interface LedgerEntry {
  readonly service: string;
  readonly id: string;
  readonly checksum: string;
  readonly up: string;
  readonly down: string;
  readonly transactional: boolean;
}

/**
 * A migration adopted without running it (`baseline`). Its down steps are recorded by the next
 * converge whose plan holds it (ledger-down-steps.ts); the runner writes every other row step
 * by step (step-ledger.ts).
 */
export async function recordBaselined(client: ClientBase, entry: LedgerEntry, adoptedFrom?: string): Promise<void> {
  await client.query(
    `INSERT INTO bedrock.migrations (service, id, checksum, up_sql, down_sql, transactional, status) VALUES ($1, $2, $3, $4, $5, $6, 'baselined')`,
    [entry.service, entry.id, entry.checksum, entry.up, entry.down, entry.transactional],
  );
  await recordEvent(client, entry.service, entry.id, adoptedFrom === undefined ? 'baseline' : 'adopt', null, null, adoptedFrom);
}

async function recordEvent(client: ClientBase, service: string, id: string, action: HistoryRow['action'], durationMs: number | null, error: string | null, note?: string): Promise<void> {
  await client.query(`INSERT INTO bedrock.migration_history (service, id, action, duration_ms, error, note) VALUES ($1, $2, $3, $4, $5, $6)`, [service, id, action, durationMs, error, note ?? null]);
}

/**
 * Settles a migration a person has inspected: one recorded as failed, or stopped in the middle
 * of its up ('partial') or of its down ('rolling_back'). Applied: it is in the database whole
 * (finished by hand, or the rollback undone); rolled back: nothing of it is (forgotten).
 */
export async function resolveFailed(client: ClientBase, service: string, id: string, applied: boolean): Promise<boolean> {
  const unsettled = `status IN ('failed', 'partial', 'rolling_back')`;
  const { rowCount } = applied
    ? await client.query(`UPDATE bedrock.migrations SET status = 'applied', error = NULL, steps_done = steps_total WHERE service = $1 AND id = $2 AND ${unsettled}`, [service, id])
    : await client.query(`DELETE FROM bedrock.migrations WHERE service = $1 AND id = $2 AND ${unsettled}`, [service, id]);
  if (!rowCount) return false;
  await recordEvent(client, service, id, 'resolved', null, applied ? 'resolved as applied' : 'resolved as rolled back');
  return true;
}
