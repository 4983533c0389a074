// The runner's session settings, pinned before anything else runs: what its quoting and name
// resolution rely on must not come from the server, the database or the role (ALTER DATABASE
// ... SET standard_conforming_strings = off would otherwise change how every literal reads).
import { ClientBase } from 'pg';
import { quoteIdentifier } from '../sql/identifier';

export interface SessionSettings {
  readonly applicationName: string;
  /** The service's schema: search_path becomes `pg_catalog, <schema>, public`. */
  readonly schema: string;
  readonly lockTimeoutMs: number;
  readonly statementTimeoutMs: number;
}

/**
 * One round trip. Besides the quoting settings, lock_timeout and statement_timeout hold for
 * the whole session, so every statement the runner sends (creating the ledger, reading it,
 * recording a failure) is bounded, not only the migrations.
 */
export async function pinSession(client: ClientBase, settings: SessionSettings): Promise<void> {
  await client.query(
    `SELECT set_config('application_name', $1, false), set_config('client_encoding', 'UTF8', false),
            set_config('standard_conforming_strings', 'on', false), set_config('search_path', $2, false),
            set_config('lock_timeout', $3, false), set_config('statement_timeout', $4, false)`,
    [settings.applicationName, searchPath(settings.schema), `${settings.lockTimeoutMs}ms`, `${settings.statementTimeoutMs}ms`],
  );
}

/** Built-ins first (a function in a service schema cannot shadow them), public last (extensions). */
export function searchPath(schema: string): string {
  return `pg_catalog, ${quoteIdentifier(schema)}, public`;
}

/** SQLSTATEs and driver messages that mean the connection itself is gone. */
export function isConnectionLost(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  if (typeof code === 'string' && (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03')) return true;
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNREFUSED') return true;
  return /Connection terminated|Client was closed|connection ended|not queryable/i.test(message ?? '');
}
