// The runner's connection: DATABASE_URL when set, else the standard PG* variables (the same
// ones the postgresql provider reads); or, for `--env <name>`, the environment's connection
// (stacks/environments.ts) with PG* filling what it leaves out. Secrets never come from the
// environments file: PGPASSWORD (or ~/.pgpass) supplies the password. Nothing about the
// connection is ever printed but the host, port, database and user.
import { readFileSync } from 'node:fs';
import { Client, ClientConfig } from 'pg';
import type { ConnectionConfig, SslMode } from '../stacks/environment';

export interface ConnectOptions {
  /** How long to wait for the server to accept the connection. @default 30 s */
  readonly timeoutMs?: number;
  /** Connect as this environment's row says instead of DATABASE_URL. */
  readonly environment?: { readonly name: string; readonly connection: ConnectionConfig };
}

export async function connect(options: ConnectOptions = {}): Promise<Client> {
  const { config, where } = connectionOf(options.environment);
  const client = new Client({
    ...config,
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
    throw new Error(`Cannot connect to PostgreSQL with ${where}: ${(error as Error).message}`);
  }
  return client;
}

/** The pg settings, and how to name them in an error without a secret. */
function connectionOf(environment: ConnectOptions['environment']): { config: ClientConfig; where: string } {
  const url = process.env.DATABASE_URL;
  if (!environment) {
    return { config: url ? { connectionString: url } : {}, where: url ? 'DATABASE_URL' : 'the PG* variables (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD)' };
  }
  // Two answers to "which database" must not meet silently: DATABASE_URL left over from
  // another shell, with --env local's allowDowngrades, could roll back prod.
  if (url) throw new Error(`--env ${environment.name} and DATABASE_URL both say which database to use: unset DATABASE_URL to connect as environment "${environment.name}" says (stacks/environments.ts), or drop --env`);
  const c = environment.connection;
  const port = c.port ?? (process.env.PGPORT ? Number(process.env.PGPORT) : 5432);
  const host = c.host ?? process.env.PGHOST ?? 'localhost';
  const config: ClientConfig = { host, port, database: c.database, user: c.username, ...sslOf(c.sslMode) };
  return { config, where: `environment "${environment.name}" (host ${host}, port ${port}, database ${c.database}, user ${c.username}; the password from PGPASSWORD or ~/.pgpass)` };
}

/**
 * libpq's sslmode in node-postgres terms. Unset: PGSSLMODE decides, as for the provider.
 * PGSSLROOTCERT names the CA to verify against, as in libpq.
 */
function sslOf(mode: SslMode | undefined): Pick<ClientConfig, 'ssl'> {
  if (mode === undefined) return {};
  if (mode === 'disable') return { ssl: false };
  if (mode === 'require') return { ssl: { rejectUnauthorized: false } };
  const ca = process.env.PGSSLROOTCERT ? { ca: readFileSync(process.env.PGSSLROOTCERT, 'utf8') } : {};
  // verify-ca: the chain is checked, the host name is not.
  return { ssl: mode === 'verify-ca' ? { ...ca, checkServerIdentity: () => undefined } : ca };
}
