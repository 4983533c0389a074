// The runner as Terraform starts it (bundled into one file: needs only node):
//   node runner.js --manifest <file> --expect <sha256> [--allow-downgrades] [timeouts and retries, see runner-flags.ts]
// Connects with DATABASE_URL or the PG* variables; prints a line when each migration (and each
// step of a migration of several steps) starts and ends, and every 30 s while a step runs.
import './node-navigator'; // first: before pg is loaded
import { readFileSync } from 'node:fs';
import { connect } from './connect';
import { planFromManifest } from './manifest';
import { converge } from './runner';
import { option, parseRunnerFlags, RUNNER_FLAGS_USAGE } from './runner-flags';

async function main(args: string[]): Promise<void> {
  const manifest = option(args, '--manifest');
  const expected = option(args, '--expect');
  if (!manifest || !expected) throw new Error(`usage: runner.js --manifest <file> --expect <sha256> [--allow-downgrades] ${RUNNER_FLAGS_USAGE}`);
  const settings = parseRunnerFlags(args);
  const plan = planFromManifest(readFileSync(manifest, 'utf8'), expected);
  const client = await connect();
  try {
    await converge(client, {
      plan,
      allowDowngrades: args.includes('--allow-downgrades'),
      ...settings,
      log: (line) => console.log(line),
      reconnect: () => connect({ timeoutMs: 10_000 }),
    });
  } finally {
    await client.end();
  }
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
