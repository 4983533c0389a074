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

function serverUrl(): URL {
  const url = process.env.BEDROCK_TEST_DATABASE_URL;
  if (!url) throw new Error('BEDROCK_TEST_DATABASE_URL is not set: run the tests with jest, whose global setup starts PostgreSQL');
  return new URL(url);
}

async function withAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl().toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates a fresh database before the file's tests and drops it after them. */
export function useTestDatabase(): TestDatabase {
  const name = `bedrock_test_${randomBytes(6).toString('hex')}`;
  const url = serverUrl();
  url.pathname = `/${name}`;
  let client: Client | undefined;

  beforeAll(async () => {
    await withAdmin((admin) => admin.query(`CREATE DATABASE ${quoteIdentifier(name)}`));
    client = new Client({ connectionString: url.toString() });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`));
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
