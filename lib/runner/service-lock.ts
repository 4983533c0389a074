// One deploy of a service at a time: a session-level advisory lock keyed by the service.
// A second runner waits a bounded time, then fails naming who holds the lock.
import { ClientBase } from 'pg';

const KEY = `pg_catalog.hashtext('bedrock'::text), pg_catalog.hashtext($1::text)`;

export interface LockOptions {
  /** How long to wait for another deploy of the same service, in ms. */
  readonly waitMs: number;
  /** Called once if the lock is busy, before waiting. */
  readonly onWait?: (holder: string) => void;
}

/** Who holds the service's lock: pid, user, application, host, since when. */
function holderOf(client: ClientBase, service: string): Promise<string> {
  return advisoryLockHolder(client, `pg_catalog.hashtext($1::text)`, [service]);
}

/**
 * Who holds the advisory lock (hashtext('bedrock'), <second key>): pid, user, application,
 * host, since when. `secondKey` is SQL over `values` (e.g. `hashtext($1)` or `0`).
 */
export async function advisoryLockHolder(client: ClientBase, secondKey: string, values: unknown[] = []): Promise<string> {
  const { rows } = await client.query(
    `SELECT a.pid, a.usename, a.application_name, coalesce(pg_catalog.host(a.client_addr), 'local socket') AS host, a.backend_start
       FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = pg_catalog.hashtext('bedrock'::text)::oid AND l.objid = (${secondKey})::oid AND l.objsubid = 2`,
    values,
  );
  if (rows.length === 0) return 'a session that has just ended';
  const r = rows[0];
  return `pid ${r.pid} (user ${r.usename}, application "${r.application_name}", ${r.host}, connected since ${new Date(r.backend_start).toISOString()})`;
}

/** Takes the service's lock, waiting up to `waitMs`; throws naming the holder on timeout. */
export async function lockService(client: ClientBase, service: string, options: LockOptions): Promise<void> {
  const deadline = Date.now() + options.waitMs;
  let announced = false;
  for (;;) {
    const { rows } = await client.query(`SELECT pg_catalog.pg_try_advisory_lock(${KEY}) AS locked`, [service]);
    if (rows[0].locked) return;
    if (!announced) {
      options.onWait?.(await holderOf(client, service));
      announced = true;
    }
    if (Date.now() >= deadline) {
      throw new Error(`${service}: another deploy holds the migration lock: ${await holderOf(client, service)}. Waited ${Math.round(options.waitMs / 1000)} s; try again when it has finished`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(200, Math.max(0, deadline - Date.now()))));
  }
}

export async function unlockService(client: ClientBase, service: string): Promise<void> {
  await client.query(`SELECT pg_catalog.pg_advisory_unlock(${KEY})`, [service]);
}
