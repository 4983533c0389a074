// PostgreSQL 18's initdb and postgres as the server's user can run them (see reachableBinaries in
// postgres-binaries.mjs: as root, from a copy under /tmp when the project is in a private
// folder), for a test that starts a server of its own. Asked of the ESM module in a node process
// of its own: jest's CommonJS cannot import it.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const MODULE = pathToFileURL(path.resolve(__dirname, 'postgres-binaries.mjs')).href;

export function reachablePostgres18(): { initdb: string; postgres: string } {
  const script = `
    import { binariesEntry, reachableBinaries, userIds } from ${JSON.stringify(MODULE)};
    const binaries = await import(binariesEntry(18));
    const asUser = process.getuid?.() === 0 ? userIds('postgres') : {};
    const { initdb, postgres } = reachableBinaries(18, binaries, asUser);
    console.log(JSON.stringify({ initdb, postgres }));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`PostgreSQL 18's binaries: ${result.stderr}`);
  return JSON.parse(result.stdout);
}
