// The runner bundled into one JavaScript file (pg included), so a synthesized stack needs
// only `node` to apply migrations. Built at synth, and again only when a source changed.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

let built: string | undefined;
let builtHash: string | undefined;

/** The sha256 of the bundled runner (hashed once per process, not once per stack). */
export function runnerBundleHash(): string {
  builtHash ??= createHash('sha256').update(readFileSync(runnerBundle())).digest('hex');
  return builtHash;
}

/** The path of the bundled runner, under `<cwd>/.bedrock/runner/`. */
export function runnerBundle(): string {
  if (built) return built;
  const outfile = path.resolve('.bedrock', 'runner', 'runner.js');
  const inputsFile = `${outfile}.inputs.json`;
  if (!upToDate(outfile, inputsFile)) {
    mkdirSync(path.dirname(outfile), { recursive: true });
    // Loaded only when a build is needed: esbuild is a build-time tool.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require('esbuild') as typeof import('esbuild');
    const result = esbuild.buildSync({
      entryPoints: [runnerSource()],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node18',
      format: 'cjs',
      minify: true,
      external: ['pg-native'],
      metafile: true,
      logLevel: 'warning',
      legalComments: 'none',
    });
    writeFileSync(inputsFile, JSON.stringify(Object.keys(result.metafile.inputs).map((f) => path.resolve(f))));
  }
  built = outfile;
  return outfile;
}

/**
 * The runner's TypeScript entry: next to this file when run from source (ts-node, jest), or
 * under lib/runner/ of an enclosing folder when this code was itself bundled (cdktf app).
 */
function runnerSource(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    for (const candidate of [path.join(dir, 'main.ts'), path.join(dir, 'lib', 'runner', 'main.ts')]) {
      if (path.basename(path.dirname(candidate)) === 'runner' && existsSync(candidate)) return candidate;
    }
    if (path.dirname(dir) === dir) throw new Error('Cannot find lib/runner/main.ts to bundle the migration runner');
  }
}

function upToDate(outfile: string, inputsFile: string): boolean {
  try {
    const time = statSync(outfile).mtimeMs;
    return (JSON.parse(readFileSync(inputsFile, 'utf8')) as string[]).every((file) => statSync(file).mtimeMs < time);
  } catch {
    return false;
  }
}
