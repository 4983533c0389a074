// The runner's connection: DATABASE_URL when set, else the standard PG* variables (the same
// ones the postgresql provider reads). Nothing about it is ever printed.
import { Client } from 'pg';

export interface ConnectOptions {
  /** How long to wait for the server to accept the connection. @default 30 s */
  readonly timeoutMs?: number;
}

export async function connect(options: ConnectOptions = {}): Promise<Client> {
  const url = process.env.DATABASE_URL;
  const client = new Client({
    ...(url ? { connectionString: url } : {}),
    // Pinned in the startup packet, where it beats ALTER DATABASE/ROLE ... SET: every byte
    // the runner sends is UTF-8, and its quoting is only safe if the server reads it so.
    client_encoding: 'UTF8',
    connectionTimeoutMillis: options.timeoutMs ?? 30_000,
    // A peer that vanished without a reset is noticed by TCP keepalive, not only by the
    // runner's per-query bound.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // A backend terminated while the client is idle is reported as an 'error' event; without a
  // listener Node would crash with a stack trace. The next query fails and is explained.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    const where = url ? 'DATABASE_URL' : 'the PG* variables (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD)';
    throw new Error(`Cannot connect to PostgreSQL with ${where}: ${(error as Error).message}`);
  }
  return client;
}
