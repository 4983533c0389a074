// The write load the online-DDL tests and the write-stall bench measure with: it must see a
// lock another session holds as one long write, stay quick when nothing blocks it, and count
// every failed write by its SQLSTATE.
import { Client } from 'pg';
import { useTestDatabase } from '../support/database';
import { startWriteLoad, WriteLoadOptions } from '../support/write-load';

const db = useTestDatabase();

const connect = async (): Promise<Client> => {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  return client;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const klinesLoad: WriteLoadOptions = {
  connections: 3,
  pauseMs: 2,
  insert: (n) => ({ text: 'INSERT INTO public.klines (symbol, close) VALUES ($1, $2) RETURNING id', values: [`S${n % 7}`, n] }),
  update: (id, n) => ({ text: 'UPDATE public.klines SET close = $2 WHERE id = $1', values: [id, n] }),
};

beforeAll(async () => {
  await db.query('CREATE TABLE public.klines (id bigserial PRIMARY KEY, symbol text NOT NULL, close numeric NOT NULL CHECK (close >= 0))');
});

test('with nothing in its way every write is quick, inserts and updates alike', async () => {
  const load = startWriteLoad(connect, klinesLoad);
  await sleep(1000);
  const report = await load.stop();
  expect(report.errors).toEqual({ count: 0, bySqlState: {}, samples: [] });
  expect(report.inserts).toBeGreaterThan(50);
  expect(report.updates).toBeGreaterThan(50);
  expect(report.writes).toBe(report.inserts + report.updates);
  expect(report.maxLatencyMs).toBeLessThan(100);
  expect(report.p99LatencyMs).toBeLessThanOrEqual(report.maxLatencyMs);
  expect(report.longestStall.ms).toBe(report.maxLatencyMs);
  const { rows } = await db.query<{ count: string }>('SELECT count(*) FROM public.klines');
  expect(Number(rows[0].count)).toBeGreaterThanOrEqual(report.inserts);
});

test('an ACCESS EXCLUSIVE lock held 1.5 s by another session is one write stalled that long, when it was taken', async () => {
  const locker = await connect();
  try {
    const load = startWriteLoad(connect, klinesLoad);
    await sleep(300);
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE public.klines IN ACCESS EXCLUSIVE MODE');
    await sleep(1500);
    await locker.query('COMMIT');
    await sleep(300);
    const report = await load.stop();
    expect(report.errors.count).toBe(0);
    expect(report.maxLatencyMs).toBeGreaterThanOrEqual(1400);
    expect(report.maxLatencyMs).toBeLessThan(2500);
    // The stalled write started after the load's first 300 ms, around when the lock was taken.
    expect(report.longestStall.at).toBeGreaterThan(200);
    expect(report.longestStall.at).toBeLessThan(1000);
    expect(report.writes).toBeGreaterThan(20);
  } finally {
    await locker.end();
  }
});

test('failed writes are counted by SQLSTATE and the load goes on', async () => {
  const load = startWriteLoad(connect, {
    connections: 2,
    pauseMs: 2,
    // Every fifth insert breaks the check (23514).
    insert: (n) => ({ text: 'INSERT INTO public.klines (symbol, close) VALUES ($1, $2)', values: ['BAD', n % 5 === 0 ? -1 : n] }),
  });
  await sleep(500);
  const report = await load.stop();
  expect(report.errors.count).toBeGreaterThan(5);
  expect(report.errors.bySqlState).toEqual({ '23514': report.errors.count });
  expect(report.errors.samples[0]).toMatch(/^23514: new row for relation "klines" violates check constraint/);
  expect(report.writes).toBeGreaterThan(report.errors.count * 3);
  expect(report.updates).toBe(0);
});

test('a writer whose backend is terminated is counted and replaced', async () => {
  const load = startWriteLoad(connect, { ...klinesLoad, connections: 1 });
  await sleep(300);
  const { rows } = await db.query<{ terminated: boolean }>(
    "SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%public.klines%'",
  );
  expect(rows.map((r) => r.terminated)).toEqual([true]);
  const countRows = async () => Number((await db.query<{ count: string }>('SELECT count(*) FROM public.klines')).rows[0].count);
  const atTermination = await countRows();
  await sleep(500);
  // Writes went on, on a new connection.
  expect(await countRows()).toBeGreaterThan(atTermination + 10);
  const report = await load.stop();
  expect(report.errors.count).toBe(1);
  expect(['57P01', 'no SQLSTATE']).toContain(Object.keys(report.errors.bySqlState)[0]);
  expect(report.longestStall.ms).toBeLessThan(1000);
  expect(report.writes).toBeGreaterThan(20);
});
