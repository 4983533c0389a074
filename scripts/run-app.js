// Runs main.ts for `cdktf synth`: bundles our TypeScript with esbuild (about 50 ms, no type
// check; `npm test` type-checks) and runs the result. ts-node would spend ~2 s type-checking
// on every synth.
'use strict';
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const outfile = path.join(root, '.bedrock', 'app.js');
const entry = process.argv[2] ?? 'main.ts';

esbuild.buildSync({
  entryPoints: [path.resolve(root, entry)],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
});
require(outfile);
