// `npm run bedrock -- <command>` (or `npx bedrock`): the command line of Project Bedrock.
import { loadSqlParser } from './lib';
import { runCli } from './lib/cli/cli';
import { bedrockProject } from './stacks';

// Exit once stdout has taken everything: where a pipe is written asynchronously (macOS), an
// immediate exit would cut a long --json document short.
loadSqlParser()
  .then(() => runCli(bedrockProject, process.argv.slice(2)))
  .then((code) => process.stdout.write('', () => process.exit(code)));
