#!/usr/bin/env node
// `npx bedrock <command>` (package.json "bin"), the same as `npm run bedrock -- <command>`:
// the command line of Project Bedrock, bundled and run by run-app.js.
'use strict';
process.env.CHECKPOINT_DISABLE ??= '1';
process.argv.splice(2, 0, 'cli.ts');
require('./run-app.js');
