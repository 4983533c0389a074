// Runs main.ts for `cdktf synth` (or another entry given as argument, e.g. a benchmark):
// bundles our TypeScript with esbuild (no type check; `npm test` type-checks) and runs the
// result. ts-node would spend ~2 s type-checking on every synth. The bundle is rebuilt only
// when one of the files it was built from changed.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const entry = path.resolve(root, process.argv[2] ?? 'main.ts');
// One bundle per entry, so a benchmark and `cdktf synth` can run side by side.
const outfile = path.join(root, '.bedrock', `${path.basename(entry, '.ts')}.js`);
const inputsFile = `${outfile}.inputs.json`;

function upToDate() {
  try {
    const built = fs.statSync(outfile).mtimeMs;
    const inputs = JSON.parse(fs.readFileSync(inputsFile, 'utf8'));
    // This script's own settings (esbuild options) count as an input too.
    return inputs.entry === entry && [__filename, ...inputs.files].every((file) => fs.statSync(file).mtimeMs < built);
  } catch {
    return false;
  }
}

if (!upToDate()) {
  const result = require('esbuild').buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    metafile: true,
    logLevel: 'warning',
  });
  const files = Object.keys(result.metafile.inputs).map((file) => path.resolve(process.cwd(), file));
  fs.writeFileSync(inputsFile, JSON.stringify({ entry, files }));
}
// The entry ran as if started directly: its own arguments follow its name.
process.argv.splice(2, process.argv[2] === undefined ? 0 : 1);
require(outfile);
