// Preload (`node -r test/support/cdktn-preload.js ...`) that serves CDK Terrain (npm `cdktn`) for
// every require('cdktf') of the process: the app's own (through lib/cdk.ts) and the ones inside
// @cdktf/provider-postgresql, so a test synthesizes the unchanged Bedrock app with cdktn.
// When BEDROCK_CDK_RECORD names a file, it writes there at exit which CDK packages were loaded
// and which files asked for cdktf, so the test can show that cdktn ran and cdktf did not.
'use strict';
const Module = require('node:module');
const fs = require('node:fs');

const resolveFilename = Module._resolveFilename;
const askedBy = new Set();

Module._resolveFilename = function resolveCdktfAsCdktn(request, parent, ...rest) {
  if (request === 'cdktf' || request.startsWith('cdktf/')) {
    askedBy.add(parent && parent.filename);
    return resolveFilename.call(this, `cdktn${request.slice('cdktf'.length)}`, parent, ...rest);
  }
  return resolveFilename.call(this, request, parent, ...rest);
};

const record = process.env.BEDROCK_CDK_RECORD;
if (record) {
  process.on('exit', () => {
    // Every loaded file of a package named cdktf or cdktn, reduced to the package and its version.
    const loaded = {};
    for (const file of Object.keys(require.cache)) {
      const match = /^(.*\/node_modules\/(cdktf|cdktn))\//.exec(file);
      if (match) loaded[match[2]] = JSON.parse(fs.readFileSync(`${match[1]}/package.json`, 'utf8')).version;
    }
    fs.writeFileSync(record, JSON.stringify({ loaded, askedBy: [...askedBy].sort() }, null, 2));
  });
}
