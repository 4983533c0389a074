// A migration with a batched data section, deployed by the runner on real PostgreSQL 18 and 14:
// the files written by `generate --data` (expand: ADD COLUMN; the batched UPDATE a person
// writes; contract: CHECK NOT VALID, VALIDATE, SET NOT NULL), checked, planned and handed over
// through the manifest as synth does. On 1,000,000 rows under four writers: every row filled
// exactly once, no writer blocked beyond a few batches, one 'up' in the history. The runner's
// backend killed mid-backfill: the ledger holds the last committed key, the next run resumes
// after it. A row that breaks a CHECK: the deploy stops naming the migration, the step and the
// key; fixed, the next run resumes. SIGTERM to the runner process: it stops after the batch in
// flight. The manifest's batch plan: round trip, checksum, declaration, no batched down. A
// version-4 ledger upgraded to 5 with its rows.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { bigint, integer, numeric, ServiceStack, Table, varchar } from '../../lib';
import { migrationDirectoryOf, modelOf } from '../../lib/project';
import { generateMigration } from '../../lib/migrations/generate';
import { checksumOf, Migration, parseMigration } from '../../lib/migrations/migration-file';
import { MigrationDirectory } from '../../lib/migrations/migration-directory';
import { migrationPlan } from '../../lib/migrations/migration-plan';
import { manifestText, planFromManifest } from '../../lib/runner/manifest';
import { MigrationPlan } from '../../lib/runner/planned-migration';
import { converge } from '../../lib/runner/runner';
import { ConvergeOptions } from '../../lib/runner/converge-options';
import { runnerBundle } from '../../lib/runner/bundle';
import { batchedStatement } from '../../lib/sql/batched-statement';
import { hasTestServer, TestDatabase, TestServer, useTestDatabase } from '../support/database';
import { prepareServices } from '../support/platform';
import { startWriteLoad } from '../support/write-load';
import { testProject, TestProject } from '../support/project';

/**
 * How node-postgres reports the backend terminated under it: PostgreSQL's message when the kill
 * arrives during a query, the client's own when it arrives between two (both a lost connection).
 */
const KILLED = '(?:terminating connection due to administrator command \\(SQLSTATE 57P01\\)|Client has encountered a connection error and is not queryable|Connection terminated unexpectedly)';

/** The UPDATE a person writes into the data section. `backfills` counts the visits: the CHECK below refuses a second one. */
const BACKFILL = 'UPDATE datahub.klines SET quote_volume = volume * close, backfills = backfills + 1;';
const DATA_SECTION = [
  '-- +data batched datahub.klines key id size 10000',
  '-- The quote volume of the candles written before the app wrote it itself (it does, since this',
  '-- migration added the column). backfills counts the visits: CHECK (backfills <= 1) refuses a second.',
  BACKFILL,
];

const FAST = { lockTimeoutMs: 500, statementTimeoutMs: 60_000, lockWaitMs: 5_000, lockRetries: { retries: 5, backoffMs: 100, maxBackoffMs: 1_000 } };
/** What a write may take beyond the batches it waits for (its own statement, the wake-up): as in backfill.test.ts. */
const WRITE_MARGIN_MS = 250;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const klines =
  (quoteVolume: boolean) =>
  (stack: ServiceStack): void => {
    new Table(stack, 'klines', {
      columns: {
        id: bigint().generatedAlwaysAsIdentity(),
        symbol: varchar(32).notNull(),
        close: numeric(20, 8).notNull(),
        volume: numeric(20, 8).notNull(),
        backfills: integer().notNull().default(0),
        ...(quoteVolume ? { quote_volume: numeric(38, 8).notNull() } : {}),
      },
      primaryKey: ['id'],
      checks: [{ name: 'klines_backfilled_once', expression: 'backfills <= 1' }],
    });
  };

interface Files {
  readonly project: TestProject;
  /** add_klines, then add_quote_volume (with its batched data section). */
  readonly migrations: readonly Migration[];
}

/** The two migrations as an engineer commits them: generated, the data section filled, rehashed, checked. */
async function generatedFiles(data: readonly string[] = DATA_SECTION): Promise<Files> {
  const project = testProject();
  project.tables.datahub = klines(false);
  expect((await project.cli('generate', 'datahub', 'add_klines')).code).toBe(0);
  project.tables.datahub = klines(true);
  const result = generateMigration({ directory: migrationDirectoryOf(project, 'datahub'), model: modelOf(project, 'datahub'), description: 'add_quote_volume', data: true, registry: project.registry });
  if (!result.written) throw new Error('generate wrote nothing');
  const file = path.join(project.migrationsDirectory('datahub'), `${result.migration.id}.sql`);
  const written = parseMigration(`${result.migration.id}.sql`, readFileSync(file, 'utf8'));
  const section = written.dataSections[0];
  const lines = written.text.split('\n');
  writeFileSync(file, [...lines.slice(0, section.markerLine - 1), ...data, ...lines.slice(section.endLine)].join('\n'));
  expect((await project.cli('rehash', 'datahub')).code).toBe(0);
  const check = await project.cli('check');
  expect(check.err).toBe('');
  expect(check.code).toBe(0);
  return { project, migrations: new MigrationDirectory(project.migrationsDirectory('datahub'), 'datahub', 'datahub').read().migrations };
}

/** The plan as the runner gets it at deploy: planned at synth, written to the manifest, read back and checked. */
function deployedPlan(migrations: readonly Migration[]): MigrationPlan {
  const text = manifestText(migrationPlan('datahub', 'datahub_owner', migrations), migrations);
  return planFromManifest(text, checksumOf(text));
}

let files: Files;
let first: Migration;
let backfill: Migration;

beforeAll(async () => {
  files = await generatedFiles();
  [first, backfill] = files.migrations;
}, 60_000);

/** datahub with no ledger and no tables, then its first migration applied and `rows` candles inserted (analyzed). */
async function withCandles(database: TestDatabase, rows: number): Promise<void> {
  await database.query('DROP SCHEMA IF EXISTS bedrock CASCADE; DROP SCHEMA IF EXISTS datahub_backup CASCADE; DROP SCHEMA IF EXISTS datahub CASCADE; CREATE SCHEMA datahub AUTHORIZATION datahub_owner');
  await convergeOn(database, { plan: deployedPlan([first]) });
  await database.query(`INSERT INTO datahub.klines (symbol, close, volume) SELECT 'S' || (i % 500), (i % 1000) + 0.5, (i % 77) + 1 FROM generate_series(1, ${rows}) AS i; ANALYZE datahub.klines`);
}

async function connected(database: TestDatabase): Promise<Client> {
  const client = new Client({ connectionString: database.url });
  client.on('error', () => undefined); // a terminated backend arrives as an event too
  await client.connect();
  return client;
}

/** Converges on a connection of its own; `onClient` sees it first (to kill its backend). */
async function convergeOn(database: TestDatabase, options: Partial<ConvergeOptions> & { plan: MigrationPlan }, log: string[] = [], onClient?: (client: Client) => void) {
  const client = await connected(database);
  onClient?.(client);
  try {
    return await converge(client, { allowDowngrades: false, ...FAST, log: (line) => log.push(line), ...options });
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ledgerRow(database: TestDatabase, id: string) {
  const { rows } = await database.query(`SELECT status, steps_done, steps_total, batch_key, error FROM bedrock.migrations WHERE service = 'datahub' AND id = $1`, [id]);
  return rows[0];
}

async function history(database: TestDatabase): Promise<string[]> {
  const { rows } = await database.query(`SELECT action, id FROM bedrock.migration_history WHERE service = 'datahub' ORDER BY at`);
  return rows.map((r) => `${r.action} ${r.id}`);
}

/** Rows by how often the backfill visited them. */
async function visits(database: TestDatabase, where = 'true'): Promise<Record<string, number>> {
  const { rows } = await database.query(`SELECT backfills, count(*)::int AS n FROM datahub.klines WHERE ${where} GROUP BY backfills ORDER BY backfills`);
  return Object.fromEntries(rows.map((r) => [String(r.backfills), r.n]));
}

const stepLine = () => backfill.dataSections[0].line;

/** Where a row's current version is (PostgreSQL names it in lock messages). */
async function tid(database: TestDatabase, id: number): Promise<string> {
  return (await database.query('SELECT ctid::text AS t FROM datahub.klines WHERE id = $1', [id])).rows[0].t;
}
const STEPS = 5;

function underWrites(server: 18 | 14, rows: number): void {
  const key: TestServer = server === 18 ? 'default' : server;
  const available = hasTestServer(key);
  const db = useTestDatabase(key);
  if (!available) console.log(`SKIPPED: PostgreSQL ${server} is not available: the batched migration was not deployed on ${server}`);
  const it = available ? test : test.skip;

  beforeAll(async () => {
    if (available) await prepareServices(db, ['datahub']);
  });

  it(`PostgreSQL ${server}: ${rows.toLocaleString('en-US')} rows under four writers, expand, backfill in batches, contract: every row once, no writer blocked beyond a few batches`, async () => {
    await withCandles(db, rows);
    const log: string[] = [];
    const at: number[] = [];
    // The app writes quote_volume itself once the column exists (expand, then backfill, then contract).
    let expanded = false;
    const writers = startWriteLoad(() => connected(db), {
      connections: 4,
      pauseMs: 2,
      insert: (n) =>
        expanded
          ? { text: 'INSERT INTO datahub.klines (symbol, close, volume, quote_volume) VALUES ($1, $2, $3, $2::numeric * $3::numeric) RETURNING id', values: [`W${n % 50}`, (n % 1000) + 0.5, (n % 77) + 1] }
          : { text: 'INSERT INTO datahub.klines (symbol, close, volume) VALUES ($1, $2, $3) RETURNING id', values: [`W${n % 50}`, (n % 1000) + 0.5, (n % 77) + 1] },
      // An old row anywhere in the table: some fall in the batch in flight and wait for it.
      update: (_id, n) => ({ text: 'UPDATE datahub.klines SET symbol = $2 WHERE id = $1', values: [1 + ((n * 7919) % rows), `U${n % 50}`] }),
      updateEvery: 2,
    });
    await sleep(300);
    const started = Date.now();
    const result = await convergeOn(db, {
      plan: deployedPlan(files.migrations),
      progressIntervalMs: 2_000,
      log: (line) => {
        log.push(line);
        at.push(Date.now() - started);
        if (line.startsWith(`datahub: ${backfill.id} step 1/${STEPS} in `)) expanded = true;
      },
    });
    const elapsed = Date.now() - started;
    await sleep(300);
    const writes = await writers.stop();

    expect(result).toEqual({ applied: [backfill.id], rolledBack: [] });
    expect(writes.errors).toEqual({ count: 0, bySqlState: {}, samples: [] });
    expect(writes.updates).toBeGreaterThan(100);
    // Every row the table had was visited exactly once (the CHECK refuses a second visit; none was missed).
    expect(await visits(db, `id <= ${rows}`)).toEqual({ '1': rows });
    const values = await db.query(`SELECT count(*) FILTER (WHERE quote_volume IS DISTINCT FROM volume * close)::int AS wrong, count(*)::int AS n FROM datahub.klines`);
    expect(values.rows[0].wrong).toBe(0);
    const column = await db.query(`SELECT attnotnull FROM pg_attribute WHERE attrelid = 'datahub.klines'::regclass AND attname = 'quote_volume'`);
    expect(column.rows).toEqual([{ attnotnull: true }]);
    expect(await ledgerRow(db, backfill.id)).toEqual({ status: 'applied', steps_done: STEPS, steps_total: STEPS, batch_key: null, error: null });
    expect(await history(db)).toEqual([`up ${first.id}`, `up ${backfill.id}`]);

    // The lines: the migration, each step, the backfill's start, progress and end.
    expect(log[0]).toBe(`datahub: applying ${backfill.id} (${STEPS} steps: ${STEPS} transactional)`);
    expect(log).toContainEqual(`datahub: step 2/${STEPS} of ${backfill.id} started (in batches of 10,000 rows, each in a transaction of its own)`);
    expect(log).toContainEqual(expect.stringMatching(/^datahub: backfill datahub\.klines started: ~[\d,]+ rows in batches of 10,000 by id$/));
    expect(log).toContainEqual(expect.stringMatching(/^datahub: backfill datahub\.klines: [\d,]+ of ~[\d,]+ rows \(\d+%\), [\d,]+ rows\/s, (<1 s|~\d+ s|~\d+ min) left$/));
    const done = log.find((line) => line.startsWith('datahub: backfill datahub.klines done: '))!;
    const [, batches, seconds] = /in ([\d,]+) batch\(es\), ([\d.]+) s$/.exec(done)!;
    expect(Number(batches.replace(/,/g, ''))).toBeGreaterThanOrEqual(rows / 10_000);
    expect(log[log.length - 1]).toMatch(new RegExp(`^datahub: at ${backfill.id} \\(1 applied, 0 rolled back\\) in \\d+ ms$`));

    // The writers: none waited longer than a few batches (the mean batch, from the done line).
    const meanBatchMs = (Number(seconds) * 1000) / Number(batches.replace(/,/g, ''));
    console.log(
      `PostgreSQL ${server}: batched migration of ${rows.toLocaleString('en-US')} rows in ${elapsed} ms, mean batch ${meanBatchMs.toFixed(0)} ms; ` +
        `${writes.writes} writes (${writes.inserts} inserts, ${writes.updates} updates), longest write ${writes.maxLatencyMs.toFixed(1)} ms at ${writes.longestStall.at.toFixed(0)} ms (${writes.longestStall.kind}), p99 ${writes.p99LatencyMs.toFixed(1)} ms\n` +
        log.map((line, i) => `[${String(at[i]).padStart(6)} ms] ${line}`).join('\n'),
    );
    expect(writes.maxLatencyMs).toBeLessThan(4 * meanBatchMs + WRITE_MARGIN_MS);
    expect(writes.maxLatencyMs).toBeLessThan(elapsed / 5);
  }, 300_000);
}

describe('PostgreSQL 18', () => underWrites(18, 1_000_000));
describe('PostgreSQL 14', () => underWrites(14, 1_000_000));

describe('stops and resumes (PostgreSQL 18)', () => {
  const db = useTestDatabase();
  const ROWS = 200_000;

  beforeAll(async () => {
    await prepareServices(db, ['datahub']);
  });

  test("the runner's backend killed mid-backfill: the run fails as a lost connection, the ledger holds the last committed key, the next run resumes after it", async () => {
    await withCandles(db, ROWS);
    const admin = await connected(db);
    let pid = 0;
    let kill: Promise<unknown> | undefined;
    const log: string[] = [];
    const failed = await convergeOn(
      db,
      {
        plan: deployedPlan(files.migrations),
        progressIntervalMs: 100,
        log: (line) => {
          log.push(line);
          const done = /^datahub: backfill datahub\.klines: ([\d,]+) of/.exec(line);
          if (done && Number(done[1].replace(/,/g, '')) >= 50_000) kill ??= admin.query('SELECT pg_terminate_backend($1)', [pid]);
        },
      },
      log,
      (client) => (pid = (client as unknown as { processID: number }).processID),
    ).catch((error: unknown) => error);
    await kill;
    await admin.end();
    expect(kill).toBeDefined();
    expect((failed as Error).message).toMatch(
      new RegExp(
        `^datahub: the connection was lost while applying ${backfill.id} step 2 of ${STEPS}, in the backfill of datahub\\.klines after id \\d+ \\(${KILLED}\\): ` +
          "each batch committed is recorded in the ledger with its key, in the batch's own transaction; the next deploy resumes after the last one \\(no resolve needed\\)$",
      ),
    );
    const stopped = await ledgerRow(db, backfill.id);
    expect(stopped).toEqual({ status: 'partial', steps_done: 1, steps_total: STEPS, batch_key: expect.stringMatching(/^\d+0000$/), error: null });
    const lastKey = Number(stopped.batch_key);
    expect(lastKey).toBeGreaterThanOrEqual(50_000);
    expect(lastKey).toBeLessThan(ROWS);
    // The rows up to the key are backfilled and committed with it; the batch in flight rolled back with the session.
    expect(await visits(db)).toEqual({ '0': ROWS - lastKey, '1': lastKey });
    expect(await visits(db, `id <= ${lastKey}`)).toEqual({ '1': lastKey });

    const again: string[] = [];
    expect(await convergeOn(db, { plan: deployedPlan(files.migrations) }, again)).toEqual({ applied: [backfill.id], rolledBack: [] });
    expect(again.slice(0, 3)).toEqual([
      `datahub: resuming ${backfill.id} at step 2 of ${STEPS}`,
      `datahub: step 2/${STEPS} of ${backfill.id} started (in batches of 10,000 rows, each in a transaction of its own)`,
      `datahub: resuming the backfill of datahub.klines after id ${lastKey} (the last batch the ledger records as committed)`,
    ]);
    expect(again[3]).toMatch(new RegExp(`^datahub: backfill datahub\\.klines started: ~[\\d,]+ rows in batches of 10,000 by id, resuming after id ${lastKey}$`));
    expect(again).toContainEqual(expect.stringMatching(new RegExp(`^datahub: backfill datahub\\.klines done: [\\d,]+ rows \\(${(ROWS - lastKey).toLocaleString('en-US')} changed in this run\\) in ${(ROWS - lastKey) / 10_000} batch\\(es\\), [\\d.]+ s$`)));
    // No row below the key was updated again (the counter would be 2, and the CHECK refuses that).
    expect(await visits(db)).toEqual({ '1': ROWS });
    expect(await ledgerRow(db, backfill.id)).toEqual({ status: 'applied', steps_done: STEPS, steps_total: STEPS, batch_key: null, error: null });
    expect(await history(db)).toEqual([`up ${first.id}`, `up ${backfill.id}`]);
    console.log(`killed mid-backfill, then resumed (PostgreSQL 18, ${ROWS.toLocaleString('en-US')} rows):\n${[...log, (failed as Error).message, '--- the next run ---', ...again].join('\n')}`);
  }, 120_000);

  test('a row that breaks a CHECK stops the deploy naming the migration, the step and the key reached; a row held by another session stops it after the lock retries; fixed, the next run resumes there', async () => {
    await withCandles(db, 30_000);
    // Visited once already (by hand, say): the backfill's increment breaks CHECK (backfills <= 1) in the batch after id 20000.
    await db.query('UPDATE datahub.klines SET backfills = 1 WHERE id = 25001');
    const failed = await convergeOn(db, { plan: deployedPlan(files.migrations) }).catch((error: unknown) => error);
    expect((failed as Error).message).toBe(
      `datahub: migration ${backfill.id} step 2 of ${STEPS} (line ${stepLine()}) failed in the backfill of datahub.klines after id 20000: ` +
        'new row for relation "klines" violates check constraint "klines_backfilled_once" (SQLSTATE 23514); Failing row contains (25001, S1, 1.50000000, 54.00000000, 2, 81.00000000). ' +
        `The batches up to id 20000 are committed; the ledger records ${backfill.id} as in progress at step 2 of ${STEPS}: once the cause is fixed, the next deploy resumes the backfill after id 20000 (no resolve needed)`,
    );
    expect(await ledgerRow(db, backfill.id)).toEqual({
      status: 'partial',
      steps_done: 1,
      steps_total: STEPS,
      batch_key: '20000',
      error: expect.stringMatching(/^the backfill of datahub\.klines stopped after id 20000: new row for relation "klines" violates check constraint "klines_backfilled_once" \(SQLSTATE 23514\)/),
    });
    expect(await history(db)).toEqual([`up ${first.id}`, `failed ${backfill.id}`]);
    expect(await visits(db)).toEqual({ '0': 10_000 - 1, '1': 20_000 + 1 });

    // The fix; then a session holds a row of the next batch: the resumed batch waits for it, times out on each try, and stops.
    await db.query('UPDATE datahub.klines SET backfills = 0 WHERE id = 25001');
    const holder = await connected(db);
    await holder.query('BEGIN');
    await holder.query("UPDATE datahub.klines SET symbol = 'HELD' WHERE id = 26001");
    const waiting = await convergeOn(db, { plan: deployedPlan(files.migrations), lockTimeoutMs: 100, lockRetries: { retries: 1, backoffMs: 50, maxBackoffMs: 50 } }).catch((error: unknown) => error);
    expect((waiting as Error).message).toBe(
      `datahub: migration ${backfill.id} step 2 of ${STEPS} (line ${stepLine()}) failed in the backfill of datahub.klines after id 20000: canceling statement due to lock timeout (SQLSTATE 55P03); while updating tuple ${await tid(db, 26001)} in relation "klines". ` +
        'The batch waited 100 ms for row locks on each of 2 tries: end or wait for the session holding them (see pg_stat_activity), or change migrations.lockTimeoutMs / migrations.lockRetries of this environment. ' +
        `The batches up to id 20000 are committed; the ledger records ${backfill.id} as in progress at step 2 of ${STEPS}: once the cause is fixed, the next deploy resumes the backfill after id 20000 (no resolve needed)`,
    );
    expect(await ledgerRow(db, backfill.id)).toMatchObject({ status: 'partial', steps_done: 1, batch_key: '20000' });
    await holder.query('COMMIT');
    await holder.end();
    const log: string[] = [];
    expect((await convergeOn(db, { plan: deployedPlan(files.migrations) }, log)).applied).toEqual([backfill.id]);
    expect(log).toContain('datahub: resuming the backfill of datahub.klines after id 20000 (the last batch the ledger records as committed)');
    expect(await visits(db)).toEqual({ '1': 30_000 });
    expect(await ledgerRow(db, backfill.id)).toEqual({ status: 'applied', steps_done: STEPS, steps_total: STEPS, batch_key: null, error: null });
    expect(await history(db)).toEqual([`up ${first.id}`, `failed ${backfill.id}`, `failed ${backfill.id}`, `up ${backfill.id}`]);
  }, 60_000);

  test('SIGTERM to the runner process (node runner.js, as Terraform starts it) stops the backfill after the batch in flight; the next deploy resumes', async () => {
    await withCandles(db, ROWS);
    const manifest = manifestText(migrationPlan('datahub', 'datahub_owner', files.migrations), files.migrations);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'bedrock-batched-')), 'manifest.json');
    writeFileSync(file, manifest);
    const child = spawn(process.execPath, [runnerBundle(), '--manifest', file, '--expect', checksumOf(manifest)], { env: { ...process.env, DATABASE_URL: db.url }, stdio: 'pipe' });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('datahub: backfill datahub.klines started:') && !child.killed) child.kill('SIGTERM');
    });
    expect(await exited).toBe(1);
    expect(out).toContain('datahub: SIGTERM: the backfill of datahub.klines stops after the batch in flight (SIGTERM again ends the process at once)');
    const message = new RegExp(
      `^datahub: migration ${backfill.id} step 2 of ${STEPS} \\(line ${stepLine()}\\) stopped on SIGTERM, in the backfill of datahub\\.klines (after id (\\d+)|before its first batch); ` +
        `the ledger records ${backfill.id} as in progress at step 2 of ${STEPS}: the next deploy resumes the backfill (after id \\d+|from its first key) \\(no resolve needed\\)\\n$`,
    );
    expect(err).toMatch(message);
    const lastKey = message.exec(err)![2];
    const row = await ledgerRow(db, backfill.id);
    expect(row).toMatchObject({ status: 'partial', steps_done: 1, batch_key: lastKey ?? null });
    expect(await visits(db, 'backfills = 1')).toEqual(lastKey === undefined ? {} : { '1': Number(lastKey) });

    expect((await convergeOn(db, { plan: deployedPlan(files.migrations) })).applied).toEqual([backfill.id]);
    expect(await visits(db)).toEqual({ '1': ROWS });
    console.log(`SIGTERM: ${err.trim()}`);
  }, 120_000);
});

describe('the plan of a batched data section', () => {
  test('the batched step carries its rendered batch statements, and round-trips through the manifest (format 3; a plan without one stays format 2)', () => {
    const plan = migrationPlan('datahub', 'datahub_owner', files.migrations);
    const step = plan.migrations[1].upSteps[1];
    const statement = batchedStatement(BACKFILL, { schema: 'datahub', table: 'klines', key: 'id' });
    expect(step).toEqual({
      transactional: true,
      sql: DATA_SECTION.slice(1).join('\n'),
      tables: ['"datahub"."klines"'],
      retrySafe: true,
      offline: false,
      line: stepLine(),
      batch: { table: { schema: 'datahub', name: 'klines' }, key: 'id', size: 10_000, first: statement.first, next: statement.next },
    });
    expect(step.batch!.first).toBe('UPDATE "datahub"."klines" SET "quote_volume" = ("volume" * "close"), "backfills" = ("backfills" + 1) WHERE ("klines"."id" <= $1)');
    expect(step.batch!.next).toBe('UPDATE "datahub"."klines" SET "quote_volume" = ("volume" * "close"), "backfills" = ("backfills" + 1) WHERE (("klines"."id" > $1) AND ("klines"."id" <= $2))');
    const text = manifestText(plan, files.migrations);
    expect(JSON.parse(text).format).toBe(3);
    expect(planFromManifest(text, checksumOf(text))).toEqual(plan);
    const plain = manifestText(migrationPlan('datahub', 'datahub_owner', [first]), [first]);
    expect(JSON.parse(plain).format).toBe(2);
  });

  /** The manifest with its batched step changed by `change`, written as manifestText writes it. */
  function altered(text: string, change: (batch: { size: number; first: string; next: string }) => void): string {
    const manifest = JSON.parse(text);
    change(manifest.migrations[1].upSteps[1].batch);
    return `${JSON.stringify(manifest)}\n`;
  }

  test('a manifest whose batch statements were altered is refused by the checksum the plan shows', () => {
    const text = manifestText(migrationPlan('datahub', 'datahub_owner', files.migrations), files.migrations);
    // Every row in every batch: the upper bound dropped.
    const forged = altered(text, (batch) => (batch.next = batch.next.replace(' AND ("klines"."id" <= $2)', '')));
    expect(forged).not.toBe(text);
    expect(JSON.parse(forged).migrations[1].upSteps[1].batch.next).toBe('UPDATE "datahub"."klines" SET "quote_volume" = ("volume" * "close"), "backfills" = ("backfills" + 1) WHERE (("klines"."id" > $1))');
    expect(() => planFromManifest(forged, checksumOf(text))).toThrow(
      `REFUSED: the migrations to run (sha256 ${checksumOf(forged)}) are not the ones the plan showed (sha256 ${checksumOf(text)}): re-run cdktf synth and review the plan again`,
    );
  });

  test('a batch declaration its file does not make is refused; so is a format this runner does not read', () => {
    const text = manifestText(migrationPlan('datahub', 'datahub_owner', files.migrations), files.migrations);
    const forged = altered(text, (batch) => (batch.size = 100_000));
    expect(() => planFromManifest(forged, checksumOf(forged))).toThrow(
      `REFUSED: ${backfill.id}: the manifest's batched step at line ${stepLine()} is not declared in its file ("-- +data batched datahub.klines key id size 100000"): re-run cdktf synth`,
    );
    const future = text.replace('"format":3', '"format":4');
    expect(() => planFromManifest(future, checksumOf(future))).toThrow('REFUSED: the manifest is in format 4, this runner reads format 2 or 3: re-run cdktf synth with this version');
  });

  test('a batched data section in a down is refused at synth, naming the file and line', () => {
    const id = '20260101_000000_datahub_batched_down';
    const lines = ['-- service: datahub', '-- parent: none', '', '-- +up', '-- +step', 'SELECT 1;', '', '-- +down', '-- +data batched datahub.klines key id size 100', 'DELETE FROM datahub.klines;', ''];
    const migration = parseMigration(`${id}.sql`, lines.join('\n'));
    const plan = migrationPlan('datahub', 'datahub_owner', [migration]);
    expect(() => manifestText(plan, [migration])).toThrow(
      `datahub: ${id}.sql: line 10: a batched data section in the down: the runner runs batches only in an up (a rollback runs from the ledger's stored steps); write the down's data as a "-- +data" section (one transaction)`,
    );
  });
});

describe('the ledger', () => {
  const db = useTestDatabase();

  beforeAll(async () => {
    await prepareServices(db, ['datahub']);
  });

  test('a version-4 ledger (no batch_key) is upgraded to version 5 by the next deploy, its rows kept', async () => {
    await withCandles(db, 1_000);
    // Version 4 is version 5 without its column.
    await db.query('ALTER TABLE bedrock.migrations DROP COLUMN batch_key');
    const before = await db.query(`SELECT id, status, checksum, applied_at, steps_done FROM bedrock.migrations ORDER BY id`);
    expect(before.rows.map((r) => r.id)).toEqual([first.id]);
    expect((await convergeOn(db, { plan: deployedPlan(files.migrations) })).applied).toEqual([backfill.id]);
    const column = await db.query(`SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'bedrock.migrations'::regclass AND attname = 'batch_key' AND NOT attisdropped`);
    expect(column.rows).toEqual([{ type: 'text' }]);
    const after = await db.query(`SELECT id, status, checksum, applied_at, steps_done FROM bedrock.migrations ORDER BY id`);
    expect(after.rows[0]).toEqual(before.rows[0]);
    expect(after.rows.map((r) => [r.id, r.status])).toEqual([
      [first.id, 'applied'],
      [backfill.id, 'applied'],
    ]);
    expect(await visits(db)).toEqual({ '1': 1_000 });
  });
});
