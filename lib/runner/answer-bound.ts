// How long the runner waits for the server's answer to a migration, and what it does when none
// comes. The server enforces
// lock_timeout and statement_timeout; nothing on the server can bound a network that went
// silent (no reset, no answer), so the runner bounds the wait itself. The runner carries no SQL
// parser, so the bound is taken from the text, erring long: every `;` may end a statement, and
// a statement may run as long as the longest statement_timeout the text sets (SET LOCAL) or the
// runner's own, whichever is longer.
import { ClientBase, QueryConfig } from 'pg';

/** Milliseconds within which the server must answer `sql`, run with `statementTimeoutMs`. */
export function answerWithinMs(sql: string, statementTimeoutMs: number): number {
  const statements = (sql.match(/;/g)?.length ?? 0) + 1;
  return (statements + 1) * Math.max(statementTimeoutMs, ...declaredStatementTimeouts(sql));
}

const UNITS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** Every `statement_timeout = <value>` / `TO <value>` in the text, in milliseconds. */
function declaredStatementTimeouts(sql: string): number[] {
  const found: number[] = [];
  for (const match of sql.matchAll(/statement_timeout\s*(?:=|\bto\b)\s*'?\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?/gi)) {
    found.push(Number(match[1]) * UNITS[(match[2] ?? 'ms').toLowerCase()]);
  }
  return found;
}

/** node-postgres's per-query read timeout (query_timeout, missing from @types/pg). */
export function queryWithin(client: ClientBase, text: string, ms: number): Promise<unknown> {
  return client.query({ text, query_timeout: ms } as QueryConfig);
}

export const isReadTimeout = (error: unknown): boolean => (error as Error)?.message === 'Query read timeout';

/** The server did not answer within `boundMs`. */
export class SilentServer extends Error {
  constructor(readonly boundMs: number) {
    super('Query read timeout');
  }
}

/**
 * No answer in time: the socket is destroyed, so nothing else waits on it (node-postgres would
 * otherwise keep the query in flight). The server notices within client_connection_check_interval
 * and rolls back, unless the COMMIT had already run: the outcome is unknown.
 */
export function destroyConnection(client: ClientBase): void {
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}
