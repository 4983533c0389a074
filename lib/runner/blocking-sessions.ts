// Who holds the locks a step waited for: the other sessions holding granted locks on its tables,
// longest-running transaction first. Named by pid, application, state and start times, never by
// their query text (it may hold data or secrets).
import { ClientBase } from 'pg';
import { elapsedText } from './elapsed';

interface Holder {
  readonly pid: number;
  readonly application_name: string;
  readonly backend_type: string | null;
  readonly state: string | null;
  readonly xact_start: Date | null;
  readonly query_start: Date | null;
  /** The server's clock when asked. */
  readonly now: Date;
  /** For an autovacuum worker: what it works on (`autovacuum: VACUUM ANALYZE datahub.klines`), no user data. */
  readonly autovacuum: string | null;
}

/** Who held the locks a step waited for. */
export interface Blockers {
  /** One line naming them. */
  readonly text: string;
  /**
   * An autovacuum worker (not one preventing wraparound) is among them. It gives way to a lock
   * request only once that request has waited deadlock_timeout, longer than a short
   * lock_timeout: the next try must wait that long (see lock-retry.ts).
   */
  readonly yieldingAutovacuum: boolean;
  /** The server's deadlock_timeout, in ms. */
  readonly deadlockTimeoutMs: number;
}

/**
 * One line naming the sessions that hold locks on `tables` (schema-qualified, quoted SQL names,
 * resolved with to_regclass), e.g. `pid 4242 (application "psql", idle in transaction, in a
 * transaction open since 2026-01-01T10:00:00.000Z (for 42 s), last query started
 * 2026-01-01T10:00:01.000Z)`.
 *
 * Asked after the wait ended, so the writers that queued behind the step's own lock request hold
 * their locks by now too: only sessions whose transaction began before the try was sent
 * (`triedAt`, the server's clock read just before it, as text: microseconds kept, and no clock
 * but the server's compared) can have been what it waited for. When none qualifies, or the time
 * is unknown, every holder is named.
 */
export async function blockingSessions(client: ClientBase, tables: readonly string[], triedAt?: string): Promise<Blockers> {
  const deadlockTimeoutMs = await deadlockTimeout(client);
  if (tables.length === 0) return { text: 'a session the runner cannot name (the step lists no tables)', yieldingAutovacuum: false, deadlockTimeoutMs };
  const { rows } = await client.query<Holder & { before_wait: boolean }>(
    `SELECT a.pid, a.application_name, a.backend_type, a.state, a.xact_start, a.query_start, pg_catalog.clock_timestamp() AS now,
            CASE WHEN a.backend_type = 'autovacuum worker' THEN pg_catalog.left(a.query, 200) END AS autovacuum,
            coalesce(a.xact_start < $2::timestamptz, false) AS before_wait
       FROM pg_catalog.pg_stat_activity a
      WHERE a.pid <> pg_catalog.pg_backend_pid()
        AND a.pid IN (SELECT l.pid FROM pg_catalog.pg_locks l
                       WHERE l.granted AND l.locktype = 'relation'
                         AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())
                         AND l.relation IN (SELECT pg_catalog.to_regclass(t) FROM pg_catalog.unnest($1::text[]) AS t))
      ORDER BY a.xact_start NULLS LAST, a.pid`,
    [tables, triedAt ?? null],
  );
  if (rows.length === 0) return { text: `no session now (the one that held a lock on ${tables.join(', ')} has ended)`, yieldingAutovacuum: false, deadlockTimeoutMs };
  const older = rows.filter((r) => r.before_wait);
  const holders = older.length > 0 ? older : rows;
  return {
    text: holders.map(describeHolder).join('; '),
    yieldingAutovacuum: holders.some((h) => h.autovacuum !== null && !h.autovacuum.includes('to prevent wraparound')),
    deadlockTimeoutMs,
  };
}

async function deadlockTimeout(client: ClientBase): Promise<number> {
  const { rows } = await client.query<{ ms: string }>(`SELECT setting AS ms FROM pg_catalog.pg_settings WHERE name = 'deadlock_timeout'`);
  return Number(rows[0]?.ms ?? 1000);
}

/**
 * Since when a holder holds its locks, as closely as PostgreSQL tells: it records no time for a
 * granted lock (pg_locks.waitstart, PostgreSQL 14+, is for a request still waiting and is
 * cleared at the grant). A table lock is held until its transaction ends, so it was taken at
 * its transaction's start at the earliest: `in a transaction open since X (for N s)` bounds how
 * long it has been held (no closer bound exists: the time of the statement that took it is
 * gone). A command that runs transactions of its own (CREATE INDEX CONCURRENTLY) holds its
 * lock across them, from its statement's start: that start, older than its transaction's, is
 * the bound then.
 */
function heldSince(holder: Holder): string | undefined {
  const since = (at: Date): string => `since ${at.toISOString()} (for ${elapsedText(holder.now.getTime() - at.getTime())})`;
  const { xact_start: transaction, query_start: statement } = holder;
  if (holder.state === 'active' && statement && transaction && statement < transaction) return `in a statement running ${since(statement)}, across its own transactions`;
  return transaction ? `in a transaction open ${since(transaction)}` : undefined;
}

function describeHolder(holder: Holder): string {
  const held = heldSince(holder);
  if (holder.autovacuum !== null) return `pid ${holder.pid} (autovacuum worker, ${JSON.stringify(holder.autovacuum)}${held ? `, ${held}` : ''})`;
  // Any session sets its own application_name: quoted as JSON, it cannot break the log line.
  const parts = [`application ${JSON.stringify(holder.application_name)}`, holder.state ?? 'state unknown'];
  if (held) parts.push(held);
  if (holder.query_start) parts.push(`last query started ${holder.query_start.toISOString()}`);
  return `pid ${holder.pid} (${parts.join(', ')})`;
}
