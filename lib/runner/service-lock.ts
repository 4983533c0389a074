// One deploy of a service at a time: a session-level advisory lock keyed by the service.
// A second runner waits a bounded time, then fails naming who holds the lock and since when
// (the holder publishes when it took it in its application_name: see runner-name.ts).
import { ClientBase } from 'pg';
import { visibleText } from '../adopt/visible-text';
import { elapsedText } from './elapsed';
import { lockedAt, lockedNamePrefix, publishLockedSql, runnerApplicationName, unpublishLockedSql } from './runner-name';

const KEY = `pg_catalog.hashtext('bedrock'::text), pg_catalog.hashtext($1::text)`;

export interface LockOptions {
  /** How long to wait for another deploy of the same service, in ms. */
  readonly waitMs: number;
  /** Called once if the lock is busy, before waiting: `holds` says since when and who (see LockHolder). */
  readonly onWait?: (holds: string) => void;
}

/** Who holds an advisory lock, as a message tells it. */
export interface LockHolder {
  /** `since <time> (for N s)`, when that is known; undefined otherwise (`who` then says what is known). */
  readonly since?: string;
  /** `pid 4242 (user bedrock, application "...", 10.0.0.7)`, or `a session that has just ended`. */
  readonly who: string;
}

/**
 * How the lock is held, which tells what its holder's times mean. 'service': a runner's
 * session-level lock, held since the time the runner published (a session that publishes
 * none took it some time after it connected). 'transaction': a lock runners take for one
 * transaction, held since at most the start of the holder's transaction.
 */
export type LockScope = 'service' | 'transaction';

/** `holds the migration lock since <time> (for N s): <who>`, or without `since` when the holder does not publish it. */
function holdsText(holder: LockHolder): string {
  return `holds the migration lock${holder.since ? ` ${holder.since}` : ''}: ${holder.who}`;
}

/**
 * Who holds the advisory lock (hashtext('bedrock'), <second key>), and since when. `secondKey`
 * is SQL over `values` (e.g. `hashtext($1)` or `0`). All times are the server's clock.
 */
export async function advisoryLockHolder(client: ClientBase, secondKey: string, values: unknown[], scope: LockScope): Promise<LockHolder> {
  const { rows } = await client.query<HolderRow>(
    `SELECT a.pid, a.usename, a.application_name, a.backend_start, a.xact_start, pg_catalog.clock_timestamp() AS now,
            CASE WHEN a.backend_start IS NOT NULL THEN coalesce(pg_catalog.host(a.client_addr), 'local socket') END AS host
       FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = pg_catalog.hashtext('bedrock'::text)::oid AND l.objid = (${secondKey})::oid AND l.objsubid = 2`,
    values,
  );
  if (rows.length === 0) return { who: 'a session that has just ended' };
  return describeHolder(rows[0], scope);
}

interface HolderRow {
  readonly pid: number;
  readonly usename: string | null;
  readonly application_name: string | null;
  /** NULL, with xact_start and host, for a session of another role when the reader lacks pg_read_all_stats. */
  readonly backend_start: Date | null;
  readonly xact_start: Date | null;
  readonly now: Date;
  readonly host: string | null;
}

function describeHolder(row: HolderRow, scope: LockScope): LockHolder {
  const since = (at: Date): string => `since ${at.toISOString()} (for ${elapsedText(row.now.getTime() - at.getTime())})`;
  // Any client sets its own application_name: quoted as JSON, it cannot break the line.
  const parts = [`user ${visibleText(row.usename ?? 'unknown')}`, `application ${JSON.stringify(row.application_name ?? '')}`, ...(row.host ? [row.host] : [])];
  const who = (more: string[] = []): string => `pid ${row.pid} (${[...parts, ...more].join(', ')})`;
  const published = scope === 'service' ? lockedAt(row.application_name) : undefined;
  if (published && possible(published, row)) return { since: since(published), who: who() };
  if (published) {
    // Any session may name itself so: a time it cannot have taken the lock at is not believed.
    return { who: who([`its name says it took the lock at ${published.toISOString()}, which cannot be (later than the server's clock, or before the session connected): not believed; it took it some time after connecting`]) };
  }
  // A transaction-level lock is held since its transaction began at the latest; with no
  // transaction open, the lock is session-level, taken at some time after the session connected.
  if (scope === 'transaction' && row.xact_start) return { who: who([`in a transaction open ${since(row.xact_start)}`]) };
  const connected = row.backend_start ? `connected since ${row.backend_start.toISOString()}` : 'connected at a time this role may not see (pg_read_all_stats)';
  const unknown =
    scope === 'service'
      ? 'not a Bedrock session that publishes when it took the lock (an older runner, or another client): it took it some time after connecting'
      : 'it took the lock some time after connecting';
  return { who: who([`${connected}; ${unknown}`]) };
}

/**
 * Whether a runner could have published `at`: the server's clock, read in the statement that
 * took the lock, is no later than now and no earlier than the session's start (when this role
 * may see it). A millisecond either way: the name keeps milliseconds, the clock microseconds.
 */
function possible(at: Date, row: HolderRow): boolean {
  return at.getTime() <= row.now.getTime() + 1 && (row.backend_start === null || at.getTime() >= row.backend_start.getTime() - 1);
}

/**
 * Takes the service's lock, waiting up to `waitMs`; throws naming the holder on timeout. Once
 * it holds the lock, the session's name says since when: `bedrock-runner <service> locked
 * <time>` (`bedrock-cli locked <time>` for the command line), set in the statement that takes
 * it. Returns that name: whatever re-pins the session's settings must keep it.
 */
export async function lockService(client: ClientBase, service: string, options: LockOptions): Promise<string> {
  const deadline = Date.now() + options.waitMs;
  const named = (await client.query<{ name: string }>(`SELECT pg_catalog.current_setting('application_name') AS name`)).rows[0].name;
  const prefix = lockedNamePrefix(named || runnerApplicationName(service));
  let announced = false;
  for (;;) {
    // A volatile CTE is evaluated once, before the outer SELECT reads it: the lock first, then the name.
    const { rows } = await client.query<{ name: string | null }>(
      `WITH l AS MATERIALIZED (SELECT pg_catalog.pg_try_advisory_lock(${KEY}) AS locked)
       SELECT CASE WHEN l.locked THEN ${publishLockedSql('$2')} END AS name FROM l`,
      [service, prefix],
    );
    if (rows[0].name !== null) return rows[0].name;
    if (!announced) {
      options.onWait?.(`it ${holdsText(await holderOf(client, service))}`);
      announced = true;
    }
    if (Date.now() >= deadline) {
      throw new Error(`${service}: another deploy ${holdsText(await holderOf(client, service))}. Waited ${Math.round(options.waitMs / 1000)} s; try again when it has finished`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(200, Math.max(0, deadline - Date.now()))));
  }
}

function holderOf(client: ClientBase, service: string): Promise<LockHolder> {
  return advisoryLockHolder(client, `pg_catalog.hashtext($1::text)`, [service], 'service');
}

/** Lets the lock go, and takes the time off the session's name (it no longer holds the lock since then). */
export async function unlockService(client: ClientBase, service: string): Promise<void> {
  await client.query(`SELECT pg_catalog.pg_advisory_unlock(${KEY}), ${unpublishLockedSql()}`, [service]);
}
