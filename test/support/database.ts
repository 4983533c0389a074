// Gives a test file its own database on the run's PostgreSQL server, dropped afterwards.
//   const db = useTestDatabase();
//   test('...', async () => { await db.query('SELECT 1'); });
import { randomBytes } from 'node:crypto';
import { Client, QueryResult, QueryResultRow } from 'pg';
import { quoteIdentifier } from '../../lib';

export interface TestDatabase {
  /** The database's name. */
  readonly name: string;
  /** A superuser connection URL to the database. */
  readonly url: string;
  /** The superuser connection to the database (closed by the helper after the file's tests). */
  readonly client: Client;
  /** Runs SQL on a superuser connection to the database. */
  query<R extends QueryResultRow = QueryResultRow>(sql: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/** The variable naming the server: PostgreSQL 18 by default, 14 or 15 where a test asks for it. */
const SERVER_VARIABLE = {
  default: 'BEDROCK_TEST_DATABASE_URL',
  14: 'BEDROCK_TEST_DATABASE_URL_14',
  15: 'BEDROCK_TEST_DATABASE_URL_15',
  /** PostgreSQL 18 whose autovacuum starts every second (autovacuum_naptime = 1). */
  autovacuum: 'BEDROCK_TEST_DATABASE_URL_AUTOVACUUM',
} as const;

export type TestServer = keyof typeof SERVER_VARIABLE;

/** Whether the run has that server (the global setup starts PostgreSQL 14 and 15 when their packages are installed). */
export function hasTestServer(server: TestServer): boolean {
  return Boolean(process.env[SERVER_VARIABLE[server]]);
}

function serverUrl(server: TestServer): URL {
  const url = process.env[SERVER_VARIABLE[server]];
  if (!url) throw new Error(`${SERVER_VARIABLE[server]} is not set: run the tests with jest, whose global setup starts PostgreSQL`);
  return new URL(url);
}

async function withAdmin<T>(server: TestServer, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl(server).toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates a fresh database before the file's tests and drops it after them. */
export function useTestDatabase(server: TestServer = 'default'): TestDatabase {
  const name = `bedrock_test_${randomBytes(6).toString('hex')}`;
  // A missing optional server (14, 15) makes the file's tests skip (they check hasTestServer); the default one must exist.
  const url = server === 'default' || hasTestServer(server) ? serverUrl(server) : new URL('postgres://unavailable/none');
  url.pathname = `/${name}`;
  let client: Client | undefined;

  beforeAll(async () => {
    if (!hasTestServer(server)) return;
    await withAdmin(server, (admin) => admin.query(`CREATE DATABASE ${quoteIdentifier(name)}`));
    client = new Client({ connectionString: url.toString() });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    if (!hasTestServer(server)) return;
    await withAdmin(server, (admin) => admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`));
  });

  const ready = (): Client => {
    if (!client) throw new Error('The test database is not ready: use it inside a test or a hook');
    return client;
  };
  return {
    name,
    url: url.toString(),
    get client() {
      return ready();
    },
    query: <R extends QueryResultRow>(sql: string, values?: unknown[]) => ready().query<R>(sql, values),
  };
}
