// The ledger: which migrations a database holds, per service, with their checksum, SQL,
// when, by whom and how long. It, not Terraform state, is the truth about the database.
import { ClientBase } from 'pg';
import { quoteLiteral } from '../sql/literal';
import { advisoryLockHolder } from './service-lock';

export type LedgerStatus = 'applied' | 'failed' | 'baselined';

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
}

export interface HistoryRow {
  readonly at: Date;
  readonly id: string;
  readonly action: 'up' | 'down' | 'baseline' | 'failed' | 'resolved';
  readonly by: string;
  readonly duration_ms: number | null;
  readonly error: string | null;
}

/** Serializes ledger creation between runners of different services (key: 'bedrock', 0). */
const SETUP_LOCK = `pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('bedrock'::text), 0)`;

/**
 * Creates the ledger if missing. Owned by the deploying role; no other role gets access.
 * The setup lock is waited for at most `waitMs` (any role can take an advisory lock, so an
 * app session holding this key must not block every first deploy forever).
 */
export async function ensureLedger(client: ClientBase, waitMs = 60_000): Promise<void> {
  const exists = await client.query(`SELECT pg_catalog.to_regclass('bedrock.migrations'::text) IS NOT NULL AND pg_catalog.to_regclass('bedrock.migration_history'::text) IS NOT NULL AS ok`);
  if (exists.rows[0].ok) return;
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_catalog.set_config('lock_timeout', $1::text, true)`, [`${Math.max(1, Math.round(waitMs))}ms`]);
    await client.query(`SELECT ${SETUP_LOCK}`).catch(async (error: { code?: string }) => {
      if (error.code !== '55P03') throw error;
      await client.query('ROLLBACK');
      const holder = await advisoryLockHolder(client, '0');
      throw new LedgerLockTimeout(
        `creating the ledger (schema bedrock) waits for the advisory lock (hashtext('bedrock'), 0), held by ${holder}. Waited ${Math.round(waitMs / 1000)} s: ` +
          'another deploy is creating it, or a session took that key by mistake: end that session (pg_terminate_backend) and deploy again',
      );
    });
    await client.query(`CREATE SCHEMA IF NOT EXISTS bedrock`);
    await client.query(`REVOKE ALL ON SCHEMA bedrock FROM PUBLIC`);
    await client.query(`CREATE TABLE IF NOT EXISTS bedrock.migrations (
      service text NOT NULL,
      id text NOT NULL,
      checksum text NOT NULL,
      up_sql text NOT NULL,
      down_sql text NOT NULL,
      transactional boolean NOT NULL,
      status text NOT NULL CHECK (status IN ('applied', 'failed', 'baselined')),
      applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      applied_by text NOT NULL DEFAULT session_user,
      duration_ms integer,
      error text,
      PRIMARY KEY (service, id))`);
    await client.query(`CREATE TABLE IF NOT EXISTS bedrock.migration_history (
      at timestamptz NOT NULL DEFAULT clock_timestamp(),
      service text NOT NULL,
      id text NOT NULL,
      action text NOT NULL CHECK (action IN ('up', 'down', 'baseline', 'failed', 'resolved')),
      by text NOT NULL DEFAULT session_user,
      duration_ms integer,
      error text)`);
    await client.query('COMMIT');
  } catch (error) {
    if (!(error instanceof LedgerLockTimeout)) await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** The ledger's setup lock was not granted in time. */
export class LedgerLockTimeout extends Error {}

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
  const { rows } = await client.query<HistoryRow>(`SELECT at, id, action, by, duration_ms, error FROM bedrock.migration_history WHERE service = $1 ORDER BY at, id`, [service]);
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

export async function recordApplied(client: ClientBase, entry: LedgerEntry, status: LedgerStatus, durationMs: number | null, error: string | null = null): Promise<void> {
  await client.query(
    `INSERT INTO bedrock.migrations (service, id, checksum, up_sql, down_sql, transactional, status, duration_ms, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (service, id) DO UPDATE SET status = EXCLUDED.status, duration_ms = EXCLUDED.duration_ms, error = EXCLUDED.error, applied_at = pg_catalog.clock_timestamp(), applied_by = session_user`,
    [entry.service, entry.id, entry.checksum, entry.up, entry.down, entry.transactional, status, durationMs, error],
  );
  const action = status === 'applied' ? 'up' : status === 'baselined' ? 'baseline' : 'failed';
  await recordEvent(client, entry.service, entry.id, action, durationMs, error);
}

/** Milliseconds since the transaction began, computed by the server. */
// Functions qualified and operators resolved with pg_catalog alone on the path (the runner
// resets it before writing the ledger): nothing a migration created can stand in for them.
const ELAPSED_MS = `(pg_catalog.date_part('epoch'::text, pg_catalog.clock_timestamp() - pg_catalog.now()) * 1000)::integer`;

/**
 * The ledger row and history event of an applied migration as SQL, to travel in the same
 * round trip as the migration itself (values quoted by quoteLiteral, never spliced raw).
 */
export function recordAppliedSql(entry: LedgerEntry): string {
  const values = [entry.service, entry.id, entry.checksum, entry.up, entry.down].map(quoteLiteral).join(', ');
  return (
    `INSERT INTO bedrock.migrations (service, id, checksum, up_sql, down_sql, transactional, status, duration_ms) VALUES (${values}, ${entry.transactional}, 'applied', ${ELAPSED_MS});\n` +
    `INSERT INTO bedrock.migration_history (service, id, action, duration_ms) VALUES (${quoteLiteral(entry.service)}, ${quoteLiteral(entry.id)}, 'up', ${ELAPSED_MS});`
  );
}

/** The ledger change of a rolled-back migration as SQL, for the same round trip as its down. */
export function recordRemovedSql(service: string, id: string): string {
  return (
    `DELETE FROM bedrock.migrations WHERE service = ${quoteLiteral(service)} AND id = ${quoteLiteral(id)};\n` +
    `INSERT INTO bedrock.migration_history (service, id, action, duration_ms) VALUES (${quoteLiteral(service)}, ${quoteLiteral(id)}, 'down', ${ELAPSED_MS});`
  );
}

export async function recordEvent(client: ClientBase, service: string, id: string, action: HistoryRow['action'], durationMs: number | null, error: string | null): Promise<void> {
  await client.query(`INSERT INTO bedrock.migration_history (service, id, action, duration_ms, error) VALUES ($1, $2, $3, $4, $5)`, [service, id, action, durationMs, error]);
}

/** Settles a migration recorded as failed: applied after all, or rolled back (forgotten). */
export async function resolveFailed(client: ClientBase, service: string, id: string, applied: boolean): Promise<boolean> {
  const { rowCount } = applied
    ? await client.query(`UPDATE bedrock.migrations SET status = 'applied', error = NULL WHERE service = $1 AND id = $2 AND status = 'failed'`, [service, id])
    : await client.query(`DELETE FROM bedrock.migrations WHERE service = $1 AND id = $2 AND status = 'failed'`, [service, id]);
  if (!rowCount) return false;
  await recordEvent(client, service, id, 'resolved', null, applied ? 'resolved as applied' : 'resolved as rolled back');
  return true;
}
