// What the runner tells while it works, on real PostgreSQL: a line when each migration and each
// step starts, before the line when it ends; while a step runs longer than the progress
// interval, how long it has run, and nothing more once it has ended, however it ended; and a
// deploy waiting for the service's lock is told since when the holder holds it (the time the
// holder published when it took the lock, not when it connected), on PostgreSQL 18 and 14.
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { ConvergeOptions } from '../../lib/runner/converge-options';
import { MigrationPlan, PlannedMigration, PlannedStep } from '../../lib/runner/planned-migration';
import { converge, RunnerError } from '../../lib/runner/runner';
import { lockedAt } from '../../lib/runner/runner-name';
import { advisoryLockHolder, lockService, unlockService } from '../../lib/runner/service-lock';
import { hasTestServer, TestDatabase, useTestDatabase } from '../support/database';
import { prepareServices } from '../support/platform';

const db = useTestDatabase();
const db14 = useTestDatabase(14);
const has14 = hasTestServer(14);
if (!has14) console.log('SKIPPED: PostgreSQL 14 is not available: the lock holder time was checked on 18 only');

const KLINES = '"datahub"."klines"';
const FAST = { lockTimeoutMs: 200, statementTimeoutMs: 20_000, lockWaitMs: 10_000, lockRetries: { retries: 3, backoffMs: 100, maxBackoffMs: 400 } };
const INTERVAL_MS = 300;

function step(sql: string, extra: Partial<PlannedStep> = {}): PlannedStep {
  return { transactional: true, sql, tables: [KLINES], retrySafe: true, offline: false, line: 10, ...extra };
}

function createIndexStep(name: string, columns: string): PlannedStep {
  return step(`CREATE INDEX CONCURRENTLY ${name} ON datahub.klines (${columns})`, { transactional: false, index: { schema: 'datahub', name, action: 'create' } });
}

function migration(id: string, upSteps: PlannedStep[], downSteps: PlannedStep[] = [step('SELECT 1;')]): PlannedMigration {
  const up = upSteps.map((s) => s.sql).join('\n');
  const down = downSteps.map((s) => s.sql).join('\n');
  const checksum = createHash('sha256').update(`${id}\n${up}\n${down}`).digest('hex');
  return { id, checksum, transactional: upSteps.some((s) => s.transactional), up, down, upSteps, downSteps };
}

const plan = (...migrations: PlannedMigration[]): MigrationPlan => ({ service: 'datahub', ownerRole: 'datahub_owner', schema: 'datahub', migrations });

async function connected(database: TestDatabase, applicationName?: string): Promise<Client> {
  const client = new Client({ connectionString: database.url, ...(applicationName ? { application_name: applicationName } : {}) });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

type Options = Omit<ConvergeOptions, 'allowDowngrades' | 'log'> & { allowDowngrades?: boolean };

/** Converges on `client`, every line into `log` with the time it came. */
function convergeWith(client: Client, options: Options, log: Line[]): ReturnType<typeof converge> {
  return converge(client, { allowDowngrades: false, ...FAST, ...options, log: (text) => log.push({ text, at: Date.now() }) });
}

interface Line {
  readonly text: string;
  readonly at: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it is true (at most 10 s). */
async function waitFor(what: string, probe: () => Promise<boolean>): Promise<void> {
  for (const deadline = Date.now() + 10_000; !(await probe()); await sleep(20)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

/** The session's pid and when it connected, by the server's clock. */
async function sessionOf(database: TestDatabase, client: Client): Promise<{ pid: number; backendStart: Date }> {
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  const { rows } = await database.query<{ backend_start: Date }>('SELECT backend_start FROM pg_stat_activity WHERE pid = $1', [pid]);
  return { pid, backendStart: rows[0].backend_start };
}

/** A fresh datahub: klines with 1000 rows. */
async function freshDatahub(database: TestDatabase): Promise<void> {
  await database.query(`DROP SCHEMA IF EXISTS bedrock CASCADE; DROP SCHEMA IF EXISTS datahub CASCADE; CREATE SCHEMA datahub AUTHORIZATION datahub_owner`);
  await database.query(`SET ROLE datahub_owner;
    CREATE TABLE datahub.klines (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, symbol text NOT NULL, price numeric NOT NULL) WITH (autovacuum_enabled = false);
    INSERT INTO datahub.klines (symbol, price) SELECT 'S' || g, g FROM generate_series(1, 1000) g;
    RESET ROLE`);
}

beforeAll(async () => {
  await prepareServices(db, ['datahub']);
  if (has14) await prepareServices(db14, ['datahub']);
});

beforeEach(() => freshDatahub(db));

describe('start lines', () => {
  test('a migration and each of its steps say they started before they say they ended, up and down, with no statement text', async () => {
    const m = migration(
      '20260101_000000_datahub_progress',
      [step('ALTER TABLE datahub.klines ADD COLUMN volume numeric;'), step(`COMMENT ON COLUMN datahub.klines.volume IS 'secret 42';`), createIndexStep('klines_volume_idx', 'volume')],
      [step('DROP INDEX datahub.klines_volume_idx;'), step('ALTER TABLE datahub.klines DROP COLUMN volume;')],
    );
    const client = await connected(db);
    const log: Line[] = [];
    try {
      await convergeWith(client, { plan: plan(m) }, log);
      await convergeWith(client, { plan: plan(), allowDowngrades: true }, log);
    } finally {
      await client.end();
    }
    const lines = log.map((l) => l.text.replace(/\d+ ms/, 'N ms'));
    expect(lines).toEqual([
      `datahub: applying ${m.id} (3 steps: 2 transactional, 1 outside a transaction)`,
      `datahub: step 1/3 of ${m.id} started (in a transaction)`,
      `datahub: ${m.id} step 1/3 in N ms`,
      `datahub: step 2/3 of ${m.id} started (in a transaction)`,
      `datahub: ${m.id} step 2/3 in N ms`,
      `datahub: step 3/3 of ${m.id} started (outside a transaction)`,
      `datahub: ${m.id} step 3/3 (outside a transaction) in N ms`,
      `datahub: applied ${m.id} in N ms`,
      `datahub: at ${m.id} (1 applied, 0 rolled back) in N ms`,
      `datahub: rolling back ${m.id} (2 steps: 2 transactional)`,
      `datahub: down step 1/2 of ${m.id} started (in a transaction)`,
      `datahub: ${m.id} down step 1/2 in N ms`,
      `datahub: down step 2/2 of ${m.id} started (in a transaction)`,
      `datahub: ${m.id} down step 2/2 in N ms`,
      `datahub: rolled back ${m.id} in N ms`,
      `datahub: at no migration (0 applied, 1 rolled back) in N ms`,
    ]);
    // Well under the default interval (30 s): no step printed that it was still running.
    expect(lines.join('\n')).not.toMatch(/still running|secret|ALTER|COMMENT|CREATE/);
  });

  test('a migration of one step: one line when it starts, one when it ends', async () => {
    const m = migration('20260101_000000_datahub_one', [step('ALTER TABLE datahub.klines ADD COLUMN note text;')]);
    const client = await connected(db);
    const log: Line[] = [];
    try {
      await convergeWith(client, { plan: plan(m) }, log);
    } finally {
      await client.end();
    }
    expect(log.map((l) => l.text.replace(/\d+ ms/, 'N ms'))).toEqual([`datahub: applying ${m.id}`, `datahub: applied ${m.id} in N ms`, `datahub: at ${m.id} (1 applied, 0 rolled back) in N ms`]);
  });
});

describe('a long step', () => {
  test('CREATE INDEX CONCURRENTLY waiting behind an open transaction prints how long it has run, once per interval, and nothing after it ends', async () => {
    const m = migration('20260101_000000_datahub_slow_index', [step('CREATE TABLE datahub.symbols (name text PRIMARY KEY);', { tables: [] }), createIndexStep('klines_price_idx', 'price')]);
    // A writer's open transaction: the concurrent build waits for it to end.
    const writer = await connected(db, 'bedrock-test-writer');
    await writer.query(`BEGIN; INSERT INTO datahub.klines (symbol, price) VALUES ('W', 1)`);
    const client = await connected(db);
    const log: Line[] = [];
    let ended = 0;
    try {
      const running = convergeWith(client, { plan: plan(m), progressIntervalMs: INTERVAL_MS }, log).then((result) => {
        ended = Date.now();
        return result;
      });
      running.catch(() => undefined);
      await waitFor('the index build to wait for the writer', async () => {
        const { rowCount } = await db.query(`SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'bedrock-runner datahub %' AND wait_event_type = 'Lock' AND query LIKE 'CREATE INDEX CONCURRENTLY%'`);
        return rowCount === 1;
      });
      await sleep(1_500);
      await writer.query('COMMIT');
      expect((await running).applied).toEqual([m.id]);
      const atEnd = log.length;
      await sleep(3 * INTERVAL_MS);
      // The timer was cleared with the step: nothing came after converge returned.
      expect(log.length).toBe(atEnd);
    } finally {
      await writer.end();
      await client.end();
    }
    const texts = log.map((l) => l.text);
    const started = texts.indexOf(`datahub: step 2/2 of ${m.id} started (outside a transaction)`);
    const finished = texts.findIndex((t) => t.startsWith(`datahub: ${m.id} step 2/2 (outside a transaction) in `));
    const still = log.filter((l) => l.text.includes('still running'));
    expect(started).toBeGreaterThan(0);
    // About 1.5 s at 300 ms: at least three, every one between the step's start and end lines.
    expect(still.length).toBeGreaterThanOrEqual(3);
    for (const line of still) {
      expect(line.text).toMatch(new RegExp(`^datahub: step 2/2 of ${m.id} still running after \\d+\\.\\d s$`));
      expect(texts.indexOf(line.text)).toBeGreaterThan(started);
      expect(texts.indexOf(line.text)).toBeLessThan(finished);
      expect(line.at).toBeLessThanOrEqual(ended);
    }
    const seconds = still.map((l) => Number(/after ([\d.]+) s$/.exec(l.text)![1]));
    expect(seconds).toEqual([...seconds].sort((a, b) => a - b));
    expect(seconds[0]).toBeGreaterThanOrEqual(0.2);
    expect(seconds[seconds.length - 1]).toBeGreaterThanOrEqual(1);
  });

  test('a single-statement migration that fails after running long: the lines name the migration, and stop with the failure', async () => {
    const m = migration('20260101_000000_datahub_slow_failure', [step('SELECT pg_sleep(1);\nSELECT 1 / 0;')]);
    const client = await connected(db);
    const log: Line[] = [];
    try {
      await expect(convergeWith(client, { plan: plan(m), progressIntervalMs: INTERVAL_MS }, log)).rejects.toThrow(/division by zero/);
      const atEnd = log.length;
      await sleep(3 * INTERVAL_MS);
      expect(log.length).toBe(atEnd);
    } finally {
      await client.end();
    }
    const still = log.filter((l) => l.text.includes('still running')).map((l) => l.text);
    expect(still.length).toBeGreaterThanOrEqual(2);
    for (const line of still) expect(line).toMatch(new RegExp(`^datahub: ${m.id} still running after \\d+\\.\\d s$`));
    expect(log[0].text).toBe(`datahub: applying ${m.id}`);
  });

  test('a step whose session is terminated: the lines stop with the lost connection', async () => {
    const m = migration('20260101_000000_datahub_terminated', [step('SELECT pg_sleep(10);')]);
    const client = await connected(db);
    const log: Line[] = [];
    try {
      const running = convergeWith(client, { plan: plan(m), progressIntervalMs: INTERVAL_MS }, log);
      running.catch(() => undefined);
      await waitFor('the runner to be inside the step', async () => log.some((l) => l.text.includes('still running')));
      await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'bedrock-runner datahub %' AND query LIKE '%pg_sleep(10)%'`);
      await expect(running).rejects.toThrow(RunnerError);
      await expect(running).rejects.toThrow(/the connection was lost while applying/);
      const atEnd = log.length;
      await sleep(3 * INTERVAL_MS);
      expect(log.length).toBe(atEnd);
    } finally {
      await client.end().catch(() => undefined);
    }
  });

  test('a progress interval that is no whole number of ms above 0 is refused before anything runs', async () => {
    const client = await connected(db);
    try {
      await expect(convergeWith(client, { plan: plan(), progressIntervalMs: 0 }, [])).rejects.toThrow('datahub: progressIntervalMs 0: give a whole number of milliseconds above 0 (default 30000)');
    } finally {
      await client.end();
    }
    expect((await db.query(`SELECT to_regclass('bedrock.migrations') AS t`)).rows[0].t).toBeNull();
  });
});

describe.each([
  ['18', db, true],
  ['14', db14, has14],
])('the lock holder (PostgreSQL %s)', (version, database, available) => {
  (available ? test : test.skip)('a second deploy is told when the first took the lock, not when it connected, and the holder keeps saying so after an outside step', async () => {
    await freshDatahub(database);
    const m = migration('20260101_000000_datahub_held', [createIndexStep('klines_symbol_idx', 'symbol'), step('SELECT pg_sleep(2);', { tables: [] })]);
    const first = await connected(database);
    const second = await connected(database);
    try {
      const holder = await sessionOf(database, first);
      await sleep(1_500);
      const before = (await database.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0].t;
      const firstLog: Line[] = [];
      const running = convergeWith(first, { plan: plan(m) }, firstLog);
      running.catch(() => undefined);
      // Past the index step (outside a transaction, after which the runner re-pins its session).
      await waitFor('the first deploy to sleep in step 2', async () => {
        const { rowCount } = await database.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND query LIKE '%pg_sleep(2)%'`, [holder.pid]);
        return rowCount === 1;
      });
      const secondLog: Line[] = [];
      const result = await convergeWith(second, { plan: plan(m) }, secondLog);
      expect((await running).applied).toEqual([m.id]);
      expect(result.applied).toEqual([]);

      const waiting = /^datahub: waiting for another deploy to finish: it holds the migration lock since (\S+) \(for (\d+\.\d) s\): pid (\d+) \(user postgres, application "bedrock-runner datahub locked (\S+)", [^)]+\)$/.exec(secondLog[0].text);
      expect(waiting).not.toBeNull();
      const [, since, forSeconds, pid, published] = waiting!;
      const lockTaken = new Date(since);
      expect(published).toBe(since);
      expect(Number(pid)).toBe(holder.pid);
      expect(lockTaken.getTime()).toBeGreaterThanOrEqual(before.getTime());
      // Not when the holder connected: it connected 1.5 s before it took the lock.
      expect(lockTaken.getTime() - holder.backendStart.getTime()).toBeGreaterThanOrEqual(1_000);
      expect(Number(forSeconds)).toBeGreaterThanOrEqual(0);
      expect(Number(forSeconds)).toBeLessThan(10);
      expect(secondLog[secondLog.length - 1].text).toMatch(/up to date, nothing to do/);
      // Having let the lock go, the first session no longer claims it.
      expect((await first.query(`SELECT current_setting('application_name') AS name`)).rows[0].name).toBe('bedrock-runner datahub');
      expect((await database.query('SELECT version()')).rows[0].version).toMatch(new RegExp(`^PostgreSQL ${version}\\.`));
    } finally {
      await first.end();
      await second.end();
    }
  });
});

describe('a holder that does not publish when it took the lock', () => {
  test('is named with when it connected, saying that the lock came later', async () => {
    const holder = await connected(db, 'an old runner');
    const client = await connected(db);
    try {
      const { pid, backendStart } = await sessionOf(db, holder);
      await holder.query(`SELECT pg_advisory_lock(hashtext('bedrock'), hashtext('datahub'))`);
      await expect(convergeWith(client, { plan: plan(), lockWaitMs: 300 }, [])).rejects.toThrow(
        `datahub: another deploy holds the migration lock: pid ${pid} (user postgres, application "an old runner", ${await hostOf(pid)}, connected since ${backendStart.toISOString()}; ` +
          'not a Bedrock session that publishes when it took the lock (an older runner, or another client): it took it some time after connecting). Waited 0 s; try again when it has finished',
      );
    } finally {
      await holder.end();
      await client.end();
    }
  });
});

describe('the published name', () => {
  test('a service name too long for 63 bytes is shortened; the time stays whole and is read back from pg_stat_activity', async () => {
    const service = `s${'x'.repeat(56)}`;
    const client = await connected(db, `bedrock-runner ${service}`);
    const other = await connected(db);
    try {
      const name = await lockService(client, service, { waitMs: 1_000 });
      expect(name).toMatch(/^bedrock-runner sxxxxxxxxxxxxx\.\. locked \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
      const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const shown = (await db.query('SELECT application_name FROM pg_stat_activity WHERE pid = $1', [pid])).rows[0].application_name;
      expect(shown).toBe(name);
      expect(lockedAt(shown)).toBeInstanceOf(Date);
      const holder = await advisoryLockHolder(other, 'pg_catalog.hashtext($1::text)', [service], 'service');
      expect(holder.since).toMatch(sinceRegExp(lockedAt(shown)!.toISOString()));
      await unlockService(client, service);
      // The time taken off (the name stays cut: it was too long for 63 bytes already).
      expect((await client.query(`SELECT current_setting('application_name') AS name`)).rows[0].name).toBe('bedrock-runner sxxxxxxxxxxxxx..');
    } finally {
      await client.end();
      await other.end();
    }
  });

  test('the command line (adopt, baseline) keeps its own name while it holds the lock, and gets it back', async () => {
    const client = await connected(db, 'bedrock-cli');
    const other = await connected(db);
    try {
      const name = await lockService(client, 'datahub', { waitMs: 1_000 });
      expect(name).toMatch(/^bedrock-cli locked \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const holder = await advisoryLockHolder(other, 'pg_catalog.hashtext($1::text)', ['datahub'], 'service');
      expect(holder.since).toMatch(sinceRegExp(name.slice('bedrock-cli locked '.length)));
      expect(holder.who).toMatch(/^pid \d+ \(user postgres, application "bedrock-cli locked [^"]+", [^)]+\)$/);
      await unlockService(client, 'datahub');
      expect((await client.query(`SELECT current_setting('application_name') AS name`)).rows[0].name).toBe('bedrock-cli');
    } finally {
      await client.end();
      await other.end();
    }
  });

  test('a name that only looks like a runner\'s gives no time', () => {
    expect(lockedAt('bedrock-runner datahub locked 2026-13-01T10:00:00.000Z')).toBeUndefined();
    expect(lockedAt('psql locked 2026-01-01T10:00:00.000Z')).toBeUndefined();
    expect(lockedAt('bedrock-runner datahub')).toBeUndefined();
    expect(lockedAt('bedrock-runner datahub locked 2026-01-01T10:00:00.000Z')?.toISOString()).toBe('2026-01-01T10:00:00.000Z');
    expect(lockedAt('bedrock-cli locked 2026-01-01T10:00:00.000Z')?.toISOString()).toBe('2026-01-01T10:00:00.000Z');
  });
});

/** How the holder line names where a session connects from. */
async function hostOf(pid: number): Promise<string> {
  const { rows } = await db.query(`SELECT coalesce(host(client_addr), 'local socket') AS host FROM pg_stat_activity WHERE pid = $1`, [pid]);
  return rows[0].host;
}

/** `since <time> (for N.N s)`, the time exactly `iso`. */
function sinceRegExp(iso: string): RegExp {
  return new RegExp(`^since ${iso.replace(/\./g, '\\.')} \\(for \\d+\\.\\d s\\)$`);
}
