// The runner's session on real PostgreSQL: settings its quoting relies on are pinned whatever
// the database says, every wait is bounded, and a lost connection ends in one clear line.
import { spawn } from 'node:child_process';
import { createServer, connect as tcpConnect, Socket } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { quoteIdentifier } from '../../lib';
import { checksumOf, formatMigration, Migration, parseMigration } from '../../lib/migrations/migration-file';
import { migrationPlan } from '../../lib/migrations/migration-plan';
import { runnerBundle } from '../../lib/runner/bundle';
import { manifestText } from '../../lib/runner/manifest';
import { converge } from '../../lib/runner/runner';
import { quoteLiteral } from '../../lib/sql/literal';
import { useTestDatabase } from '../support/database';
import { prepareServices } from '../support/platform';

const db = useTestDatabase();

beforeAll(async () => {
  await prepareServices(db, ['portfolio']);
});

beforeEach(async () => {
  await db.query(`DROP SCHEMA IF EXISTS bedrock CASCADE; DROP SCHEMA portfolio CASCADE; CREATE SCHEMA portfolio AUTHORIZATION portfolio_owner`);
  await db.query(`ALTER DATABASE ${quoteIdentifier(db.name)} RESET ALL`);
});

function migration(id: string, up: string[], down: string[] = ['SELECT 1;']): Migration {
  const text = formatMigration({ id, service: 'portfolio', summary: [], destructive: [], up, down });
  return parseMigration(`${id}.sql`, text);
}

/** Waits until the runner's session is inside a migration's pg_sleep (at most 4 s). */
async function runnerInsideSleep(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const busy = await db.query(`SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'bedrock-runner portfolio %' AND query LIKE '%pg_sleep%'`);
    if (busy.rowCount === 1) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the runner never reached the migration');
}

/** A client of the test database, connected after any ALTER DATABASE ... SET took effect. */
async function freshClient(): Promise<Client> {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  return client;
}

describe('settings the runner pins', () => {
  // On today's main, with standard_conforming_strings off for the database, the backslash
  // before a quote split the runner's ledger INSERT: the migration's text ran as SQL after
  // RESET ROLE, as the deploying user.
  test("with standard_conforming_strings off in the database, a check holding \\' applies verbatim and the ledger holds the exact SQL", async () => {
    await db.query(`ALTER DATABASE ${quoteIdentifier(db.name)} SET standard_conforming_strings = off`);
    const check = `body <> 'x\\' AND body <> '\\'`;
    const m = migration('20260101_000000_portfolio_notes', [`CREATE TABLE portfolio.notes (body text, CONSTRAINT notes_body_check CHECK (${check}));`]);
    const client = await freshClient();
    try {
      expect((await client.query(`SHOW standard_conforming_strings`)).rows[0].standard_conforming_strings).toBe('off');
      await converge(client, { plan: migrationPlan('portfolio', 'portfolio_owner', [m]), allowDowngrades: false });
    } finally {
      await client.end();
    }
    const ledger = await db.query(`SELECT up_sql FROM bedrock.migrations WHERE service = 'portfolio'`);
    expect(ledger.rows).toEqual([{ up_sql: m.up }]);
    const constraint = await db.query(`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'notes_body_check'`);
    expect(constraint.rows[0].def).toBe(`CHECK (((body <> 'x\\'::text) AND (body <> '\\'::text)))`);
  });

  test('search_path is pg_catalog, the service schema, public, pg_temp, whatever the database sets', async () => {
    await db.query(`ALTER DATABASE ${quoteIdentifier(db.name)} SET search_path = bedrock, datahub`);
    const m = migration('20260101_000000_portfolio_settings', [
      `CREATE TABLE portfolio.settings AS SELECT current_setting('search_path') AS search_path, current_setting('standard_conforming_strings') AS scs, current_setting('client_encoding') AS encoding;`,
    ]);
    const client = await freshClient();
    try {
      await converge(client, { plan: migrationPlan('portfolio', 'portfolio_owner', [m]), allowDowngrades: false });
    } finally {
      await client.end();
    }
    expect((await db.query(`SELECT * FROM portfolio.settings`)).rows).toEqual([{ search_path: 'pg_catalog, portfolio, public, pg_temp', scs: 'on', encoding: 'UTF8' }]);
  });

  test('quoteLiteral reads back the same string under either standard_conforming_strings', async () => {
    const samples = ["it's", 'back\\slash', "\\'", "a\\''b", 'tab\tnew\nline\r', '\u202e\u200b\u2028', 'é✓𝄞', '\u0001\u001f\u007f\u0085'];
    for (const setting of ['on', 'off']) {
      await db.query(`SET standard_conforming_strings = ${setting}`);
      for (const sample of samples) {
        const { rows } = await db.query(`SELECT ${quoteLiteral(sample)} AS value`);
        expect({ setting, value: rows[0].value }).toEqual({ setting, value: sample });
      }
    }
    await db.query('RESET standard_conforming_strings');
  });
});

describe("the runner's own SQL resolves names in pg_catalog only", () => {
  // Found by an attacker's pass: the runner's session had the service schema on its path, so a
  // domain named `to_regclass` turned the runner's `to_regclass('bedrock.migrations')` into a
  // cast whose CHECK ran as the deploying user; an operator `*` for (double precision, integer)
  // in the service schema ran inside the ledger INSERT, after RESET ROLE. These migrations
  // bypass the statement judge (converge is called directly), as a judge gap would.
  const trap = `pg_catalog.set_config('bedrock_test.ran_as', current_user::text, false) IS NOT NULL`;

  test('a domain named like a function the runner calls, and a shadowing operator, are never used by it', async () => {
    const traps = migration('20260101_000000_portfolio_traps', [
      `CREATE DOMAIN portfolio.to_regclass AS text CHECK (${trap});`,
      `CREATE DOMAIN portfolio.hashtext AS text CHECK (${trap});`,
      `CREATE FUNCTION portfolio.times(double precision, integer) RETURNS double precision LANGUAGE sql AS $$ SELECT CASE WHEN ${trap} THEN $1 ELSE $1 END $$;`,
      'CREATE OPERATOR portfolio.* (LEFTARG = double precision, RIGHTARG = integer, FUNCTION = portfolio.times);',
    ]);
    const next = migration('20260101_000001_portfolio_next', ['CREATE TABLE portfolio.after_traps (id int);']);
    const client = await freshClient();
    try {
      await converge(client, { plan: migrationPlan('portfolio', 'portfolio_owner', [traps]), allowDowngrades: false });
      const again = await converge(client, { plan: migrationPlan('portfolio', 'portfolio_owner', [traps, next]), allowDowngrades: false });
      expect(again.applied).toEqual([next.id]);
      expect((await client.query(`SELECT current_setting('bedrock_test.ran_as', true) AS who`)).rows[0].who ?? '').toBe('');
    } finally {
      await client.end();
    }
  });
});

describe('bounded waits', () => {
  // On today's main the ledger's setup lock was waited for with no timeout: a session holding
  // that advisory key blocked every first deploy forever.
  test('a session holding the ledger setup lock makes the first deploy fail in bounded time, naming it', async () => {
    const holder = await freshClient();
    await holder.query(`SET application_name = 'stray session'`);
    await holder.query(`SELECT pg_advisory_lock(hashtext('bedrock'), 0)`);
    const client = await freshClient();
    const started = Date.now();
    try {
      const m = migration('20260101_000000_portfolio_x', ['SELECT 1;']);
      await expect(converge(client, { plan: migrationPlan('portfolio', 'portfolio_owner', [m]), allowDowngrades: false, lockWaitMs: 500 })).rejects.toThrow(
        /^portfolio: creating the ledger \(schema bedrock\) waits for the advisory lock \(hashtext\('bedrock'\), 0\), held by pid \d+ \(user postgres, application "stray session", .*\)\. Waited 1 s: /,
      );
    } finally {
      await client.end();
      await holder.end();
    }
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await db.query(`SELECT to_regclass('bedrock.migrations') AS t`)).rows[0].t).toBeNull();
  });
});

describe('a lost connection', () => {
  async function runnerTerminatedDuring(up: string[]): Promise<{ code: number | null; stderr: string; id: string }> {
    const m = migration('20260101_000000_portfolio_slow', up);
    const manifest = manifestText(migrationPlan('portfolio', 'portfolio_owner', [m]), [m]);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'bedrock-lost-')), 'manifest.json');
    writeFileSync(file, manifest);
    const child = spawn(process.execPath, [runnerBundle(), '--manifest', file, '--expect', checksumOf(manifest)], { env: { ...process.env, DATABASE_URL: db.url }, stdio: 'pipe' });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const deadline = Date.now() + 20_000;
    for (;;) {
      const busy = await db.query(`SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'bedrock-runner portfolio %' AND query LIKE '%pg_sleep%'`);
      if (busy.rowCount === 1) {
        await db.query('SELECT pg_terminate_backend($1)', [busy.rows[0].pid]);
        break;
      }
      if (Date.now() > deadline) throw new Error('the runner never reached the migration');
      await new Promise((r) => setTimeout(r, 50));
    }
    return { code: await exited, stderr, id: m.id };
  }

  test('terminated inside a migration: one line, naming it, saying it was rolled back; no stack trace', async () => {
    const { code, stderr, id } = await runnerTerminatedDuring(['CREATE TABLE portfolio.half (id int);', 'SELECT pg_sleep(10);']);
    expect(code).toBe(1);
    expect(stderr).toBe(
      `portfolio: the connection was lost while applying ${id} (terminating connection due to administrator command (SQLSTATE 57P01)): rolled back by PostgreSQL, the database and the ledger are as they were before it; deploy again\n`,
    );
    expect((await db.query(`SELECT to_regclass('portfolio.half') AS t`)).rows[0].t).toBeNull();
    expect((await db.query(`SELECT count(*)::int AS n FROM bedrock.migrations`)).rows[0].n).toBe(0);
  });
});

describe('a silent network', () => {
  /** A TCP proxy to the test server that can stop forwarding, as a dead link does: no reset, no answer. */
  async function freezableProxy(): Promise<{ url: string; freeze(): void; dropClientSide(): void; close(): void }> {
    const target = new URL(db.url);
    const sockets: Socket[] = [];
    let frozen = false;
    const server = createServer((client) => {
      const upstream = tcpConnect(Number(target.port), target.hostname);
      sockets.push(client, upstream);
      client.on('data', (d) => frozen || upstream.write(d));
      upstream.on('data', (d) => frozen || client.write(d));
      client.on('error', () => undefined);
      upstream.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = new URL(db.url);
    url.port = String((server.address() as { port: number }).port);
    return {
      url: url.toString(),
      freeze: () => (frozen = true),
      // Only the runner's side of the link dies (a NAT or load balancer reset): the server's stays open.
      dropClientSide: () => sockets.filter((_, i) => i % 2 === 0).forEach((s) => s.destroy()),
      close: () => (sockets.forEach((s) => s.destroy()), server.close()),
    };
  }

  /** A runner connection that goes through a new proxy. */
  async function throughProxy(): Promise<{ proxy: Awaited<ReturnType<typeof freezableProxy>>; client: Client }> {
    const proxy = await freezableProxy();
    const client = new Client({ connectionString: proxy.url });
    client.on('error', () => undefined);
    await client.connect();
    return { proxy, client };
  }

  // Found by an attacker's pass: with the link silent mid-migration, the runner waited forever
  // (the server's statement_timeout answer never arrived).
  test('no answer within the bound: the connection is closed and the migration reported unresolved, in bounded time', async () => {
    const { proxy, client } = await throughProxy();
    const m = migration('20260101_000000_portfolio_silent', ['SELECT pg_catalog.pg_sleep(0.4);', 'CREATE TABLE portfolio.silent (id int);']);
    const started = Date.now();
    try {
      const running = converge(client, { plan: migrationPlan('portfolio', 'portfolio_owner', [m]), allowDowngrades: false, statementTimeoutMs: 1000 });
      await runnerInsideSleep();
      proxy.freeze();
      await expect(running).rejects.toThrow(
        `portfolio: no answer from the server for 4 s while applying ${m.id} (the network went silent?): the connection was closed, and it is unresolved: PostgreSQL rolls it back unless its COMMIT had already run.`,
      );
    } finally {
      proxy.close();
      await client.end().catch(() => undefined);
    }
    expect(Date.now() - started).toBeLessThan(9_000);
  });

  // Found by a second attacker's pass: with only the client side reset, the old backend ran on
  // to COMMIT after the runner had read the ledger and said "rolled back".
  test('a connection lost on the client side only: never "rolled back" while the old session may still commit', async () => {
    const { proxy, client } = await throughProxy();
    const m = migration('20260101_000000_portfolio_late', ['SELECT pg_catalog.pg_sleep(1.5);', 'CREATE TABLE portfolio.late (a integer);']);
    try {
      const running = converge(client, {
        plan: migrationPlan('portfolio', 'portfolio_owner', [m]),
        allowDowngrades: false,
        lockWaitMs: 500,
        reconnect: async () => freshClient(),
      });
      await runnerInsideSleep();
      proxy.dropClientSide();
      await expect(running).rejects.toThrow(/^portfolio: the connection was lost while applying 20260101_000000_portfolio_late \(.*\); whether it committed cannot be told \(no new connection, or the old session still holds the deploy lock\), so it is unresolved: /);
      // The old session did commit: "rolled back" would have been false.
      for (let i = 0; i < 100 && (await db.query(`SELECT to_regclass('portfolio.late') AS t`)).rows[0].t === null; i++) await new Promise((r) => setTimeout(r, 50));
      expect((await db.query(`SELECT to_regclass('portfolio.late') AS t`)).rows[0].t).toBe('portfolio.late');
    } finally {
      proxy.close();
      await client.end().catch(() => undefined);
    }
  });
});
