// `npm run bedrock -- <command>`: the command line of Project Bedrock.
import { loadSqlParser } from './lib';
import { runCli } from './lib/cli/cli';
import { bedrockProject } from './stacks';

loadSqlParser()
  .then(() => runCli(bedrockProject, process.argv.slice(2)))
  .then((code) => process.exit(code));
