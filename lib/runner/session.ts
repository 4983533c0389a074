// The runner's session settings, pinned before anything else runs: what its quoting and name
// resolution rely on must not come from the server, the database or the role (ALTER DATABASE
// ... SET standard_conforming_strings = off would otherwise change how every literal reads).
import { ClientBase } from 'pg';
import { quoteIdentifier } from '../sql/identifier';

export interface SessionSettings {
  readonly applicationName: string;
  readonly lockTimeoutMs: number;
  readonly statementTimeoutMs: number;
}

/**
 * One round trip. Besides the quoting settings, lock_timeout and statement_timeout hold for
 * the whole session, so every statement the runner sends (creating the ledger, reading it,
 * recording a failure) is bounded, not only the migrations. The session's own search_path is
 * pg_catalog alone: the runner's SQL runs as the deploying user, and a type, function or
 * operator a migration created in a service schema must never be what one of its names
 * resolves to (a domain named `to_regclass` would otherwise turn the runner's
 * `to_regclass('...')` into a cast that runs the domain's CHECK as that user).
 * client_connection_check_interval (PostgreSQL 14+) makes the server notice a client that went
 * away mid-statement and roll back, rather than run on to COMMIT.
 */
export async function pinSession(client: ClientBase, settings: SessionSettings): Promise<void> {
  await client.query(
    `SELECT pg_catalog.set_config('search_path', $1::text, false), pg_catalog.set_config('application_name', $2::text, false),
            pg_catalog.set_config('client_encoding', 'UTF8'::text, false), pg_catalog.set_config('standard_conforming_strings', 'on'::text, false),
            pg_catalog.set_config('lock_timeout', $3::text, false), pg_catalog.set_config('statement_timeout', $4::text, false),
            pg_catalog.set_config('client_connection_check_interval', '5s'::text, false)`,
    [RUNNER_SEARCH_PATH, settings.applicationName, `${settings.lockTimeoutMs}ms`, `${settings.statementTimeoutMs}ms`],
  );
}

/** What the runner's own statements resolve names through. */
export const RUNNER_SEARCH_PATH = 'pg_catalog, pg_temp';

/**
 * What a migration's statements resolve names through, set after SET ROLE to the owner:
 * built-ins first (nothing in a service schema shadows them), then the service's schema,
 * then public, where the environment's extensions live, and pg_temp last (unlisted, it would
 * be searched first, and a temporary table one migration left in the runner's session could
 * stand in for a table a later migration names).
 */
export function migrationSearchPath(schema: string): string {
  return `pg_catalog, ${quoteIdentifier(schema)}, public, pg_temp`;
}

/** SQLSTATEs and driver messages that mean the connection itself is gone. */
export function isConnectionLost(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  if (typeof code === 'string' && (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03')) return true;
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNREFUSED') return true;
  return /Connection terminated|Client was closed|connection ended|not queryable/i.test(message ?? '');
}
