// The runner as Terraform starts it (bundled into one file: needs only node):
//   node runner.js --manifest <file> --expect <sha256> [--allow-downgrades]
// Connects with DATABASE_URL or the PG* variables; prints one line per migration.
import './node-navigator'; // first: before pg is loaded
import { readFileSync } from 'node:fs';
import { connect } from './connect';
import { planFromManifest } from './manifest';
import { converge } from './runner';

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

async function main(args: string[]): Promise<void> {
  const manifest = option(args, '--manifest');
  const expected = option(args, '--expect');
  if (!manifest || !expected) throw new Error('usage: runner.js --manifest <file> --expect <sha256> [--allow-downgrades] [--lock-timeout-ms N] [--statement-timeout-ms N] [--lock-wait-ms N]');
  const number = (name: string): number | undefined => {
    const value = option(args, name);
    if (value === undefined) return undefined;
    // A wait that is not a positive whole number of milliseconds would be no bound at all.
    if (!/^[1-9]\d*$/.test(value)) throw new Error(`${name} ${JSON.stringify(value)}: give a positive whole number of milliseconds, e.g. ${name} 60000`);
    return Number(value);
  };
  const timeouts = { lockTimeoutMs: number('--lock-timeout-ms'), statementTimeoutMs: number('--statement-timeout-ms'), lockWaitMs: number('--lock-wait-ms') };
  const plan = planFromManifest(readFileSync(manifest, 'utf8'), expected);
  const client = await connect();
  try {
    await converge(client, {
      plan,
      allowDowngrades: args.includes('--allow-downgrades'),
      ...timeouts,
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
