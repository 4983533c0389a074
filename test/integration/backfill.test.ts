// The batch executor of a batched data section (lib/runner/backfill.ts) on real PostgreSQL 18
// and 14: a backfill of 1,000,000 rows in batches of 10,000 while four connections insert rows
// and update random old ones. The run is killed mid-way (its backend terminated inside a batch,
// after the batch persisted its key in its own transaction), then resumed from the persisted key
// on a new connection. Every row is backfilled exactly once (a counter the statement increments
// is 1 on every row), no write stalls longer than one batch's transaction, progress lines are
// printed. Then, on a small table, what ends a run otherwise: an error from onBatch, a statement
// error, shouldStop, a lock held on a row (retried), and a text key.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { quoteIdentifier } from '../../lib';
import { batchedStatement } from '../../lib/sql/batched-statement';
import { BackfillError, BackfillOptions, BackfillProgress, runBackfill } from '../../lib/runner/backfill';
import { hasTestServer, TestServer, useTestDatabase } from '../support/database';
import { startWriteLoad } from '../support/write-load';

const ROWS = 1_000_000;
const SIZE = 10_000;
/** The batch whose transaction the test kills (of 100). */
const KILLED_BATCH = 30;
/** The runner's default lock timeout: a batch waiting longer for a row lock is retried. */
const LOCK_TIMEOUT_MS = 500;
/**
 * What a write may take beyond the longest batch transaction it can wait for: its own one-row
 * statement and the wake-up after the batch commits. Measured over four runs of this file on 18
 * and 14: the longest write took 57 to 248 ms, each time below the longest batch transaction
 * (242 to 386 ms), so no margin was used; 250 ms leaves room for a loaded machine. The control
 * below shows what it bounds: the same UPDATE in one transaction over 300,000 rows stalled a
 * write for 941 of its 976 ms and 987 of 1,125 ms.
 */
const WRITE_MARGIN_MS = 250;

const BACKFILL = 'UPDATE datahub.klines SET volume = close * 2, backfilled = backfilled + 1';
const TARGET = { schema: 'datahub', table: 'klines', key: 'id' };
const PROGRESS = /^datahub: backfill datahub\.klines: [\d,]+ of ~[\d,]+ rows \(\d{1,2}%\), [\d,.]+ rows\/s, (<1 s|~\d+ s|~\d+ min) left$/;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function backfillOn(server: 18 | 14): void {
  const key: TestServer = server === 18 ? 'default' : server;
  const available = hasTestServer(key);
  const owner = `backfill_owner_${randomBytes(4).toString('hex')}`;
  // Before useTestDatabase's own (hooks run in the order they are declared): the role outlives the database.
  afterAll(async () => {
    if (!available) return;
    await db.query(`DROP SCHEMA datahub CASCADE; DROP OWNED BY ${quoteIdentifier(owner)}; DROP ROLE ${quoteIdentifier(owner)}`);
  });
  const db = useTestDatabase(key);
  if (!available) console.log(`SKIPPED: PostgreSQL ${server} is not available (optional dependency postgresql-${server}-binaries): the backfill was not proven on ${server}`);
  const it = available ? test : test.skip;

  const connect = async (): Promise<Client> => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    client.on('error', () => undefined); // a terminated backend arrives as an event too
    return client;
  };

  beforeAll(async () => {
    if (!available) return;
    await db.query(`CREATE ROLE ${quoteIdentifier(owner)} NOLOGIN`);
    await db.query(`CREATE SCHEMA datahub AUTHORIZATION ${quoteIdentifier(owner)}`);
    // Where a runner keeps the key (the ledger's part in the real thing), written by the deploying user.
    await db.query('CREATE TABLE public.backfill_position (name text PRIMARY KEY, last_key text NOT NULL, batches integer NOT NULL)');
    await db.query(
      `CREATE TABLE datahub.klines (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, close numeric(20,8) NOT NULL, volume numeric(20,8), backfilled integer NOT NULL DEFAULT 0, note text);
       INSERT INTO datahub.klines (close) SELECT (i % 1000) + 0.5 FROM generate_series(1, ${ROWS}) AS i;
       ANALYZE datahub.klines;
       ALTER TABLE datahub.klines OWNER TO ${quoteIdentifier(owner)};`,
    );
  }, 120_000);

  it(`PostgreSQL ${server}: 1,000,000 rows in batches of 10,000 under concurrent writes, killed in batch ${KILLED_BATCH} and resumed: every row once, no write stalled beyond a batch`, async () => {
    const statement = batchedStatement(BACKFILL, TARGET);
    const lines: string[] = [];
    const admin = await connect();
    const writers = startWriteLoad(connect, {
      connections: 4,
      pauseMs: 2,
      insert: (n) => ({ text: 'INSERT INTO datahub.klines (close, volume) VALUES ($1, $1::numeric * 2) RETURNING id', values: [n % 1000] }),
      // An old row, anywhere in the table: some fall in the batch being written and wait for it.
      update: (_id, n) => ({ text: 'UPDATE datahub.klines SET note = $2 WHERE id = $1', values: [1 + ((n * 7919) % ROWS), `w${n}`] }),
      updateEvery: 2,
    });
    await sleep(200);
    /** When each batch reached onBatch: the longest gap is the longest a batch's transaction can have lasted. */
    const marks: number[] = [Date.now()];
    const options = (client: Client, kill?: number): BackfillOptions => ({
      service: 'datahub',
      role: owner,
      lockTimeoutMs: LOCK_TIMEOUT_MS,
      statementTimeoutMs: 60_000,
      progressIntervalMs: 1_000,
      log: (line) => lines.push(line),
      async onBatch(progress: BackfillProgress, tx) {
        marks.push(Date.now());
        await tx.query(
          `INSERT INTO public.backfill_position (name, last_key, batches) VALUES ('klines', $1, 1)
           ON CONFLICT (name) DO UPDATE SET last_key = excluded.last_key, batches = backfill_position.batches + 1`,
          [progress.lastKey],
        );
        if (progress.batch === kill) {
          // The deploy dies with this batch's rows and key written, not committed.
          const pid = (client as unknown as { processID: number }).processID;
          await admin.query('SELECT pg_terminate_backend($1, 5000)', [pid]);
        }
      },
    });

    const started = Date.now();
    const first = await connect();
    let killed: unknown;
    try {
      await runBackfill(first, { table: { schema: 'datahub', name: 'klines' }, key: 'id', size: SIZE, statement }, options(first, KILLED_BATCH));
    } catch (error) {
      killed = error;
    } finally {
      await first.end().catch(() => undefined);
    }
    expect(killed).toBeInstanceOf(BackfillError);
    expect((killed as BackfillError).message).toMatch(new RegExp(`^datahub: backfill datahub\\.klines: the connection was lost in batch ${KILLED_BATCH} \\(after id \\d+\\)`));
    // The key persisted is the last committed batch's: the killed batch's key went with its rows.
    const persisted = (await db.query<{ last_key: string; batches: number }>(`SELECT last_key, batches FROM public.backfill_position WHERE name = 'klines'`)).rows[0];
    expect(persisted).toEqual({ last_key: String((KILLED_BATCH - 1) * SIZE), batches: KILLED_BATCH - 1 });
    expect(persisted.last_key).toBe((killed as BackfillError).lastKey);
    const halfway = await db.query<{ done: string; twice: string }>(`SELECT count(*) FILTER (WHERE backfilled = 1) AS done, count(*) FILTER (WHERE backfilled > 1) AS twice FROM datahub.klines WHERE id <= ${ROWS}`);
    expect(halfway.rows[0]).toEqual({ done: String((KILLED_BATCH - 1) * SIZE), twice: '0' });

    const second = await connect();
    let result;
    try {
      result = await runBackfill(second, { table: { schema: 'datahub', name: 'klines' }, key: 'id', size: SIZE, statement, from: persisted.last_key }, options(second));
    } finally {
      await second.end();
    }
    const elapsed = Date.now() - started;
    await sleep(200);
    const writes = await writers.stop();
    await admin.end();

    expect(result.done).toBe(true);
    const rows = await db.query<{ original: string; once: string; wrong: string; twice: string }>(
      `SELECT count(*) FILTER (WHERE id <= ${ROWS}) AS original,
              count(*) FILTER (WHERE id <= ${ROWS} AND backfilled = 1 AND volume = close * 2) AS once,
              count(*) FILTER (WHERE volume IS DISTINCT FROM close * 2) AS wrong,
              count(*) FILTER (WHERE backfilled > 1) AS twice
         FROM datahub.klines`,
    );
    expect(rows.rows[0]).toEqual({ original: String(ROWS), once: String(ROWS), wrong: '0', twice: '0' });
    expect((await db.query(`SELECT last_key FROM public.backfill_position`)).rows[0].last_key).toBe(result.lastKey);

    // The writers: none failed; the longest waited at most one batch's transaction.
    const longestBatch = Math.max(...marks.slice(1).map((mark, i) => mark - marks[i]));
    console.log(
      `PostgreSQL ${server}: backfill of ${ROWS.toLocaleString('en-US')} rows in ${elapsed} ms (resumed after batch ${KILLED_BATCH - 1}); ` +
        `${writes.writes} writes (${writes.inserts} inserts, ${writes.updates} updates), longest write ${writes.maxLatencyMs.toFixed(1)} ms (p99 ${writes.p99LatencyMs.toFixed(1)} ms), longest batch ${longestBatch} ms\n${lines.join('\n')}`,
    );
    expect(writes.errors).toEqual({ count: 0, bySqlState: {}, samples: [] });
    expect(writes.updates).toBeGreaterThan(100);
    expect(writes.maxLatencyMs).toBeLessThan(longestBatch + WRITE_MARGIN_MS);
    expect(writes.maxLatencyMs).toBeLessThan(elapsed / 5);

    // Progress: a start line each run (the second says where it resumes), lines in between, a done line.
    expect(lines[0]).toMatch(/^datahub: backfill datahub\.klines started: ~[\d,]+ rows in batches of 10,000 by id$/);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^datahub: backfill datahub\\.klines started: ~[\\d,]+ rows in batches of 10,000 by id, resuming after id ${persisted.last_key}$`)));
    expect(lines.filter((line) => PROGRESS.test(line)).length).toBeGreaterThanOrEqual(2);
    expect(lines[lines.length - 1]).toMatch(/^datahub: backfill datahub\.klines done: [\d,]+ rows \([\d,]+ changed in this run\) in \d+ batch\(es\), \d+\.\d s$/);
    // The resumed run counts the rows before its key (the planner's estimate) in its progress.
    const resumedFirst = lines.find((line, i) => i > 0 && PROGRESS.test(line) && lines.slice(0, i).some((l) => l.includes('resuming after')))!;
    const done = Number(/: ([\d,]+) of/.exec(resumedFirst)![1].replace(/,/g, ''));
    expect(done).toBeGreaterThan((KILLED_BATCH - 1) * SIZE * 0.8);
    expect(done).toBeLessThan((KILLED_BATCH + 1) * SIZE * 1.2);
    const estimated = Number(/ of ~([\d,]+) rows/.exec(resumedFirst)![1].replace(/,/g, ''));
    expect(estimated).toBeGreaterThan(ROWS * 0.9);
    expect(estimated).toBeLessThan(ROWS * 1.15);
  }, 180_000);
}

describe('PostgreSQL 18', () => backfillOn(18));
describe('PostgreSQL 14', () => backfillOn(14));

describe('what ends a run, on a small table (PostgreSQL 18)', () => {
  const owner = `backfill_small_${randomBytes(4).toString('hex')}`;
  afterAll(async () => {
    await db.query(`DROP SCHEMA datahub CASCADE; DROP OWNED BY ${quoteIdentifier(owner)}; DROP ROLE ${quoteIdentifier(owner)}`);
  });
  const db = useTestDatabase();
  const SMALL = 20_000;
  const connect = async (): Promise<Client> => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    return client;
  };

  beforeAll(async () => {
    await db.query(`CREATE ROLE ${quoteIdentifier(owner)} NOLOGIN; CREATE SCHEMA datahub AUTHORIZATION ${quoteIdentifier(owner)}`);
  });
  beforeEach(async () => {
    await db.query(
      `DROP TABLE IF EXISTS datahub.klines;
       CREATE TABLE datahub.klines (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, close numeric NOT NULL, volume numeric, backfilled integer NOT NULL DEFAULT 0, note text);
       INSERT INTO datahub.klines (close) SELECT i FROM generate_series(1, ${SMALL}) AS i;
       ALTER TABLE datahub.klines OWNER TO ${quoteIdentifier(owner)};`,
    );
  });

  const backfill = (statement = BACKFILL, from?: string) => ({ table: { schema: 'datahub', name: 'klines' }, key: 'id', size: 1_000, statement: batchedStatement(statement, TARGET), ...(from !== undefined ? { from } : {}) });
  const counts = async () => (await db.query<{ backfilled: number; n: string }>('SELECT backfilled, count(*) AS n FROM datahub.klines GROUP BY backfilled ORDER BY backfilled')).rows.map((r) => [r.backfilled, Number(r.n)]);

  test('an error thrown by onBatch rolls its batch back (rows and key) and ends the run; resuming runs that batch once', async () => {
    const client = await connect();
    let persisted: string | undefined;
    const failed = await runBackfill(client, backfill(), {
      service: 'datahub',
      role: owner,
      onBatch(progress) {
        if (progress.batch === 5) throw new Error('the ledger is full');
        persisted = progress.lastKey;
      },
    }).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(BackfillError);
    expect((failed as BackfillError).message).toBe('datahub: backfill datahub.klines failed in batch 5 (after id 4000): the ledger is full. Batches up to id 4000 are committed; the next run resumes after it');
    expect(persisted).toBe('4000');
    expect(await counts()).toEqual([[0, SMALL - 4_000], [1, 4_000]]);
    const resumed = await runBackfill(client, backfill(BACKFILL, persisted), { service: 'datahub', role: owner });
    await client.end();
    expect(resumed).toMatchObject({ done: true, batches: 16, lastKey: String(SMALL), rowsChanged: SMALL - 4_000 });
    expect(await counts()).toEqual([[1, SMALL]]);
  });

  test('a statement error names the batch, its keys and PostgreSQL\'s error; the batches before it stay committed', async () => {
    const client = await connect();
    const failed = await runBackfill(client, backfill('UPDATE datahub.klines SET volume = close / (id - 2500), backfilled = backfilled + 1'), { service: 'datahub', role: owner }).catch((error: unknown) => error);
    await client.end();
    expect((failed as Error).message).toBe('datahub: backfill datahub.klines failed in batch 3 (after id 2000): division by zero (SQLSTATE 22012). Batches up to id 2000 are committed; the next run resumes after it');
    expect((failed as BackfillError).lastKey).toBe('2000');
    expect(await counts()).toEqual([[0, SMALL - 2_000], [1, 2_000]]);
  });

  test('shouldStop ends the run after a committed batch; the next run resumes from its key', async () => {
    const client = await connect();
    let batches = 0;
    const lines: string[] = [];
    const stopped = await runBackfill(client, backfill(), { service: 'datahub', role: owner, shouldStop: () => batches >= 3, onBatch: () => void (batches += 1), log: (line) => lines.push(line) });
    expect(stopped).toMatchObject({ done: false, batches: 3, lastKey: '3000', rowsDone: 3_000, rowsChanged: 3_000 });
    expect(lines[lines.length - 1]).toBe('datahub: backfill datahub.klines stopped after 3 batch(es) of this run, at id 3000: the next run resumes there');
    const resumed = await runBackfill(client, backfill(BACKFILL, stopped.lastKey), { service: 'datahub', role: owner });
    await client.end();
    expect(resumed).toMatchObject({ done: true, batches: 17, lastKey: String(SMALL) });
    expect(await counts()).toEqual([[1, SMALL]]);
  });

  test('a batch that times out waiting for a row lock is rolled back and tried again; the statement runs as the owner role', async () => {
    const holder = await connect();
    const client = await connect();
    await holder.query('BEGIN');
    await holder.query('UPDATE datahub.klines SET note = $1 WHERE id = 1500', ['held']);
    const release = sleep(700).then(() => holder.query('COMMIT'));
    const lines: string[] = [];
    const result = await runBackfill(client, backfill("UPDATE datahub.klines SET volume = close, backfilled = backfilled + 1, note = coalesce(note, '') || current_user"), {
      service: 'datahub',
      role: owner,
      lockTimeoutMs: 200,
      lockRetries: { retries: 5, backoffMs: 100, maxBackoffMs: 400 },
      log: (line) => lines.push(line),
    });
    await release;
    await Promise.all([client.end(), holder.end()]);
    expect(result.done).toBe(true);
    expect(lines).toContain('datahub: backfill datahub.klines: batch 2 timed out waiting for a lock; retry 1 of 5 in 100 ms');
    expect(await counts()).toEqual([[1, SMALL]]);
    const notes = await db.query<{ note: string; n: string }>('SELECT note, count(*) AS n FROM datahub.klines GROUP BY note ORDER BY note');
    expect(notes.rows).toEqual([
      { note: owner, n: String(SMALL - 1) },
      { note: `held${owner}`, n: '1' },
    ]);
  });

  test('control: the same backfill in one transaction stalls a writer for most of its run (what the batches bound)', async () => {
    await db.query(`INSERT INTO datahub.klines (close) SELECT i FROM generate_series(1, 280000) AS i; ANALYZE datahub.klines`);
    const writers = startWriteLoad(connect, {
      connections: 4,
      pauseMs: 2,
      insert: (n) => ({ text: 'INSERT INTO datahub.klines (close) VALUES ($1) RETURNING id', values: [n] }),
      update: (_id, n) => ({ text: 'UPDATE datahub.klines SET note = $2 WHERE id = $1', values: [1 + ((n * 7919) % 300_000), `w${n}`] }),
    });
    await sleep(200);
    const started = Date.now();
    await db.query(BACKFILL);
    const took = Date.now() - started;
    await sleep(200);
    const writes = await writers.stop();
    console.log(`control: one transaction over 300,000 rows took ${took} ms; longest write ${writes.maxLatencyMs.toFixed(1)} ms`);
    expect(writes.errors.count).toBe(0);
    expect(writes.maxLatencyMs).toBeGreaterThan(took * 0.5);
  });

  test('a text key: batches follow its order, resumed from its text, every row once', async () => {
    await db.query(
      `CREATE TABLE datahub.symbols (code text PRIMARY KEY, seen integer NOT NULL DEFAULT 0);
       INSERT INTO datahub.symbols (code) SELECT 'S' || lpad(i::text, 4, '0') || repeat('''', i % 3) FROM generate_series(1, 503) AS i;
       ALTER TABLE datahub.symbols OWNER TO ${quoteIdentifier(owner)}`,
    );
    const statement = batchedStatement('UPDATE datahub.symbols SET seen = seen + 1', { schema: 'datahub', table: 'symbols', key: 'code' });
    const client = await connect();
    const keys: string[] = [];
    const table = { schema: 'datahub', name: 'symbols' };
    const first = await runBackfill(client, { table, key: 'code', size: 50, statement }, { service: 'datahub', role: owner, shouldStop: () => keys.length >= 4, onBatch: (p) => void keys.push(p.lastKey) });
    expect(first.lastKey).toBe("S0200''");
    const second = await runBackfill(client, { table, key: 'code', size: 50, statement, from: first.lastKey }, { service: 'datahub', role: owner, onBatch: (p) => void keys.push(p.lastKey) });
    await client.end();
    expect(second.done).toBe(true);
    expect(keys).toHaveLength(11);
    const seen = await db.query<{ seen: number; n: string }>('SELECT seen, count(*) AS n FROM datahub.symbols GROUP BY seen');
    expect(seen.rows).toEqual([{ seen: 1, n: '503' }]);
  });
});
