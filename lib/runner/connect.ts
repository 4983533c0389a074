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
  let client: Client;
  try {
    // pg parses a connection string here: a malformed one throws before any connection (its
    // message never holds the string).
    client = new Client({
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
  } catch (error) {
    throw new Error(`Cannot connect to PostgreSQL with ${where}: ${(error as Error).message}`);
  }
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
  const port = c.port ?? portOf(process.env.PGPORT, environment.name);
  const host = c.host ?? process.env.PGHOST ?? 'localhost';
  const config: ClientConfig = { host, port, database: c.database, user: c.username, ...sslOf(c.sslMode ?? sslModeOf(process.env.PGSSLMODE, environment.name), environment.name) };
  return { config, where: `environment "${environment.name}" (host ${host}, port ${port}, database ${c.database}, user ${c.username}; the password from PGPASSWORD or ~/.pgpass)` };
}

/**
 * PGPORT as libpq reads it: digits only. pg would read "54x2" as port 54 (parseInt), and
 * Number() reads "0x1538" as 5432: a typo must not reach another server.
 */
function portOf(value: string | undefined, environment: string): number {
  if (value === undefined || value === '') return 5432;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port > 0 && port < 65536)) throw new Error(`PGPORT ${JSON.stringify(value)} is not a TCP port: fix or unset it (environment "${environment}" gives no port: stacks/environments.ts)`);
  return port;
}

/** libpq's sslmode values; pg alone reads an unknown one as "no TLS". */
const LIBPQ_SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

/**
 * The sslmode PGSSLMODE gives an environment whose row sets none. Unset: require, the
 * provider's default (environment.ts), never pg's plain connection. allow and prefer (a plain
 * connection when TLS fails, which pg cannot do) are read as require: the connection is
 * encrypted or refused. A value libpq refuses is refused.
 */
function sslModeOf(value: string | undefined, environment: string): SslMode {
  if (value === undefined || value === '') return 'require';
  if (!(LIBPQ_SSL_MODES as readonly string[]).includes(value)) {
    throw new Error(`PGSSLMODE ${JSON.stringify(value)} is not an sslmode (${LIBPQ_SSL_MODES.join(', ')}): fix or unset it (environment "${environment}" gives none: stacks/environments.ts)`);
  }
  return value === 'allow' || value === 'prefer' ? 'require' : (value as SslMode);
}

/**
 * libpq's sslmode in node-postgres terms, with PGSSLROOTCERT as libpq reads it: the CA file to
 * verify against (`system`: the system's CAs). As in libpq, require with a CA file given
 * verifies the chain (as verify-ca does); without one it only encrypts.
 */
export function sslOf(mode: SslMode, environment: string): Pick<ClientConfig, 'ssl'> {
  if (mode === 'disable') return { ssl: false };
  const root = process.env.PGSSLROOTCERT;
  if (mode === 'require' && (root === undefined || root === '')) return { ssl: { rejectUnauthorized: false } };
  const ca = root === undefined || root === '' || root === 'system' ? {} : { ca: caFile(root, mode, environment) };
  // verify-ca (and require with a CA): the chain is checked, the host name is not.
  return { ssl: mode === 'verify-full' ? ca : { ...ca, checkServerIdentity: () => undefined } };
}

function caFile(file: string, mode: SslMode, environment: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`PGSSLROOTCERT ${file}: cannot read it (${code}); environment "${environment}" verifies the server (sslMode ${mode}) against that file: point PGSSLROOTCERT at the CA certificate, or unset it to use the system's CAs`);
  }
}
