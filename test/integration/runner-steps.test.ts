// The runner's steps on real PostgreSQL: a migration of several steps (transactional and
// outside a transaction) is recorded step by step, resumes where it stopped without `resolve`,
// leaves no INVALID index after a failed or killed CREATE INDEX CONCURRENTLY, retries lock
// timeouts naming the blocker, refuses offline steps on large tables before anything runs, and
// rolls back from the steps stored in the ledger.
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { ConvergeOptions } from '../../lib/runner/converge-options';
import { MigrationPlan, PlannedMigration, PlannedStep, StepIndex } from '../../lib/runner/planned-migration';
import { converge, RunnerError } from '../../lib/runner/runner';
import { formatRunnerFlags, parseRunnerFlags } from '../../lib/runner/runner-flags';
import { DEFAULT_RUNNER_SETTINGS, runnerSettings } from '../../lib/runner/converge-options';
import { serviceStatus } from '../../lib/runner/status';
import { resolveFailed } from '../../lib/runner/ledger';
import { hasTestServer, TestDatabase, useTestDatabase } from '../support/database';
import { prepareServices } from '../support/platform';

const db = useTestDatabase();
const db14 = useTestDatabase(14);
const has14 = hasTestServer(14);
if (!has14) console.log('SKIPPED: PostgreSQL 14 is not available: the kill test ran on 18 only');

const KLINES = '"datahub"."klines"';

/** Short waits: the whole file runs in seconds. */
const FAST = { lockTimeoutMs: 200, statementTimeoutMs: 20_000, lockWaitMs: 5_000, lockRetries: { retries: 3, backoffMs: 100, maxBackoffMs: 400 } };

function step(sql: string, extra: Partial<PlannedStep> = {}): PlannedStep {
  return { transactional: true, sql, tables: [KLINES], retrySafe: true, offline: false, line: 10, ...extra };
}

/** A step outside a transaction; with `index`, safe to retry. */
function outside(sql: string, index?: StepIndex): PlannedStep {
  return step(sql, { transactional: false, retrySafe: index !== undefined, ...(index ? { index } : {}) });
}

const createIndex = (name: string): StepIndex => ({ schema: 'datahub', name, action: 'create' });
const dropIndex = (name: string): StepIndex => ({ schema: 'datahub', name, action: 'drop' });

function migration(id: string, upSteps: PlannedStep[], downSteps: PlannedStep[] = [step('SELECT 1;')]): PlannedMigration {
  const up = upSteps.map((s) => s.sql).join('\n');
  const down = downSteps.map((s) => s.sql).join('\n');
  const checksum = createHash('sha256').update(`${id}\n${up}\n${down}`).digest('hex');
  return { id, checksum, transactional: upSteps.some((s) => s.transactional), up, down, upSteps, downSteps };
}

const plan = (...migrations: PlannedMigration[]): MigrationPlan => ({ service: 'datahub', ownerRole: 'datahub_owner', schema: 'datahub', migrations });

/** Converges on a connection of its own (a terminated one must not be the test's). */
async function convergeOn(database: TestDatabase, options: Omit<ConvergeOptions, 'allowDowngrades'> & { allowDowngrades?: boolean }, log: string[] = []): Promise<Awaited<ReturnType<typeof converge>>> {
  const client = await connected(database);
  try {
    return await converge(client, { allowDowngrades: false, ...FAST, log: (line) => log.push(line), ...options });
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function connected(database: TestDatabase, applicationName?: string): Promise<Client> {
  const client = new Client({ connectionString: database.url, ...(applicationName ? { application_name: applicationName } : {}) });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

async function ledger(database: TestDatabase = db) {
  const { rows } = await database.query(`SELECT id, status, steps_done, steps_total, error FROM bedrock.migrations WHERE service = 'datahub' ORDER BY id`);
  return rows;
}

async function history(database: TestDatabase = db): Promise<string[]> {
  const { rows } = await database.query(`SELECT action FROM bedrock.migration_history WHERE service = 'datahub' ORDER BY at`);
  return rows.map((r) => r.action);
}

/** Every index of the schema, with its definition and validity. */
async function indexes(database: TestDatabase = db): Promise<string[]> {
  const { rows } = await database.query(
    `SELECT c.relname, pg_get_indexdef(i.indexrelid) AS def, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'datahub' ORDER BY c.relname`,
  );
  return rows.map((r) => `${r.def}${r.indisvalid ? '' : ' INVALID'}`);
}

/** A fresh datahub: klines with 1000 rows, never analyzed (autovacuum off, so it stays so). */
async function freshDatahub(database: TestDatabase = db): Promise<void> {
  await database.query(`DROP SCHEMA IF EXISTS bedrock CASCADE; DROP SCHEMA IF EXISTS datahub CASCADE; CREATE SCHEMA datahub AUTHORIZATION datahub_owner`);
  await database.query(`SET ROLE datahub_owner;
    CREATE TABLE datahub.klines (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, symbol text NOT NULL, price numeric NOT NULL) WITH (autovacuum_enabled = false);
    CREATE INDEX klines_symbol_idx ON datahub.klines (symbol);
    INSERT INTO datahub.klines (symbol, price) SELECT 'S' || g, g FROM generate_series(1, 1000) g;
    RESET ROLE`);
}

beforeAll(async () => {
  await prepareServices(db, ['datahub']);
  if (has14) await prepareServices(db14, ['datahub']);
});

beforeEach(() => freshDatahub());

describe('a migration of several steps', () => {
  test('applies step by step: a line when it and each step start and end, the ledger row applied with every step done, one up event', async () => {
    const m = migration('20260101_000000_datahub_steps', [
      step('ALTER TABLE datahub.klines ADD COLUMN volume numeric;'),
      step('ALTER TABLE datahub.klines ADD CONSTRAINT klines_price_positive CHECK (price > 0) NOT VALID;'),
      step('ALTER TABLE datahub.klines VALIDATE CONSTRAINT klines_price_positive;'),
      outside('CREATE INDEX CONCURRENTLY klines_volume_idx ON datahub.klines (volume)', createIndex('klines_volume_idx')),
    ]);
    const log: string[] = [];
    expect(await convergeOn(db, { plan: plan(m) }, log)).toEqual({ applied: [m.id], rolledBack: [] });
    expect(log.map((l) => l.replace(/\d+ ms/, 'N ms'))).toEqual([
      `datahub: applying ${m.id} (4 steps: 3 transactional, 1 outside a transaction)`,
      `datahub: step 1/4 of ${m.id} started (in a transaction)`,
      `datahub: ${m.id} step 1/4 in N ms`,
      `datahub: step 2/4 of ${m.id} started (in a transaction)`,
      `datahub: ${m.id} step 2/4 in N ms`,
      `datahub: step 3/4 of ${m.id} started (in a transaction)`,
      `datahub: ${m.id} step 3/4 in N ms`,
      `datahub: step 4/4 of ${m.id} started (outside a transaction)`,
      `datahub: ${m.id} step 4/4 (outside a transaction) in N ms`,
      `datahub: applied ${m.id} in N ms`,
      `datahub: at ${m.id} (1 applied, 0 rolled back) in N ms`,
    ]);
    expect(await ledger()).toEqual([{ id: m.id, status: 'applied', steps_done: 4, steps_total: 4, error: null }]);
    const stored = await db.query(`SELECT down_steps FROM bedrock.migrations WHERE id = $1`, [m.id]);
    expect(stored.rows[0].down_steps).toEqual(m.downSteps);
    expect(await history()).toEqual(['up']);
    expect((await db.query(`SELECT convalidated FROM pg_constraint WHERE conname = 'klines_price_positive'`)).rows).toEqual([{ convalidated: true }]);
    expect(await indexes()).toContain('CREATE INDEX klines_volume_idx ON datahub.klines USING btree (volume)');
    expect((await convergeOn(db, { plan: plan(m) })).applied).toEqual([]);
  });

  test('a transactional step failing midway keeps the steps before it; fixed data, the next converge resumes there without resolve', async () => {
    await db.query(`INSERT INTO datahub.klines (symbol, price) VALUES ('BAD', -1)`);
    const m = migration('20260101_000000_datahub_check', [
      step('ALTER TABLE datahub.klines ADD CONSTRAINT klines_price_positive CHECK (price > 0) NOT VALID;', { line: 12 }),
      step('ALTER TABLE datahub.klines VALIDATE CONSTRAINT klines_price_positive;', { line: 14 }),
      step(`COMMENT ON TABLE datahub.klines IS 'Candles';`, { line: 16 }),
    ]);
    const failed = convergeOn(db, { plan: plan(m) });
    await expect(failed).rejects.toThrow(RunnerError);
    await expect(failed).rejects.toThrow(
      `datahub: migration ${m.id} step 2 of 3 (line 14) failed: check constraint "klines_price_positive" of relation "klines" is violated by some row (SQLSTATE 23514). ` +
        `That step was rolled back; the ledger records ${m.id} as in progress at step 2 of 3: once the cause is fixed, the next deploy resumes at that step (no resolve needed)`,
    );
    expect(await ledger()).toEqual([{ id: m.id, status: 'partial', steps_done: 1, steps_total: 3, error: expect.stringContaining('(SQLSTATE 23514)') }]);
    expect((await db.query(`SELECT convalidated FROM pg_constraint WHERE conname = 'klines_price_positive'`)).rows).toEqual([{ convalidated: false }]);
    expect(await serviceStatus(db.client, 'datahub', [])).toMatch(
      new RegExp(`^datahub: at nothing applied; 0 applied; 0 pending; IN PROGRESS: ${m.id} stopped at step 2 of 3: check constraint .* \\(SQLSTATE 23514\\)$`),
    );

    await db.query(`DELETE FROM datahub.klines WHERE price <= 0`);
    const log: string[] = [];
    expect((await convergeOn(db, { plan: plan(m) }, log)).applied).toEqual([m.id]);
    expect(log[0]).toBe(`datahub: resuming ${m.id} at step 2 of 3`);
    expect(log.filter((l) => /step \d\/3 in/.test(l)).map((l) => l.split(' ')[3])).toEqual(['2/3', '3/3']);
    expect(log.filter((l) => l.endsWith('started (in a transaction)'))).toEqual([`datahub: step 2/3 of ${m.id} started (in a transaction)`, `datahub: step 3/3 of ${m.id} started (in a transaction)`]);
    expect(await ledger()).toEqual([{ id: m.id, status: 'applied', steps_done: 3, steps_total: 3, error: null }]);
    expect(await history()).toEqual(['failed', 'up']);
    expect((await db.query(`SELECT obj_description('datahub.klines'::regclass) AS c`)).rows[0].c).toBe('Candles');
  });
});

describe.each([
  ['18', db, true],
  ['14', db14, has14],
])('killed in the middle of CREATE INDEX CONCURRENTLY (PostgreSQL %s)', (version, database, available) => {
  (available ? test : test.skip)('the next converge drops the INVALID index, builds it and completes; nothing is left INVALID', async () => {
    await freshDatahub(database);
    const m = migration('20260101_000000_datahub_index', [
      step('CREATE TABLE datahub.symbols (name text PRIMARY KEY);', { tables: ['"datahub"."symbols"'] }),
      outside('CREATE INDEX CONCURRENTLY klines_price_idx ON datahub.klines (price)', createIndex('klines_price_idx')),
    ]);
    // A writer's open transaction: CREATE INDEX CONCURRENTLY, its INVALID catalog entry made,
    // waits for it to end.
    const writer = await connected(database, 'bedrock-test-writer');
    await writer.query(`BEGIN; INSERT INTO datahub.klines (symbol, price) VALUES ('W', 1)`);
    const running = convergeOn(database, { plan: plan(m) });
    running.catch(() => undefined);
    let pid: number | undefined;
    for (let i = 0; i < 400 && pid === undefined; i++) {
      const { rows } = await database.query(
        `SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'bedrock-runner datahub %' AND wait_event_type = 'Lock' AND query LIKE 'CREATE INDEX CONCURRENTLY%'`,
      );
      pid = rows[0]?.pid;
      if (pid === undefined) await new Promise((r) => setTimeout(r, 25));
    }
    expect(pid).toBeDefined();
    expect(await indexes(database)).toContain('CREATE INDEX klines_price_idx ON datahub.klines USING btree (price) INVALID');
    await database.query('SELECT pg_terminate_backend($1)', [pid]);
    await expect(running).rejects.toThrow(
      `datahub: the connection was lost while applying ${m.id} step 2 of 2 (outside a transaction: terminating connection due to administrator command (SQLSTATE 57P01)); ` +
        `the ledger records ${m.id} as in progress at step 2 of 2, and the next deploy resumes at that step (no resolve needed; an INVALID index it left is dropped first)`,
    );
    expect(await indexes(database)).toContain('CREATE INDEX klines_price_idx ON datahub.klines USING btree (price) INVALID');
    expect(await ledger(database)).toEqual([{ id: m.id, status: 'partial', steps_done: 1, steps_total: 2, error: null }]);
    await writer.query('COMMIT');
    await writer.end();

    const log: string[] = [];
    expect((await convergeOn(database, { plan: plan(m) }, log)).applied).toEqual([m.id]);
    expect(log.slice(0, 3)).toEqual([
      `datahub: resuming ${m.id} at step 2 of 2`,
      `datahub: step 2/2 of ${m.id} started (outside a transaction)`,
      `datahub: migration ${m.id} step 2 of 2 (line 10, outside a transaction): dropped the INVALID index datahub.klines_price_idx an earlier build left, before building it again`,
    ]);
    expect(await ledger(database)).toEqual([{ id: m.id, status: 'applied', steps_done: 2, steps_total: 2, error: null }]);
    expect(await indexes(database)).toContain('CREATE INDEX klines_price_idx ON datahub.klines USING btree (price)');
    expect((await indexes(database)).filter((i) => i.endsWith('INVALID'))).toEqual([]);
    expect((await database.query('SELECT version()')).rows[0].version).toMatch(new RegExp(`^PostgreSQL ${version}\\.`));
  });
});

describe('index steps', () => {
  test('CREATE UNIQUE INDEX CONCURRENTLY on duplicates leaves no INVALID index; without the duplicates the next converge completes it', async () => {
    await db.query(`INSERT INTO datahub.klines (symbol, price) VALUES ('S1', 2)`);
    const m = migration('20260101_000000_datahub_unique', [outside('CREATE UNIQUE INDEX CONCURRENTLY klines_symbol_key ON datahub.klines (symbol)', createIndex('klines_symbol_key'))]);
    await expect(convergeOn(db, { plan: plan(m) })).rejects.toThrow(
      new RegExp(
        `^datahub: migration ${m.id} \\(outside a transaction\\) failed: could not create unique index "klines_symbol_key" \\(SQLSTATE 23505\\); Key \\(symbol\\)=\\(S1\\) is duplicated\\. ` +
          `The INVALID index datahub.klines_symbol_key it left was dropped; the ledger records ${m.id} as in progress at step 1 of 1: once the cause is fixed, the next deploy resumes at that step`,
      ),
    );
    expect((await indexes()).filter((i) => i.includes('klines_symbol_key'))).toEqual([]);
    expect(await ledger()).toEqual([{ id: m.id, status: 'partial', steps_done: 0, steps_total: 1, error: expect.stringContaining('(SQLSTATE 23505)') }]);

    await db.query(`DELETE FROM datahub.klines WHERE symbol = 'S1' AND price = 2`);
    const log: string[] = [];
    expect((await convergeOn(db, { plan: plan(m) }, log)).applied).toEqual([m.id]);
    expect(log[0]).toBe(`datahub: resuming ${m.id} at step 1 of 1`);
    expect(await indexes()).toContain('CREATE UNIQUE INDEX klines_symbol_key ON datahub.klines USING btree (symbol)');
    expect(await ledger()).toEqual([{ id: m.id, status: 'applied', steps_done: 1, steps_total: 1, error: null }]);
  });

  test('resuming an index step whose index is already built records it done without running it', async () => {
    const m = migration('20260101_000000_datahub_built', [
      step('CREATE TABLE datahub.symbols (name text PRIMARY KEY);', { tables: [] }),
      outside('CREATE INDEX CONCURRENTLY klines_price_idx ON datahub.klines (price)', createIndex('klines_price_idx')),
    ]);
    // As a run killed after the build finished but before the ledger heard of it leaves things.
    await db.query(`CREATE TABLE datahub.symbols (name text PRIMARY KEY); ALTER TABLE datahub.symbols OWNER TO datahub_owner; CREATE INDEX klines_price_idx ON datahub.klines (price)`);
    await convergeOn(db, { plan: plan() });
    await db.query(
      `INSERT INTO bedrock.migrations (service, id, checksum, up_sql, down_sql, transactional, status, steps_done, steps_total, down_steps) VALUES ('datahub', $1, $2, $3, $4, true, 'partial', 1, 2, $5)`,
      [m.id, m.checksum, m.up, m.down, JSON.stringify(m.downSteps)],
    );
    const log: string[] = [];
    expect((await convergeOn(db, { plan: plan(m) }, log)).applied).toEqual([m.id]);
    expect(log[2]).toBe(
      `datahub: migration ${m.id} step 2 of 2 (line 10, outside a transaction): the index datahub.klines_price_idx exists and is valid: the interrupted run had finished the step; recorded as done without running it`,
    );
    expect(await ledger()).toEqual([{ id: m.id, status: 'applied', steps_done: 2, steps_total: 2, error: null }]);
  });

  test('resuming an index drop whose index is already gone records it done', async () => {
    const m = migration('20260101_000000_datahub_drop', [
      step(`COMMENT ON TABLE datahub.klines IS 'Candles';`),
      outside('DROP INDEX CONCURRENTLY datahub.klines_symbol_idx', dropIndex('klines_symbol_idx')),
    ]);
    await db.query(`DROP INDEX datahub.klines_symbol_idx`);
    await convergeOn(db, { plan: plan() });
    await db.query(
      `INSERT INTO bedrock.migrations (service, id, checksum, up_sql, down_sql, transactional, status, steps_done, steps_total, down_steps) VALUES ('datahub', $1, $2, $3, $4, true, 'partial', 1, 2, $5)`,
      [m.id, m.checksum, m.up, m.down, JSON.stringify(m.downSteps)],
    );
    const log: string[] = [];
    expect((await convergeOn(db, { plan: plan(m) }, log)).applied).toEqual([m.id]);
    expect(log[2]).toContain('the index datahub.klines_symbol_idx is already gone: the interrupted run had finished the step; recorded as done without running it');
    expect(await ledger()).toEqual([{ id: m.id, status: 'applied', steps_done: 2, steps_total: 2, error: null }]);
  });
});

describe('a migration stopped part-way and the plan', () => {
  test('a partly applied migration the plan no longer holds is refused, even where downgrades are allowed', async () => {
    const m = migration('20260101_000000_datahub_gone', [step('SELECT 1;'), step('SELECT 2;')]);
    await convergeOn(db, { plan: plan() });
    await db.query(
      `INSERT INTO bedrock.migrations (service, id, checksum, up_sql, down_sql, transactional, status, steps_done, steps_total, down_steps) VALUES ('datahub', $1, $2, '', '', true, 'partial', 1, 2, '[]')`,
      [m.id, m.checksum],
    );
    await expect(convergeOn(db, { plan: plan(), allowDowngrades: true })).rejects.toThrow(
      `datahub: migration ${m.id} is partly applied (stopped at step 2 of 2), and this plan does not contain it. Deploy a plan that contains it (that finishes it), or inspect the database and settle it with`,
    );
    const edited = { ...m, checksum: 'f'.repeat(64) };
    await expect(convergeOn(db, { plan: plan(edited) })).rejects.toThrow(`datahub: REFUSED: migration ${m.id} is partly applied (1 of 2 steps) with checksum ${m.checksum}, but the plan has ${'f'.repeat(64)}.`);
    expect(await ledger()).toEqual([{ id: m.id, status: 'partial', steps_done: 1, steps_total: 2, error: null }]);
  });
});

describe('lock timeouts', () => {
  async function blocker(): Promise<{ client: Client; pid: number }> {
    const client = await connected(db, 'bedrock-test-blocker');
    await client.query(`BEGIN; SELECT count(*) FROM datahub.klines`);
    return { client, pid: (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid };
  }

  test('a step that times out is retried after a backoff; each retry names the blocking session, never its query', async () => {
    const { client, pid } = await blocker();
    const m = migration('20260101_000000_datahub_note', [step('ALTER TABLE datahub.klines ADD COLUMN note text;')]);
    const log: string[] = [];
    let released: Promise<unknown> | undefined;
    const result = await converge(db.client, {
      plan: plan(m),
      allowDowngrades: false,
      ...FAST,
      log: (line) => {
        log.push(line);
        released ??= line.includes('retry 1 of 3') ? client.query('COMMIT') : undefined;
      },
    });
    await released;
    await client.end();
    expect(result.applied).toEqual([m.id]);
    expect(log[0]).toBe(`datahub: applying ${m.id}`);
    // A table lock is held since its transaction began, at the latest: that is the time told.
    expect(log[1]).toMatch(
      new RegExp(
        `^datahub: migration ${m.id} timed out waiting 200 ms for a lock, held by pid ${pid} \\(application "bedrock-test-blocker", idle in transaction, ` +
          'in a transaction open since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\(for \\d+\\.\\d s\\), last query started [\\d:.TZ-]+\\); retry 1 of 3 in 100 ms$',
      ),
    );
    expect(log.join('\n')).not.toContain('count(');
    expect(await ledger()).toEqual([{ id: m.id, status: 'applied', steps_done: 1, steps_total: 1, error: null }]);
  });

  test('retries exhausted: the error names the step, the blocker and the settings; the ledger says where it stopped', async () => {
    const m = migration('20260101_000000_datahub_busy', [
      step('CREATE TABLE datahub.notes (id int);', { tables: ['"datahub"."notes"'] }),
      step('ALTER TABLE datahub.klines ADD COLUMN note text;', { line: 20 }),
    ]);
    const { client, pid } = await blocker();
    const log: string[] = [];
    try {
      await expect(convergeOn(db, { plan: plan(m), lockRetries: { retries: 2, backoffMs: 50, maxBackoffMs: 80 } }, log)).rejects.toThrow(
        new RegExp(
          `^datahub: migration ${m.id} step 2 of 2 \\(line 20\\) failed: canceling statement due to lock timeout \\(SQLSTATE 55P03\\); it waited 200 ms for its locks on each of 3 tries, ` +
            `held by pid ${pid} \\(application "bedrock-test-blocker", idle in transaction, .*\\)\\. That step was rolled back; the ledger records ${m.id} as in progress at step 2 of 2: .*` +
            'change migrations.lockTimeoutMs / migrations.lockRetries of this environment in stacks/environments.ts',
        ),
      );
    } finally {
      await client.query('ROLLBACK');
      await client.end();
    }
    expect(log.filter((l) => l.includes('timed out waiting')).map((l) => l.replace(/^.* (retry \d of \d in \d+ ms)$/, '$1'))).toEqual(['retry 1 of 2 in 50 ms', 'retry 2 of 2 in 80 ms']);
    expect(await ledger()).toEqual([{ id: m.id, status: 'partial', steps_done: 1, steps_total: 2, error: expect.stringContaining('(SQLSTATE 55P03)') }]);
    expect((await convergeOn(db, { plan: plan(m) })).applied).toEqual([m.id]);
  });
});

describe('offline steps above the environment limit', () => {
  const offline = migration('20260101_000001_datahub_price_type', [
    step('ALTER TABLE datahub.klines ALTER COLUMN price TYPE double precision;', { offline: true, line: 8 }),
  ]);
  const first = migration('20260101_000000_datahub_other', [step('CREATE TABLE datahub.other (id int);', { tables: ['"datahub"."other"'] })]);

  async function priceType(): Promise<string> {
    return (await db.query(`SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'datahub.klines'::regclass AND attname = 'price'`)).rows[0].t;
  }

  test('are refused before anything of the converge runs, naming the step, the table, its size and the limit', async () => {
    const refusal = (rows: string) =>
      `datahub: REFUSED: migration ${offline.id} step 1 (line 8) is offline: it holds ${KLINES} under ACCESS EXCLUSIVE (no reads or writes) while it rewrites it, and ${KLINES} holds ${rows}, ` +
      `above this environment's limit of 100 (offlineChangeMaxRows). Nothing ran. Deploy it in a maintenance window with a higher limit (migrations.offlineChangeMaxRows of this environment in stacks/environments.ts; the runner's --offline-max-rows), or rewrite the change as expand/contract`;
    // Never analyzed: counted, up to the limit.
    await expect(convergeOn(db, { plan: plan(first, offline), offlineChangeMaxRows: 100 })).rejects.toThrow(refusal('more than 100 rows (counted: it was never analyzed)'));
    await db.query('ANALYZE datahub.klines');
    await expect(convergeOn(db, { plan: plan(first, offline), offlineChangeMaxRows: 100 })).rejects.toThrow(refusal("about 1000 rows (the planner's estimate)"));
    expect((await db.query(`SELECT count(*)::int AS n FROM bedrock.migrations`)).rows[0].n).toBe(0);
    expect((await db.query(`SELECT to_regclass('datahub.other') AS t`)).rows[0].t).toBeNull();
    expect(await priceType()).toBe('numeric');

    expect((await convergeOn(db, { plan: plan(first, offline), offlineChangeMaxRows: 1000 })).applied).toEqual([first.id, offline.id]);
    expect(await priceType()).toBe('double precision');
  });
});

describe('rollbacks from the ledger', () => {
  test('a down of DROP / CREATE INDEX CONCURRENTLY steps runs each outside a transaction and restores the schema', async () => {
    const before = await indexes();
    const m = migration(
      '20260101_000000_datahub_swap_index',
      [
        outside('DROP INDEX CONCURRENTLY datahub.klines_symbol_idx', dropIndex('klines_symbol_idx')),
        outside('CREATE INDEX CONCURRENTLY klines_symbol_price_idx ON datahub.klines (symbol, price)', createIndex('klines_symbol_price_idx')),
      ],
      [
        outside('DROP INDEX CONCURRENTLY datahub.klines_symbol_price_idx', dropIndex('klines_symbol_price_idx')),
        outside('CREATE INDEX CONCURRENTLY klines_symbol_idx ON datahub.klines (symbol)', createIndex('klines_symbol_idx')),
      ],
    );
    expect((await convergeOn(db, { plan: plan(m) })).applied).toEqual([m.id]);
    expect(await indexes()).toEqual(['CREATE UNIQUE INDEX klines_pkey ON datahub.klines USING btree (id)', 'CREATE INDEX klines_symbol_price_idx ON datahub.klines USING btree (symbol, price)']);

    const log: string[] = [];
    // The plan no longer holds the migration: its down comes from the ledger.
    expect(await convergeOn(db, { plan: plan(), allowDowngrades: true }, log)).toEqual({ applied: [], rolledBack: [m.id] });
    expect(log.map((l) => l.replace(/\d+ ms/, 'N ms')).slice(0, 6)).toEqual([
      `datahub: rolling back ${m.id} (2 steps: 2 outside a transaction)`,
      `datahub: down step 1/2 of ${m.id} started (outside a transaction)`,
      `datahub: ${m.id} down step 1/2 (outside a transaction) in N ms`,
      `datahub: down step 2/2 of ${m.id} started (outside a transaction)`,
      `datahub: ${m.id} down step 2/2 (outside a transaction) in N ms`,
      `datahub: rolled back ${m.id} in N ms`,
    ]);
    expect(await indexes()).toEqual(before);
    expect(await ledger()).toEqual([]);
    expect(await history()).toEqual(['up', 'down']);
  });

  test('a down stopped half-way is resumed by the next downgrade, and refused by a plan that wants the migration applied', async () => {
    const m = migration(
      '20260101_000000_datahub_two_columns',
      [step('ALTER TABLE datahub.klines ADD COLUMN a int, ADD COLUMN b int;')],
      [step('ALTER TABLE datahub.klines DROP COLUMN b;', { line: 30 }), step('ALTER TABLE datahub.klines DROP COLUMN a;', { line: 31 })],
    );
    expect((await convergeOn(db, { plan: plan(m) })).applied).toEqual([m.id]);
    // Down step 2 fails while a view depends on column a; down step 1 has committed.
    await db.query(`CREATE VIEW datahub.a_values AS SELECT a FROM datahub.klines`);
    await expect(convergeOn(db, { plan: plan(), allowDowngrades: true })).rejects.toThrow(
      `datahub: rolling back ${m.id}, down step 2 of 2 (line 31) failed: cannot drop column a of table klines because other objects depend on it (SQLSTATE 2BP01); ` +
        `view a_values depends on column a of table klines. That step was rolled back; the ledger records the rollback of ${m.id} as stopped at down step 2 of 2: ` +
        'once the cause is fixed, the next deploy of a plan without it resumes at that step (no resolve needed)',
    );
    expect(await ledger()).toEqual([{ id: m.id, status: 'rolling_back', steps_done: 1, steps_total: 1, error: expect.stringContaining('(SQLSTATE 2BP01)') }]);
    await db.query(`DROP VIEW datahub.a_values`);
    expect(await serviceStatus(db.client, 'datahub', [])).toMatch(
      new RegExp(`^datahub: at nothing applied; 0 applied; 0 pending; ROLLING BACK: ${m.id} stopped at down step 2 of 2: cannot drop column a .*\\(SQLSTATE 2BP01\\)`),
    );
    await expect(convergeOn(db, { plan: plan(m) })).rejects.toThrow(
      `datahub: migration ${m.id} is half rolled back (stopped at down step 2 of 2: cannot drop column a of table klines because other objects depend on it (SQLSTATE 2BP01); view a_values depends on column a of table klines), and this plan wants it applied. Finish the rollback by deploying a plan without it (where downgrades are allowed), or inspect the database and settle it with`,
    );
    const log: string[] = [];
    expect((await convergeOn(db, { plan: plan(), allowDowngrades: true }, log)).rolledBack).toEqual([m.id]);
    expect(log[0]).toBe(`datahub: resuming the rollback of ${m.id} at down step 2 of 2`);
    expect(await ledger()).toEqual([]);
    const columns = await db.query(`SELECT attname FROM pg_attribute WHERE attrelid = 'datahub.klines'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`);
    expect(columns.rows.map((r) => r.attname)).toEqual(['id', 'symbol', 'price']);
  });

  test('resolve settles a migration stopped part-way', async () => {
    const m = migration('20260101_000000_datahub_settled', [step('SELECT 1;'), step('SELECT 2;')]);
    await convergeOn(db, { plan: plan() });
    await db.query(
      `INSERT INTO bedrock.migrations (service, id, checksum, up_sql, down_sql, transactional, status, steps_done, steps_total, down_steps, error) VALUES ('datahub', $1, $2, '', '', true, 'partial', 1, 2, '[]', 'stopped')`,
      [m.id, m.checksum],
    );
    expect(await resolveFailed(db.client, 'datahub', m.id, true)).toBe(true);
    expect(await ledger()).toEqual([{ id: m.id, status: 'applied', steps_done: 2, steps_total: 2, error: null }]);
  });
});

describe('the ledger of an older runner', () => {
  test('is upgraded in place with its rows kept; their downs still run from down_sql', async () => {
    await db.query(`DROP SCHEMA IF EXISTS bedrock CASCADE; CREATE SCHEMA bedrock;
      CREATE TABLE bedrock.migrations (service text NOT NULL, id text NOT NULL, checksum text NOT NULL, up_sql text NOT NULL, down_sql text NOT NULL,
        transactional boolean NOT NULL, status text NOT NULL CHECK (status IN ('applied', 'failed', 'baselined')),
        applied_at timestamptz NOT NULL DEFAULT clock_timestamp(), applied_by text NOT NULL DEFAULT session_user, duration_ms integer, error text, PRIMARY KEY (service, id));
      CREATE TABLE bedrock.migration_history (at timestamptz NOT NULL DEFAULT clock_timestamp(), service text NOT NULL, id text NOT NULL,
        action text NOT NULL CHECK (action IN ('up', 'down', 'baseline', 'failed', 'resolved')), by text NOT NULL DEFAULT session_user, duration_ms integer, error text)`);
    const old = migration('20250101_000000_datahub_old', [step('ALTER TABLE datahub.klines ADD COLUMN old int;')], [step('ALTER TABLE datahub.klines DROP COLUMN old;')]);
    await db.query(`ALTER TABLE datahub.klines ADD COLUMN old int`);
    await db.query(`INSERT INTO bedrock.migrations (service, id, checksum, up_sql, down_sql, transactional, status, duration_ms) VALUES ('datahub', $1, $2, $3, $4, true, 'applied', 5)`, [
      old.id,
      old.checksum,
      old.up,
      old.down,
    ]);
    await db.query(`INSERT INTO bedrock.migration_history (service, id, action, duration_ms) VALUES ('datahub', $1, 'up', 5)`, [old.id]);

    const next = migration(
      '20260101_000000_datahub_next',
      [step('CREATE TABLE datahub.next (id int);', { tables: [] }), step('ALTER TABLE datahub.next ADD COLUMN x int;', { tables: [] })],
      [step('DROP TABLE datahub.next;', { tables: [] })],
    );
    expect((await convergeOn(db, { plan: plan(old, next) })).applied).toEqual([next.id]);
    expect(await ledger()).toEqual([
      // Still in the plan with the same checksum: its down steps are recorded from the plan.
      { id: old.id, status: 'applied', steps_done: 1, steps_total: 1, error: null },
      { id: next.id, status: 'applied', steps_done: 2, steps_total: 2, error: null },
    ]);
    expect((await db.query(`SELECT down_steps FROM bedrock.migrations WHERE id = $1`, [old.id])).rows[0].down_steps).toEqual(old.downSteps);
    const columns = await db.query(`SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'bedrock.migrations'::regclass AND attname IN ('steps_done', 'steps_total', 'down_steps') ORDER BY attname`);
    expect(columns.rows).toEqual([
      { attname: 'down_steps', type: 'jsonb' },
      { attname: 'steps_done', type: 'integer' },
      { attname: 'steps_total', type: 'integer' },
    ]);
    const check = await db.query(`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'migrations_status_check'`);
    expect(check.rows[0].def).toContain("'rolling_back'");

    expect((await convergeOn(db, { plan: plan(), allowDowngrades: true })).rolledBack).toEqual([next.id, old.id]);
    expect((await db.query(`SELECT to_regclass('datahub.next') AS t`)).rows[0].t).toBeNull();
    expect((await db.query(`SELECT count(*)::int AS n FROM pg_attribute WHERE attrelid = 'datahub.klines'::regclass AND attname = 'old' AND NOT attisdropped`)).rows[0].n).toBe(0);
    expect(await history()).toEqual(['up', 'up', 'down', 'down']);
  });
});

describe('rows of an older runner that no plan of this one held', () => {
  async function oldLedgerRow(id: string, transactional: boolean, down: string): Promise<void> {
    await convergeOn(db, { plan: plan() }); // the ledger, in today's format
    await db.query(`INSERT INTO bedrock.migrations (service, id, checksum, up_sql, down_sql, transactional, status) VALUES ('datahub', $1, 'x', 'SELECT 1;', $2, $3, 'applied')`, [id, down, transactional]);
  }

  test('a transactional down runs from its down SQL, in one transaction', async () => {
    await db.query(`ALTER TABLE datahub.klines ADD COLUMN old int`);
    await oldLedgerRow('20250101_000000_datahub_old', true, 'ALTER TABLE datahub.klines DROP COLUMN old;');
    expect((await convergeOn(db, { plan: plan(), allowDowngrades: true })).rolledBack).toEqual(['20250101_000000_datahub_old']);
    expect((await db.query(`SELECT count(*)::int AS n FROM pg_attribute WHERE attrelid = 'datahub.klines'::regclass AND attname = 'old' AND NOT attisdropped`)).rows[0].n).toBe(0);
  });

  test('a down that must run outside a transaction is refused before anything runs, saying how to go on', async () => {
    await oldLedgerRow('20250101_000000_datahub_old_index', false, 'DROP INDEX CONCURRENTLY datahub.klines_symbol_idx;');
    await expect(convergeOn(db, { plan: plan(), allowDowngrades: true })).rejects.toThrow(
      'datahub: rolling back 20250101_000000_datahub_old_index needs its down run outside a transaction, but it was recorded by an older runner that kept no steps, and this plan no longer holds its file. Nothing ran. ' +
        'Deploy a plan that contains 20250101_000000_datahub_old_index first (the runner then records its down steps from it), then roll back',
    );
    expect(await indexes()).toContain('CREATE INDEX klines_symbol_idx ON datahub.klines USING btree (symbol)');
  });
});

describe('index steps and names that are not theirs', () => {
  test('a build refused because the name is taken (42P07) is not taken for done on the next deploy, and the other index is left alone', async () => {
    const m = migration('20260101_000000_datahub_taken', [
      step('ALTER TABLE datahub.klines ADD COLUMN volume numeric;'),
      outside('CREATE INDEX CONCURRENTLY klines_symbol_idx ON datahub.klines (volume)', { ...createIndex('klines_symbol_idx'), table: KLINES }),
    ]);
    const first = convergeOn(db, { plan: plan(m) });
    await expect(first).rejects.toThrow('relation "klines_symbol_idx" already exists');
    await expect(first).rejects.toThrow('The name datahub.klines_symbol_idx is taken by a relation that is not this step\'s (left as it is): rename or drop it');
    await expect(convergeOn(db, { plan: plan(m) })).rejects.toThrow('relation "klines_symbol_idx" already exists');
    expect(await ledger()).toEqual([{ id: m.id, status: 'partial', steps_done: 1, steps_total: 2, error: expect.stringContaining('already exists') }]);
    expect(await indexes()).toContain('CREATE INDEX klines_symbol_idx ON datahub.klines USING btree (symbol)');
  });

  test('a run that died during a build, and an index of that name on another table: not the step\'s, so the build runs', async () => {
    await db.query(`SET ROLE datahub_owner; CREATE TABLE datahub.other (v int); CREATE INDEX klines_v_idx ON datahub.other (v); RESET ROLE`);
    const m = migration('20260101_000000_datahub_other_table', [
      step('ALTER TABLE datahub.klines ADD COLUMN v int;'),
      outside('CREATE INDEX CONCURRENTLY klines_v_idx ON datahub.klines (v)', { ...createIndex('klines_v_idx'), table: KLINES }),
    ]);
    await db.query(`ALTER TABLE datahub.klines ADD COLUMN v int`);
    await convergeOn(db, { plan: plan() });
    // As a run killed during step 2 leaves the ledger: step 1 done, no error recorded.
    await db.query(
      `INSERT INTO bedrock.migrations (service, id, checksum, up_sql, down_sql, transactional, status, steps_done, steps_total, down_steps) VALUES ('datahub', $1, $2, $3, $4, true, 'partial', 1, 2, $5)`,
      [m.id, m.checksum, m.up, m.down, JSON.stringify(m.downSteps)],
    );
    const log: string[] = [];
    await expect(convergeOn(db, { plan: plan(m) }, log)).rejects.toThrow('relation "klines_v_idx" already exists');
    expect(log.join('\n')).not.toContain('recorded as done without running it');
  });
});

describe('offline steps in a rollback', () => {
  test('are held to the same limit, before anything runs', async () => {
    const m = migration('20260101_000000_datahub_price_float', [step('ALTER TABLE datahub.klines ALTER COLUMN price TYPE double precision;', { offline: true })], [
      step('ALTER TABLE datahub.klines ALTER COLUMN price TYPE numeric;', { offline: true, line: 14 }),
    ]);
    expect((await convergeOn(db, { plan: plan(m) })).applied).toEqual([m.id]);
    await db.query('ANALYZE datahub.klines');
    await expect(convergeOn(db, { plan: plan(), allowDowngrades: true, offlineChangeMaxRows: 100 })).rejects.toThrow(
      `datahub: REFUSED: rolling back ${m.id}, down step 1 (line 14), is offline: it holds ${KLINES} under ACCESS EXCLUSIVE`,
    );
    expect(await ledger()).toEqual([{ id: m.id, status: 'applied', steps_done: 1, steps_total: 1, error: null }]);
  });
});

describe('command-line settings', () => {
  test('are read into the runner settings; anything but a whole number is refused', () => {
    expect(parseRunnerFlags(['--lock-timeout-ms', '250', '--lock-retries', '0', '--offline-max-rows', '5000'])).toEqual({ lockTimeoutMs: 250, offlineChangeMaxRows: 5000, lockRetries: { retries: 0 } });
    expect(runnerSettings(parseRunnerFlags(['--statement-timeout-ms', '60000', '--lock-wait-ms', '1000', '--lock-retry-backoff-ms', '200', '--lock-retry-max-backoff-ms', '800']))).toEqual({
      ...DEFAULT_RUNNER_SETTINGS,
      statementTimeoutMs: 60000,
      lockWaitMs: 1000,
      lockRetries: { retries: 8, backoffMs: 200, maxBackoffMs: 800 },
    });
    expect(() => parseRunnerFlags(['--lock-retry-backoff-ms', '50000'])).toThrow('lockRetries.maxBackoffMs 30000 is below backoffMs 50000: the cap must be at least the first wait');
    expect(parseRunnerFlags([])).toEqual({});
    expect(() => parseRunnerFlags(['--lock-timeout-ms', '0'])).toThrow('--lock-timeout-ms "0": give a positive whole number, e.g. --lock-timeout-ms 500');
    expect(() => parseRunnerFlags(['--lock-retries', '-1'])).toThrow('--lock-retries "-1": give a whole number (0 or more), e.g. --lock-retries 8');
    expect(() => parseRunnerFlags(['--offline-max-rows', '1e6'])).toThrow('--offline-max-rows "1e6"');
  });

  test('what synth writes is what the runner reads, 0 included where it means something', () => {
    for (const settings of [DEFAULT_RUNNER_SETTINGS, { ...DEFAULT_RUNNER_SETTINGS, lockRetries: { retries: 0, backoffMs: 5, maxBackoffMs: 5 }, offlineChangeMaxRows: 0 }]) {
      expect(runnerSettings(parseRunnerFlags(formatRunnerFlags(settings)))).toEqual(settings);
    }
    expect(() => formatRunnerFlags({ ...DEFAULT_RUNNER_SETTINGS, lockTimeoutMs: 0 })).toThrow('--lock-timeout-ms "0": give a positive whole number');
  });
});
