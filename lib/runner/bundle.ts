// The runner bundled into one JavaScript file (pg included), so a synthesized stack needs
// only `node` to apply migrations. Built at synth, and again only when a source changed.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

let built: string | undefined;

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
    const entry = path.join(__dirname, 'main.ts');
    const result = esbuild.buildSync({
      entryPoints: [existsSync(entry) ? entry : path.resolve('lib', 'runner', 'main.ts')],
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

function upToDate(outfile: string, inputsFile: string): boolean {
  try {
    const time = statSync(outfile).mtimeMs;
    return (JSON.parse(readFileSync(inputsFile, 'utf8')) as string[]).every((file) => statSync(file).mtimeMs < time);
  } catch {
    return false;
  }
}
