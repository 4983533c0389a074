// Adoption proven against the real thing (issue 13): the legacy database the seed's Alembic chain
// builds (test/support/legacy-database.ts: real Alembic where installed, else the SQL it printed),
// holding rows and owned by the legacy user, is introspected (the written files compile), given
// its first migrations, and adopted service by service through the CLI, with the platform's and
// the services' grants applied as the postgresql provider applies them. Then: the catalog equals
// a fresh deploy of the same model in another database, rows are kept, every app role may do
// exactly what the policy says, the legacy user's unqualified queries still work, and the next
// generated migration applies. On PostgreSQL 18 and 14.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Testing } from '../../lib/cdk';
import { Client } from 'pg';
import { appRoleName, BedrockProject, DefineTables, defineEnvironment, EnvironmentConfig, MigrationDirectory, ownerRoleName, quoteIdentifier, ServiceRegistry, ServiceStack, Table, text } from '../../lib';
import { readLiveSchema } from '../../lib/catalog/live-schema';
import { schemaDifferences } from '../../lib/catalog/schema-differences';
import { schemaDrift } from '../../lib/catalog/drift';
import { withEquivalentExpressions } from '../../lib/catalog/equivalent-expressions';
import { migrationPlan } from '../../lib/migrations/migration-plan';
import { modelOf } from '../../lib/project';
import { converge } from '../../lib/runner/runner';
import { historyRows } from '../../lib/runner/ledger';
import { cliOnDatabase } from '../support/cli-on-database';
import { hasTestServer, TestDatabase, TestServer, useTestDatabase } from '../support/database';
import { buildLegacyDatabase, LEGACY_HEAD, LEGACY_TABLES } from '../support/legacy-database';
import { applyStep, literal, stepsOf } from '../support/provider-sql';
import { compileProblems, LIBRARY, loadTables } from '../support/written-tables';

const SERVICES = ['datahub', 'decision_engine', 'portfolio', 'backtesting', 'mlops', 'notification'];
/** Adopted in this order: mlops first, so decision_engine's reference into ml_models names a table in code. */
const ADOPT_ORDER = ['mlops', 'datahub', 'decision_engine', 'portfolio', 'backtesting'];
const PASSWORD = 'adopt-test-only';
const ROWS = 200;

/** The seed's Table Ownership Registry as the project keeps it (the README's example). */
const OWNERSHIP = path.resolve(__dirname, '../../docs/legacy-ownership.md');

interface Setup {
  readonly project: BedrockProject & { tables: Record<string, DefineTables>; environments: EnvironmentConfig[] };
  readonly root: string;
  readonly legacyRole: string;
  readonly legacyUrl: string;
}

function newProject(): Setup['project'] & { root: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'bedrock-adopt-'));
  const registry = new ServiceRegistry(SERVICES.map((name) => ({ name, team: `@t/${name}` })));
  const tables: Record<string, DefineTables> = Object.fromEntries(SERVICES.map((s) => [s, () => undefined]));
  return { root, registry, tables, environments: [] as EnvironmentConfig[], migrationsDirectory: (service) => path.join(root, 'stacks', service, 'migrations') };
}

/** Roles are cluster-wide: a test starts from none of the services' roles. */
async function dropServiceRoles(db: TestDatabase): Promise<void> {
  for (const service of SERVICES) {
    for (const role of [appRoleName(service), ownerRoleName(service)]) {
      if ((await db.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount) await db.query(`DROP OWNED BY ${quoteIdentifier(role)}; DROP ROLE ${quoteIdentifier(role)}`);
    }
  }
}

/** The environment's stacks as the provider would apply them; `head` runs when a service's migrations head is reached. */
function synthStacks(project: BedrockProject, environment: EnvironmentConfig): { platform: Record<string, any>; services: [ServiceStack, Record<string, any>][] } {
  const defined = defineEnvironment(Testing.app(), { environment, registry: project.registry, tables: project.tables, migrationsDirectory: project.migrationsDirectory });
  return { platform: JSON.parse(Testing.synth(defined.platform, true)), services: defined.services.map((s) => [s, JSON.parse(Testing.synth(s, true))]) };
}

async function runHead(client: Client, project: BedrockProject, service: string): Promise<void> {
  const migrations = new MigrationDirectory(project.migrationsDirectory(service), service, service).read().migrations;
  await converge(client, { plan: migrationPlan(service, ownerRoleName(service), migrations), allowDowngrades: false, log: () => undefined });
}

async function applyServiceStack(db: TestDatabase, project: BedrockProject, stack: ServiceStack, json: Record<string, any>): Promise<void> {
  for (const step of stepsOf(json)) await applyStep(db.client, step, db.name, async (s) => (s.address.includes('migrations_head') ? runHead(db.client, project, stack.service) : undefined));
}

/** Every row of every legacy table, as text, per table: what must survive the adoption. */
async function rowsOf(client: Client, schemaOf: (table: string) => string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of Object.keys(LEGACY_TABLES)) {
    const name = `${quoteIdentifier(schemaOf(table))}.${quoteIdentifier(table)}`;
    const { rows } = await client.query(`SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM ${name} t`);
    out[table] = `${rows[0].n} rows, ${rows[0].digest}`;
  }
  return out;
}

async function connectAs(db: TestDatabase, role: string, password: string): Promise<Client> {
  const url = new URL(db.url);
  url.username = role;
  url.password = password;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  return client;
}

const PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];

describe.each<[string, TestServer]>([
  ['PostgreSQL 18', 'default'],
  ['PostgreSQL 14', 14],
])('adopting the Alembic-built database on %s', (_label, server) => {
  const db = useTestDatabase(server);
  const fresh = useTestDatabase(server);
  const available = hasTestServer(server);
  const setup = {} as Setup;
  let before: Record<string, string>;
  const out: Record<string, string> = {};

  beforeAll(async () => {
    if (!available) return;
    const legacyRole = `legacy_${randomBytes(4).toString('hex')}`;
    await db.query(`CREATE ROLE ${quoteIdentifier(legacyRole)} LOGIN PASSWORD ${literal(PASSWORD)}`);
    await db.query(`GRANT CREATE ON SCHEMA public TO ${quoteIdentifier(legacyRole)}`);
    const legacyUrl = Object.assign(new URL(db.url), { username: legacyRole, password: PASSWORD }).toString();
    const legacy = await buildLegacyDatabase(db.client, legacyUrl, { rows: ROWS });
    console.log(`legacy database built by ${legacy.via} at revision ${legacy.revision}${legacy.reason ? ` (${legacy.reason})` : ''}`);
    before = await rowsOf(db.client, () => 'public');
    const project = newProject();
    // The old services connect as the legacy role until they switch to their app roles.
    project.environments = [{ name: 'adopt', connection: { database: db.name, username: 'postgres' }, services: SERVICES, legacyRoles: [legacyRole] }];
    Object.assign(setup, { project, root: project.root, legacyRole, legacyUrl });
    await dropServiceRoles(db);
  }, 120_000);

  afterAll(async () => {
    if (!available || !setup.legacyRole) return;
    // Runs after the databases' own hooks dropped them (jest runs afterAll hooks in the order they
    // were added): the role owns nothing any more.
    const admin = new Client({ connectionString: Object.assign(new URL(db.url), { pathname: '/postgres' }).toString() });
    await admin.connect();
    try {
      await admin.query(`DROP ROLE IF EXISTS ${quoteIdentifier(setup.legacyRole)}`);
    } finally {
      await admin.end();
    }
  });

  const skip = (): boolean => {
    if (!available) console.log(`skipped: the run has no ${_label} server (its npm package is not installed)`);
    return !available;
  };

  test('introspect writes, for each service, a tables.ts that compiles; generate gives each its first migration', async () => {
    if (skip()) return;
    const { project, root } = setup;
    const ownership = OWNERSHIP;
    for (const service of ADOPT_ORDER) {
      const file = path.join(root, 'stacks', service, 'tables.ts');
      const result = await cliOnDatabase(project, db.url, ['introspect', '--service', service, '--ownership', ownership, '--import', LIBRARY]);
      out[`introspect ${service}`] = result.out;
      expect(result).toMatchObject({ code: 0, err: '' });
      expect(result.out).toContain(`wrote ${file}`);
      expect(result.out).not.toContain('NOT EXPRESSED');
      expect(compileProblems(file)).toEqual([]);
      project.tables[service] = loadTables(file, `${service.replace(/_(.)/g, (_m, c: string) => c.toUpperCase())}Tables`);
    }
    // The cross-service foreign key became an application-level reference, with its story.
    const signals = readFileSync(path.join(root, 'stacks', 'decision_engine', 'tables.ts'), 'utf8');
    expect(signals).toMatch(/Was foreign key signals_ml_model_id_fkey \(ON DELETE SET NULL\) into ml_models, owned by mlops/);
    expect(signals).toContain("table: 'mlops.ml_models'");
    expect(out['introspect decision_engine']).toContain('foreign key signals_ml_model_id_fkey of signals points into mlops');
    for (const service of ADOPT_ORDER) {
      const result = await cliOnDatabase(project, db.url, ['generate', service, 'adopt_legacy_tables']);
      expect(result).toMatchObject({ code: 0, err: '' });
    }
    expect(await cliOnDatabase(project, db.url, ['check'])).toMatchObject({ code: 0 });
  }, 120_000);

  test('the platform stack, then adopt --dry-run prints the SQL and changes nothing, then adopt moves every service', async () => {
    if (skip()) return;
    const { project } = setup;
    const stacks = synthStacks(project, project.environments[0]);
    for (const step of stepsOf(stacks.platform)) await applyStep(db.client, step, db.name, async () => undefined);

    // Deploying a service stack before its adoption would create empty tables beside the legacy ones: refused (Flyway's baseline rule).
    await expect(runHead(db.client, project, 'datahub')).rejects.toThrow(
      /^datahub: REFUSED: public\.chain_data, public\.klines already exist, and datahub's migrations would create them again, empty, in schema datahub: this database was built by the old process\. Adopt those tables first/,
    );
    expect((await db.query(`SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'datahub'::regnamespace`)).rows[0].n).toBe(0);

    const dry = await cliOnDatabase(project, db.url, ['adopt', '--service', 'datahub', '--env', 'adopt', '--dry-run']);
    expect(dry).toMatchObject({ code: 0, err: '' });
    expect(dry.out).toContain('LOCK TABLE "public"."chain_data", "public"."klines" IN ACCESS EXCLUSIVE MODE;');
    expect(dry.out).toContain('ALTER TABLE "public"."klines" SET SCHEMA "datahub";');
    expect(dry.out).toContain('ALTER TABLE "datahub"."klines" OWNER TO "datahub_owner";');
    expect(dry.out).toContain(`ALTER ROLE ${quoteIdentifier(setup.legacyRole)} IN DATABASE ${quoteIdentifier(db.name)} SET search_path = "$user", public, "datahub";`);
    expect((await db.query(`SELECT to_regclass('public.klines') IS NOT NULL AS still`)).rows[0].still).toBe(true);
    expect((await db.query(`SELECT count(*)::int AS n FROM bedrock.migrations`)).rows[0].n).toBe(0); // the refused deploy made the ledger, recorded nothing

    for (const service of ADOPT_ORDER) {
      const last = service === ADOPT_ORDER[ADOPT_ORDER.length - 1];
      const result = await cliOnDatabase(project, db.url, ['adopt', '--service', service, '--env', 'adopt', ...(last ? ['--drop-alembic-version'] : [])]);
      out[`adopt ${service}`] = result.out;
      expect(result).toMatchObject({ code: 0, err: '' });
      expect(result.out).toContain(`adopted from schema public, Alembic revision ${LEGACY_HEAD}`);
    }
    expect(out['adopt decision_engine']).toContain('foreign key signals_ml_model_id_fkey of signals into mlops.ml_models is dropped');
    expect(out['adopt datahub']).toContain('alembic_version (revision');
    for (const [stack, json] of stacks.services) await applyServiceStack(db, project, stack, json);
    for (const service of SERVICES) await db.query(`ALTER ROLE ${quoteIdentifier(appRoleName(service))} PASSWORD ${literal(PASSWORD)}`);
  }, 120_000);

  test('the catalog equals a fresh deploy of the same model; every object is owned by its service; rows are kept', async () => {
    if (skip()) return;
    const { project } = setup;
    const stacks = synthStacks(project, { name: 'fresh', connection: { database: fresh.name, username: 'postgres' }, services: SERVICES });
    for (const step of stepsOf(stacks.platform)) await applyStep(fresh.client, step, fresh.name, async () => undefined);
    for (const service of ADOPT_ORDER) {
      await runHead(fresh.client, project, service);
      await db.query('SET search_path = pg_catalog, pg_temp');
      await fresh.query('SET search_path = pg_catalog, pg_temp');
      const expected = await readLiveSchema(fresh.client, service);
      await db.query('BEGIN');
      // Expressions PostgreSQL prints differently for the same tree are compared after a round trip (see equivalent-expressions.ts).
      const adopted = await withEquivalentExpressions(db.client, expected, await readLiveSchema(db.client, service), (table) => ({ schema: service, table }));
      await db.query('ROLLBACK');
      expect(schemaDifferences(service, expected, adopted)).toEqual([]);
      expect(await schemaDrift(db.client, modelOf(project, service))).toEqual([]);
    }
    const owners = await db.query(
      `SELECT n.nspname, c.relname, c.relkind, pg_get_userbyid(c.relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ANY($1) AND pg_get_userbyid(c.relowner) <> n.nspname || '_owner'
       UNION ALL SELECT n.nspname, t.typname, 'T', pg_get_userbyid(t.typowner) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = ANY($1) AND t.typtype = 'e' AND pg_get_userbyid(t.typowner) <> n.nspname || '_owner'`,
      [ADOPT_ORDER],
    );
    expect(owners.rows).toEqual([]);
    expect((await db.query(`SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'S', 'i')`)).rows[0].n).toBe(0);
    expect(await rowsOf(db.client, (table) => LEGACY_TABLES[table as keyof typeof LEGACY_TABLES])).toEqual(before);
    const history = await historyRows(db.client, 'datahub');
    expect(history).toEqual([expect.objectContaining({ action: 'adopt', note: `adopted from schema public, Alembic revision ${LEGACY_HEAD}` })]);
  }, 120_000);

  test('every app role may do exactly what the policy says on every adopted table', async () => {
    if (skip()) return;
    const actual: Record<string, string[]> = {};
    const expected: Record<string, string[]> = {};
    for (const service of SERVICES) {
      for (const [table, owner] of Object.entries(LEGACY_TABLES)) {
        const key = `${service} on ${owner}.${table}`;
        expected[key] = service === owner ? ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] : ['SELECT'];
        const { rows } = await db.query(`SELECT p FROM unnest($3::text[]) p WHERE has_table_privilege($1, $2, p)`, [appRoleName(service), `${owner}.${table}`, PRIVILEGES]);
        actual[key] = rows.map((r) => r.p);
        const owns = await db.query(`SELECT pg_has_role($1, $2, 'USAGE') AS owns`, [appRoleName(service), ownerRoleName(owner)]);
        if (owns.rows[0].owns) actual[key].push('OWNER');
      }
    }
    expect(actual).toEqual(expected);
  });

  test("the legacy user's unqualified queries still work: reads, writes, sequences and enum casts", async () => {
    if (skip()) return;
    const legacy = await connectAs(db, setup.legacyRole, PASSWORD);
    try {
      expect((await legacy.query('SELECT count(*)::int AS n FROM klines')).rows[0].n).toBe(ROWS);
      const position = await legacy.query(`INSERT INTO positions (account_id, symbol, avg_entry_price) VALUES ('acct-new', 'BTCUSDT', 42000) RETURNING id`);
      expect(Number(position.rows[0].id)).toBe(ROWS + 1); // the moved sequence continues
      await legacy.query(`INSERT INTO trades (position_id, side, price, quantity, exchange_order_id, executed_at) VALUES ($1, 'buy', 1, 1, 'legacy-order', now())`, [position.rows[0].id]).catch((error: Error) => {
        throw new Error(`the legacy user could not write a trade: ${error.message}`);
      });
      expect((await legacy.query(`SELECT count(*)::int AS n FROM klines WHERE timeframe = '1m'::kline_interval OR true`)).rows[0].n).toBe(ROWS);
      // It no longer changes the schema: that is the owner's, through migrations.
      await expect(legacy.query('ALTER TABLE klines ADD COLUMN intruder integer')).rejects.toThrow(/must be owner/);
    } finally {
      await legacy.end();
    }
  });

  test('the next generated migration applies on the adopted database', async () => {
    if (skip()) return;
    const { project } = setup;
    const adopted = project.tables.datahub;
    project.tables.datahub = (stack) => {
      adopted(stack);
      new Table(stack, 'kline_notes', { columns: { note: text().notNull() } });
    };
    const generated = await cliOnDatabase(project, db.url, ['generate', 'datahub', 'add_kline_notes']);
    expect(generated).toMatchObject({ code: 0, err: '' });
    const migrate = await cliOnDatabase(project, db.url, ['migrate', '--service', 'datahub']);
    expect(migrate).toMatchObject({ code: 0, err: '' });
    expect(await schemaDrift(db.client, modelOf(project, 'datahub'))).toEqual([]);
    // The adopted migration never ran; the new one did.
    const history = await historyRows(db.client, 'datahub');
    expect(history.map((h) => `${h.action} ${h.id.slice(16)}`)).toEqual(['adopt datahub_adopt_legacy_tables', 'up datahub_add_kline_notes']);
  }, 120_000);
});
