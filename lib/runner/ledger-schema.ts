// The ledger's tables, created on the first deploy and upgraded in place on the first deploy of
// a newer runner: every row a database already holds is kept.
import { ClientBase } from 'pg';
import { advisoryLockHolder } from './service-lock';

/** Serializes ledger creation and upgrade between runners of different services (key: 'bedrock', 0). */
const SETUP_LOCK = `pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('bedrock'::text), 0)`;

/**
 * Whether the ledger exists at its current version, in one catalog query (the common case:
 * nothing to do). The newest version's object (the column bedrock.migrations.batch_key) is
 * created in the same transaction as every other change of its version, so its presence means
 * the whole upgrade is there (and, as each version builds on the one before, every older one too).
 */
const CURRENT = `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = pg_catalog.to_regclass('bedrock.migrations'::text) AND attname = 'batch_key' AND NOT attisdropped) AS ok`;

/** The ledger as the first runners created it (version 1): kept so an empty database and an old ledger take the same upgrade path. */
const VERSION_1 = [
  `CREATE SCHEMA IF NOT EXISTS bedrock`,
  `REVOKE ALL ON SCHEMA bedrock FROM PUBLIC`,
  `CREATE TABLE IF NOT EXISTS bedrock.migrations (
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
      PRIMARY KEY (service, id))`,
  `CREATE TABLE IF NOT EXISTS bedrock.migration_history (
      at timestamptz NOT NULL DEFAULT clock_timestamp(),
      service text NOT NULL,
      id text NOT NULL,
      action text NOT NULL CHECK (action IN ('up', 'down', 'baseline', 'failed', 'resolved')),
      by text NOT NULL DEFAULT session_user,
      duration_ms integer,
      error text)`,
];

/**
 * Version 2: migrations in steps. steps_done counts the up steps done (all, once applied) or,
 * while rolling back, the down steps done; steps_total is the number of up steps; down_steps
 * holds the down's steps as the plan had them, so a rollback runs from the ledger (NULL for
 * rows of version 1: their down_sql runs as one transaction). A row may be 'partial' (up
 * stopped, or under way, at step steps_done + 1) or 'rolling_back' (down stopped at down step
 * steps_done + 1). The CHECK constraints keep the names PostgreSQL gave them in version 1.
 */
const VERSION_2 = [
  `ALTER TABLE bedrock.migrations
      ADD COLUMN IF NOT EXISTS steps_done integer,
      ADD COLUMN IF NOT EXISTS steps_total integer,
      ADD COLUMN IF NOT EXISTS down_steps jsonb,
      DROP CONSTRAINT IF EXISTS migrations_status_check,
      ADD CONSTRAINT migrations_status_check CHECK (status IN ('applied', 'failed', 'baselined', 'partial', 'rolling_back'))`,
];

/**
 * Version 3: adoption. A history row may be 'adopt' (a database built another way, its tables
 * moved into the service's schema and its first migration recorded), with a note saying where
 * it came from (the Alembic revision).
 */
const VERSION_3 = [
  `ALTER TABLE bedrock.migration_history
      ADD COLUMN IF NOT EXISTS note text,
      DROP CONSTRAINT IF EXISTS migration_history_action_check,
      ADD CONSTRAINT migration_history_action_check CHECK (action IN ('up', 'down', 'baseline', 'failed', 'resolved', 'adopt'))`,
];

/**
 * Version 4: backups. Before a migration (or a rollback) drops, truncates or rewrites what holds
 * data, the runner copies it into the service's `<service>_backup` schema and records the copy
 * here: which migration, which table and columns (NULL: the whole table; key_columns: the
 * primary key copied beside them, by which `restore` puts values back; column_types: each copied
 * column's type as the table had it, which `restore` requires again), how many rows and bytes,
 * and until when it is kept. An expired copy is dropped and its row kept as 'expired'. A history
 * row may be 'backup', 'restore' or 'expire', its note naming the copy.
 */
const VERSION_4 = [
  `CREATE TABLE IF NOT EXISTS bedrock.backups (
      service text NOT NULL,
      number integer NOT NULL CHECK (number > 0),
      migration text NOT NULL,
      direction text NOT NULL CHECK (direction IN ('up', 'down')),
      reasons text[] NOT NULL,
      source_schema text NOT NULL,
      source_table text NOT NULL,
      columns text[],
      key_columns text[] NOT NULL,
      column_types jsonb NOT NULL,
      backup_schema text NOT NULL,
      backup_table text NOT NULL,
      rows bigint NOT NULL,
      bytes bigint NOT NULL,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      created_by text NOT NULL DEFAULT session_user,
      expires_at timestamptz NOT NULL,
      status text NOT NULL DEFAULT 'live' CHECK (status IN ('live', 'expired')),
      expired_at timestamptz,
      PRIMARY KEY (service, number))`,
  `ALTER TABLE bedrock.migration_history
      DROP CONSTRAINT IF EXISTS migration_history_action_check,
      ADD CONSTRAINT migration_history_action_check CHECK (action IN ('up', 'down', 'baseline', 'failed', 'resolved', 'adopt', 'backup', 'restore', 'expire'))`,
];

/**
 * Version 5: batched data sections. While an up runs (or stopped in) a batched step, its row is
 * 'partial' at that step (steps_done = the steps before it) and batch_key holds the key of the
 * last batch committed, as PostgreSQL's text for it, written in that batch's own transaction: the
 * next deploy resumes after it. NULL otherwise (set back to NULL when the step is done).
 */
const VERSION_5 = [`ALTER TABLE bedrock.migrations ADD COLUMN IF NOT EXISTS batch_key text`];

/**
 * Creates the ledger if missing, and upgrades one an older runner created. Owned by the
 * deploying role; no other role gets access. The setup lock is waited for at most `waitMs`
 * (any role can take an advisory lock, so an app session holding this key must not block every
 * first deploy forever); the same bound holds for the upgrade's lock on the ledger tables.
 */
export async function ensureLedger(client: ClientBase, waitMs = 60_000): Promise<void> {
  if ((await client.query(CURRENT)).rows[0].ok) return;
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_catalog.set_config('lock_timeout', $1::text, true)`, [`${Math.max(1, Math.round(waitMs))}ms`]);
    await takeSetupLock(client, waitMs);
    // Another runner may have upgraded it while this one waited for the lock: upgrading again
    // would take the ledger's tables exclusively for nothing, while others write to them.
    if ((await client.query(CURRENT)).rows[0].ok) {
      await client.query('COMMIT');
      return;
    }
    for (const statement of [...VERSION_1, ...VERSION_2, ...VERSION_3, ...VERSION_4, ...VERSION_5]) await client.query(statement).catch((error) => upgradeLockTimeout(client, error, waitMs));
    await client.query('COMMIT');
  } catch (error) {
    if (!(error instanceof LedgerLockTimeout)) await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function takeSetupLock(client: ClientBase, waitMs: number): Promise<void> {
  await client.query(`SELECT ${SETUP_LOCK}`).catch(async (error: { code?: string }) => {
    if (error.code !== '55P03') throw error;
    await client.query('ROLLBACK');
    // Runners take it for the ledger's creation transaction: its holder has held it since that transaction began, at most.
    const holder = (await advisoryLockHolder(client, '0', [], 'transaction')).who;
    throw new LedgerLockTimeout(
      `creating the ledger (schema bedrock) waits for the advisory lock (hashtext('bedrock'), 0), held by ${holder}. Waited ${Math.round(waitMs / 1000)} s: ` +
        'another deploy is creating it, or a session took that key by mistake: end that session (pg_terminate_backend) and deploy again',
    );
  });
}

/** An older ledger's tables were busy (read by a session in a long transaction) past the wait. */
async function upgradeLockTimeout(client: ClientBase, error: { code?: string }, waitMs: number): Promise<never> {
  if (error.code !== '55P03') throw error;
  await client.query('ROLLBACK');
  throw new LedgerLockTimeout(
    `upgrading the ledger (bedrock.migrations) waited ${Math.round(waitMs / 1000)} s for a lock on it: a session holds the ledger open in a long transaction; ` +
      'end it (see pg_stat_activity) and deploy again',
  );
}

/** The ledger's setup lock was not granted in time. */
export class LedgerLockTimeout extends Error {}
