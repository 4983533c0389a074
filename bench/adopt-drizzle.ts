// The adopt bench's named baseline: drizzle-kit's `pull` (introspect a live database into a
// TypeScript schema), the closest tool in the ecosystem to our introspect. drizzle-kit, the
// drizzle-orm it checks for and the pg driver it connects with are installed from npm into
// .bedrock/bench-tools/drizzle-pull (not dependencies of the project; the write-stall bench's
// drizzle folder is left alone, as installing more into it would prune what it installed).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';

const VERSIONS = { kit: '0.31.11', orm: '0.45.4', pg: '8.16.3' };

export interface DrizzlePull {
  readonly source: string;
  /** Runs `drizzle-kit pull` of schema `schema` at `url`: wall time of the whole process, and the tables it wrote. */
  pull(url: string, schema: string): { ms: number; tables: number };
  /** Wall time of `drizzle-kit --version`: node starting and loading drizzle-kit, before any database work. */
  startMs(): number;
  dispose(): void;
}

const version = (file: string): string | undefined => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : undefined);

/** The tool, installed on demand, or why it is left out. */
export function drizzlePull(root: string): DrizzlePull | { skipped: string } {
  const tools = path.join(root, '.bedrock', 'bench-tools', 'drizzle-pull');
  const modules = path.join(tools, 'node_modules');
  const kit = path.join(modules, 'drizzle-kit', 'bin.cjs');
  const installed = () =>
    existsSync(kit) &&
    version(path.join(modules, 'drizzle-kit', 'package.json')) === VERSIONS.kit &&
    version(path.join(modules, 'drizzle-orm', 'package.json')) === VERSIONS.orm &&
    version(path.join(modules, 'pg', 'package.json')) === VERSIONS.pg;
  if (!installed()) {
    mkdirSync(tools, { recursive: true });
    spawnSync('npm', ['install', '--prefix', tools, '--no-save', `drizzle-kit@${VERSIONS.kit}`, `drizzle-orm@${VERSIONS.orm}`, `pg@${VERSIONS.pg}`], { stdio: 'ignore' });
  }
  if (!installed()) return { skipped: `drizzle-kit pull: \`npm install drizzle-kit@${VERSIONS.kit} drizzle-orm@${VERSIONS.orm} pg@${VERSIONS.pg}\` into ${tools} failed (no registry?)` };
  const work = mkdtempSync(path.join(tools, 'pull-'));
  let runs = 0;
  const timed = (args: readonly string[]): { ms: number; stdout: string } => {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [kit, ...args], { cwd: work, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`drizzle-kit ${args[0]} failed (exit ${result.status}): ${(result.stderr || result.stdout).slice(-2000)}`);
    return { ms, stdout: result.stdout };
  };
  return {
    source: `drizzle-kit ${VERSIONS.kit} \`pull\` (drizzle-orm ${VERSIONS.orm}, pg ${VERSIONS.pg}), a new node process per run`,
    pull(url, schema) {
      runs += 1;
      const out = path.join(work, `out-${runs}`);
      const { ms } = timed(['pull', '--dialect', 'postgresql', '--url', url, '--out', out, '--schemaFilters', schema]);
      const file = path.join(out, 'schema.ts');
      if (!existsSync(file)) throw new Error(`drizzle-kit pull wrote no schema.ts in ${out} (it wrote: ${readdirSync(out).join(', ')})`);
      const tables = (readFileSync(file, 'utf8').match(/= pgTable\(/g) ?? []).length;
      rmSync(out, { recursive: true, force: true });
      return { ms, tables };
    },
    startMs: () => timed(['--version']).ms,
    dispose: () => rmSync(work, { recursive: true, force: true }),
  };
}
