// An autovacuum on a hot table is the most common holder of the lock a migration step waits for.
// It gives way to a lock request only once that request has waited deadlock_timeout (1 s by
// default), longer than the runner's 500 ms lock_timeout: a step retried with the same short
// timeout would fail on every try. On a server of its own (autovacuum every second, slowed down
// on the table so it runs for minutes), the runner must name the autovacuum, wait long enough on
// the next try, and apply the step.
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { MigrationPlan, PlannedStep } from '../../lib/runner/planned-migration';
import { converge } from '../../lib/runner/runner';
import { hasTestServer, useTestDatabase } from '../support/database';

const KLINES = '"datahub"."klines"';
// The jest setup starts this server (PostgreSQL 18, autovacuum_naptime = 1) beside the main one.
const db = useTestDatabase('autovacuum');
const available = hasTestServer('autovacuum');
if (!available) console.log('SKIPPED test/integration/autovacuum-lock.test.ts: no server with a fast autovacuum (BEDROCK_TEST_DATABASE_URL names an outside server)');
const admin = { query: (sql: string) => db.query(sql) };

/** Polls until an autovacuum worker works on klines; returns its pid. */
async function autovacuumOnKlines(ms = 30_000): Promise<number> {
  const deadline = Date.now() + ms;
  for (;;) {
    const { rows } = await admin.query(`SELECT pid FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' AND datname = current_database() AND query LIKE '%datahub.klines%'`);
    if (rows.length > 0) return rows[0].pid;
    if (Date.now() > deadline) throw new Error('no autovacuum started on datahub.klines');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

(available ? test : test.skip)('a step blocked by an autovacuum waits deadlock_timeout on its next try, which cancels the autovacuum, and is applied', async () => {
  const role = await admin.query(`SELECT 1 FROM pg_roles WHERE rolname = 'datahub_owner'`);
  if (role.rows.length === 0) await admin.query(`CREATE ROLE datahub_owner NOLOGIN`);
  await admin.query(`CREATE SCHEMA datahub AUTHORIZATION datahub_owner`);
  // Slowed to a crawl on this table, and started by any dead row: it holds its lock for minutes.
  await admin.query(`SET ROLE datahub_owner;
    CREATE TABLE datahub.klines (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, price numeric NOT NULL)
      WITH (autovacuum_vacuum_cost_delay = 100, autovacuum_vacuum_cost_limit = 1, autovacuum_vacuum_threshold = 0, autovacuum_vacuum_scale_factor = 0, autovacuum_analyze_threshold = 0, autovacuum_analyze_scale_factor = 0);
    INSERT INTO datahub.klines (price) SELECT g FROM generate_series(1, 200000) g;
    DELETE FROM datahub.klines WHERE id % 2 = 0;
    RESET ROLE`);
  const worker = await autovacuumOnKlines();

  const sql = 'ALTER TABLE datahub.klines ADD CONSTRAINT klines_price_positive CHECK (price > 0);';
  const step: PlannedStep = { transactional: true, sql, tables: [KLINES], retrySafe: true, offline: false, line: 8 };
  const id = '20260101_000000_datahub_price_check';
  const plan: MigrationPlan = {
    service: 'datahub',
    ownerRole: 'datahub_owner',
    schema: 'datahub',
    migrations: [{ id, checksum: createHash('sha256').update(sql).digest('hex'), transactional: true, up: sql, down: 'SELECT 1;', upSteps: [step], downSteps: [] }],
  };
  const log: string[] = [];
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    const result = await converge(client, {
      plan,
      allowDowngrades: false,
      lockTimeoutMs: 300,
      lockRetries: { retries: 3, backoffMs: 100, maxBackoffMs: 200 },
      log: (line) => log.push(line),
    });
    expect(result.applied).toEqual([id]);
  } finally {
    await client.end();
  }
  const retry = log.find((line) => line.includes('timed out waiting 300 ms'));
  expect(retry).toContain(`held by pid ${worker} (autovacuum worker, "autovacuum: VACUUM`);
  expect(retry).toMatch(/an autovacuum gives way to a lock request only after it has waited deadlock_timeout \(1000 ms\), so the next try waits 1300 ms; retry 1 of 3 in 100 ms$/);
  expect(log.filter((line) => line.includes('timed out'))).toHaveLength(1);
  const constraint = await admin.query(`SELECT convalidated FROM pg_constraint WHERE conname = 'klines_price_positive'`);
  expect(constraint.rows).toEqual([{ convalidated: true }]);
}, 90_000);
