// adopt's refusals (issue 13: "Refuses, listing every difference, when anything does not match;
// nothing half-done"): each case builds the seed's legacy database in a database of its own
// (test/support/legacy-database.ts, from the fixture), breaks one thing, runs `adopt` through the
// CLI and asserts the exact refusal (the object named, the fix said) and that nothing changed: the
// legacy tables still in public with their owner, no ledger row, the legacy role's search_path
// untouched, alembic_version still there. The service's first migration is written once, by
// introspect and generate on a pristine legacy database, and shared by every case.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Testing } from '../../lib/cdk';
import { Client } from 'pg';
import { appRoleName, BedrockProject, DefineTables, defineEnvironment, EnvironmentConfig, MigrationDirectory, ownerRoleName, quoteIdentifier, ServiceRegistry } from '../../lib';
import { cliOnDatabase, CliResult } from '../support/cli-on-database';
import { TestDatabase, useTestDatabase } from '../support/database';
import { buildLegacyDatabase, LEGACY_HEAD, LEGACY_TABLES } from '../support/legacy-database';
import { applyStep, literal, stepsOf } from '../support/provider-sql';
import { compileProblems, LIBRARY, loadTables } from '../support/written-tables';

const SERVICES = ['datahub', 'decision_engine', 'portfolio', 'backtesting', 'mlops', 'notification'];
const ENV = 'legacy';
const PASSWORD = 'adopt-refusals-test-only';
const ROWS = 20;
const REFUSED = 'datahub: REFUSED: adopt changed nothing:';
const LEGACY_NAMES = Object.keys(LEGACY_TABLES).sort();
/** Every other service's legacy table: what stays in public after datahub's adopt. */
const OTHERS = LEGACY_NAMES.filter((t) => LEGACY_TABLES[t as keyof typeof LEGACY_TABLES] !== 'datahub');

type Project = BedrockProject & {
  tables: Record<string, DefineTables>;
  environments: EnvironmentConfig[];
};

const template = useTestDatabase();
/** Roles are cluster-wide: random names, dropped once every database of the file is gone. */
const rolesToDrop: string[] = [];
const shared = { legacyRole: '', root: '', firstMigration: '' };

function newProject(root: string, tables: Record<string, DefineTables>, environments: EnvironmentConfig[] = []): Project {
  const registry = new ServiceRegistry(SERVICES.map((name) => ({ name, team: `@t/${name}` })));
  return {
    registry,
    tables,
    environments,
    migrationsDirectory: (service) => path.join(root, 'stacks', service, 'migrations'),
  };
}

const emptyTables = (): Record<string, DefineTables> => Object.fromEntries(SERVICES.map((s) => [s, () => undefined]));
let datahubTables: DefineTables;

/** The project every case shares (tables.ts and first migration written in beforeAll), with an environment on `db`. */
function projectOn(db: TestDatabase): Project {
  return newProject(shared.root, { ...emptyTables(), datahub: datahubTables }, [
    {
      name: ENV,
      connection: { database: db.name, username: 'postgres' },
      services: SERVICES,
      legacyRoles: [shared.legacyRole],
    },
  ]);
}

/**
 * datahub's roles dropped, as before any platform stack ran. Best effort: roles are cluster-wide,
 * and a database of another test file running at the same time may hold objects of them (then
 * PostgreSQL refuses, 2BP01, and only the schema is missing: adopt's refusal is the same).
 * Returns whether they are gone.
 */
async function dropDatahubRoles(db: TestDatabase): Promise<boolean> {
  let gone = true;
  for (const role of [appRoleName('datahub'), ownerRoleName('datahub')]) {
    if (!(await db.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount) continue;
    await db.query(`DROP OWNED BY ${quoteIdentifier(role)}; DROP ROLE ${quoteIdentifier(role)}`).catch((error: { code?: string }) => {
      if (error.code !== '2BP01') throw error;
      gone = false;
    });
  }
  return gone;
}

function urlAs(db: TestDatabase, role: string, password: string): string {
  return Object.assign(new URL(db.url), {
    username: role,
    password,
  }).toString();
}

/** The seed's legacy database in `db`, built as the legacy role (which then owns everything), with ROWS rows per table. */
async function buildLegacy(db: TestDatabase): Promise<void> {
  await db.query(`GRANT CREATE ON SCHEMA public TO ${quoteIdentifier(shared.legacyRole)}`);
  await buildLegacyDatabase(db.client, urlAs(db, shared.legacyRole, PASSWORD), {
    rows: ROWS,
    via: 'fixture',
  });
}

/** The environment's platform stack, as the postgresql provider would apply it: schemas, owner roles, grants. */
async function deployPlatform(db: TestDatabase, project: Project): Promise<void> {
  const defined = defineEnvironment(Testing.app(), {
    environment: project.environments[0],
    registry: project.registry,
    tables: project.tables,
    migrationsDirectory: project.migrationsDirectory,
  });
  const platform = JSON.parse(Testing.synth(defined.platform, true));
  for (const step of stepsOf(platform)) await applyStep(db.client, step, db.name, async () => undefined);
}

/** What adopt may change, read back so "nothing changed" is a comparison. */
interface State {
  /** `schema.name kind owner acl` of every relation and enum type in public and datahub. */
  readonly objects: string[];
  readonly constraints: string[];
  /** The legacy role's settings in this database (ALTER ROLE ... IN DATABASE). */
  readonly legacySettings: string[];
  /** bedrock.migrations and history rows of datahub; 'nothing recorded' also when there is no ledger (adopt may create it before it refuses). */
  readonly ledger: string;
  readonly alembic: string[] | 'no alembic_version';
  readonly rows: number;
}

async function stateOf(db: TestDatabase): Promise<State> {
  const q = async (sql: string, values: unknown[] = []) => (await db.query(sql, values)).rows;
  const objects = await q(
    `SELECT format('%s.%s %s owned by %s%s', n.nspname, c.relname, c.relkind, pg_get_userbyid(c.relowner), ' ' || c.relacl::text) AS o
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'datahub')
     UNION ALL
     SELECT format('%s.%s enum owned by %s', n.nspname, t.typname, pg_get_userbyid(t.typowner)) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname IN ('public', 'datahub') AND t.typtype = 'e' ORDER BY 1`
  );
  const constraints = await q(
    `SELECT k.conrelid::regclass::text || ' ' || k.conname AS c FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN ('public', 'datahub') ORDER BY 1`
  );
  const settings = await q(`SELECT unnest(setconfig) AS s FROM pg_db_role_setting WHERE setrole = to_regrole($1) AND setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())`, [
    shared.legacyRole,
  ]);
  const ledgerExists = (await q(`SELECT to_regclass('bedrock.migrations') IS NOT NULL AS e`))[0].e as boolean;
  const recorded = ledgerExists
    ? `${(await q(`SELECT count(*)::int AS n FROM bedrock.migrations WHERE service = 'datahub'`))[0].n} ledger row(s), ${
        (await q(`SELECT count(*)::int AS n FROM bedrock.migration_history WHERE service = 'datahub'`))[0].n
      } history row(s)`
    : undefined;
  const ledger = recorded === undefined || recorded === '0 ledger row(s), 0 history row(s)' ? 'nothing recorded' : recorded;
  const alembicExists = (await q(`SELECT to_regclass('public.alembic_version') IS NOT NULL AS e`))[0].e as boolean;
  const alembic = alembicExists ? (await q('SELECT version_num FROM public.alembic_version ORDER BY 1')).map((r) => r.version_num as string) : 'no alembic_version';
  const klines = (await q(`SELECT coalesce(to_regclass('public.klines'), to_regclass('datahub.klines'))::text AS t`))[0].t as string;
  const rows = (await q(`SELECT count(*)::int AS n FROM ${klines}`))[0].n as number;
  return {
    objects: objects.map((r) => r.o),
    constraints: constraints.map((r) => r.c),
    legacySettings: settings.map((r) => r.s),
    ledger,
    alembic,
    rows,
  };
}

/**
 * Nothing was adopted: the state is the one before, and, said outright, `publicTables` are in
 * public owned by the legacy role, datahub holds only `leftovers`, the ledger records nothing,
 * the legacy role's search_path is unset and alembic_version holds the head.
 */
async function expectNothingAdopted(db: TestDatabase, before: State, publicTables: readonly string[] = [...LEGACY_NAMES, 'alembic_version'], leftovers: readonly string[] = []): Promise<void> {
  const after = await stateOf(db);
  expect(after).toEqual(before);
  const tables = after.objects.filter((o) => / r owned by /.test(o) && o.startsWith('public.')).map((o) => o.split(' ').slice(0, 5).join(' '));
  expect(tables).toEqual([...publicTables].sort().map((t) => `public.${t} r owned by ${shared.legacyRole}`));
  expect(after.objects.filter((o) => o.startsWith('public.') && / enum /.test(o))).toEqual(
    ['kline_interval', 'signalside', 'task_status', 'training_status'].map((e) => `public.${e} enum owned by ${shared.legacyRole}`)
  );
  expect(after.objects.filter((o) => o.startsWith('datahub.')).map((o) => o.split(' ')[0])).toEqual(leftovers.map((l) => `datahub.${l}`));
  expect(after.ledger).toBe('nothing recorded');
  expect(after.legacySettings).toEqual([]);
  expect(after.alembic).toEqual([LEGACY_HEAD]);
  expect(after.rows).toBe(ROWS);
}

const adoptDatahub = (project: Project, url: string, ...flags: string[]): Promise<CliResult> => cliOnDatabase(project, url, ['adopt', '--service', 'datahub', '--env', ENV, ...flags]);

/** What the CLI prints for a refusal: the header, then one line per refusal. */
const refusal = (...lines: string[]): CliResult => ({
  code: 1,
  out: '',
  err: [REFUSED, ...lines.map((l) => `  - ${l}`)].join('\n'),
});

/** The refusal with its lines sorted, for refusals listed in the catalog's order (adoption-facts reads the tables unordered). */
const inAnyOrder = (result: CliResult): CliResult => {
  const [header, ...lines] = result.err.split('\n');
  return { ...result, err: [header, ...lines.sort()].join('\n') };
};

/** A database of the case's own with the legacy tables, and (unless told) the platform stack deployed. */
function legacyCase(options: { platform?: boolean } = {}): {
  db: TestDatabase;
  project: () => Project;
} {
  const db = useTestDatabase();
  let project: Project;
  beforeAll(async () => {
    project = projectOn(db);
    await buildLegacy(db);
    if (options.platform !== false) await deployPlatform(db, project);
  }, 60_000);
  return { db, project: () => project };
}

beforeAll(async () => {
  shared.legacyRole = `legacy_${randomBytes(4).toString('hex')}`;
  rolesToDrop.push(shared.legacyRole);
  await template.query(`CREATE ROLE ${quoteIdentifier(shared.legacyRole)} LOGIN PASSWORD ${literal(PASSWORD)}`);
  await buildLegacy(template);
  shared.root = mkdtempSync(path.join(tmpdir(), 'bedrock-adopt-refusals-'));
  const project = newProject(shared.root, emptyTables());
  const introspected = await cliOnDatabase(project, template.url, ['introspect', '--service', 'datahub', '--tables', 'klines,chain_data', '--import', LIBRARY]);
  expect(introspected).toMatchObject({ code: 0, err: '' });
  const file = path.join(shared.root, 'stacks', 'datahub', 'tables.ts');
  expect(compileProblems(file)).toEqual([]);
  datahubTables = loadTables(file, 'datahubTables');
  project.tables.datahub = datahubTables;
  expect(await cliOnDatabase(project, template.url, ['generate', 'datahub', 'adopt_legacy_tables'])).toMatchObject({ code: 0, err: '' });
  shared.firstMigration = new MigrationDirectory(project.migrationsDirectory('datahub'), 'datahub', 'datahub').read().migrations[0].id;
}, 120_000);

afterAll(async () => {
  // Runs after every database of the file was dropped (jest runs a describe's afterAll hooks,
  // the databases' among them, before the file's, and the file's in the order they were added):
  // the roles own nothing any more.
  const admin = new Client({
    connectionString: Object.assign(new URL(template.url), {
      pathname: '/postgres',
    }).toString(),
  });
  await admin.connect();
  try {
    for (const role of rolesToDrop) await admin.query(`DROP ROLE IF EXISTS ${quoteIdentifier(role)}`);
  } finally {
    await admin.end();
  }
});

/** The line schemaDifferences gives, as adopt words it. */
const asOfFirst = (line: string): string => `${line} (the model as of ${shared.firstMigration})`;

describe('a column differs', () => {
  const { db, project } = legacyCase();
  test('klines.symbol widened after generate: the difference is listed, nothing moves', async () => {
    await db.query('ALTER TABLE public.klines ALTER COLUMN symbol TYPE varchar(40)');
    const before = await stateOf(db);
    const result = await adoptDatahub(project(), db.url);
    console.log(`a column differs:\n${result.err}`);
    await expectNothingAdopted(db, before);
    expect(result).toEqual(refusal(asOfFirst('column datahub.klines.symbol: type is character varying(32) in the model, character varying(40) in public')));
  });
});

describe('a table is missing', () => {
  const { db, project } = legacyCase();
  test('chain_data renamed by hand: the missing table is named, nothing moves', async () => {
    await db.query('ALTER TABLE public.chain_data RENAME TO chain_data_old');
    const before = await stateOf(db);
    const result = await adoptDatahub(project(), db.url);
    console.log(`a table is missing:\n${result.err}`);
    await expectNothingAdopted(db, before, [...LEGACY_NAMES.filter((t) => t !== 'chain_data'), 'chain_data_old', 'alembic_version']);
    // Its sequence is named too: chain_data_id_seq belongs to chain_data_old now, so adopt would not move it.
    expect(result).toEqual(refusal(asOfFirst('table datahub.chain_data is missing from public'), asOfFirst('sequence datahub.chain_data_id_seq is missing from public')));
  });
});

describe('an owner cannot be changed', () => {
  const { db, project } = legacyCase();
  let adopter = '';
  beforeAll(async () => {
    // A deploying role that is no superuser: a member of datahub's owner role (so it may give
    // the tables to it) and may create the ledger, but no member of the legacy tables' owner.
    adopter = `adopter_${randomBytes(4).toString('hex')}`;
    rolesToDrop.push(adopter);
    await db.query(`CREATE ROLE ${quoteIdentifier(adopter)} LOGIN PASSWORD ${literal(PASSWORD)}`);
    await db.query(`GRANT CONNECT, CREATE, TEMPORARY ON DATABASE ${quoteIdentifier(db.name)} TO ${quoteIdentifier(adopter)}`);
    await db.query(`GRANT ${quoteIdentifier(ownerRoleName('datahub'))} TO ${quoteIdentifier(adopter)}`);
  });

  const ownershipLines = (): string[] =>
    ['table public.klines', 'table public.chain_data', 'type public.kline_interval'].map(
      (object) =>
        `${object} is owned by ${shared.legacyRole}; the adopting role ${adopter} is neither a superuser nor a member of ${shared.legacyRole}, so it cannot move it or change its owner: run adopt as ${shared.legacyRole} or a superuser (or GRANT ${shared.legacyRole} TO ${adopter})`
    );
  const searchPathLine = (): string =>
    `the adopting role ${adopter} may not set the search_path of legacy role ${shared.legacyRole}: run adopt as a role that may (a superuser; ${shared.legacyRole} itself; a role with CREATEROLE and ADMIN OPTION on ${shared.legacyRole}, when ${shared.legacyRole} is not a superuser)`;

  test('run as a member of datahub_owner only: every table and type it cannot re-own is listed, nothing moves', async () => {
    const before = await stateOf(db);
    const result = await adoptDatahub(project(), urlAs(db, adopter, PASSWORD));
    console.log(`an owner cannot be changed:\n${result.err}`);
    await expectNothingAdopted(db, before);
    expect(inAnyOrder(result)).toEqual(inAnyOrder(refusal(...ownershipLines(), searchPathLine())));
  });

  test('--dry-run, which takes no lock, lists them (the refusal exists; only LOCK TABLE comes first without --dry-run)', async () => {
    const before = await stateOf(db);
    const result = await adoptDatahub(project(), urlAs(db, adopter, PASSWORD), '--dry-run');
    await expectNothingAdopted(db, before);
    expect(inAnyOrder(result)).toEqual(inAnyOrder(refusal(...ownershipLines(), searchPathLine())));
  });

  test('the same, when the adopting role may also write the legacy tables (so it can lock them)', async () => {
    await db.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${quoteIdentifier(adopter)}`);
    const before = await stateOf(db);
    const result = await adoptDatahub(project(), urlAs(db, adopter, PASSWORD));
    console.log(`an owner cannot be changed (adopter may write the tables):\n${result.err}`);
    await expectNothingAdopted(db, before);
    expect(inAnyOrder(result)).toEqual(inAnyOrder(refusal(...ownershipLines(), searchPathLine())));
  });
});

describe('an adopting role that is no superuser but may do everything adopt does', () => {
  const { db, project } = legacyCase();
  test('CREATEROLE with ADMIN OPTION on the legacy role (what managed PostgreSQL gives the deploying role): adopt is not refused', async () => {
    // PostgreSQL 16 and newer: "Roles having CREATEROLE privilege can change defaults for
    // non-superuser roles for which they have ADMIN OPTION" (ALTER ROLE ... IN DATABASE ... SET).
    const adopter = `adopter_${randomBytes(4).toString('hex')}`;
    rolesToDrop.push(adopter);
    await db.query(`CREATE ROLE ${quoteIdentifier(adopter)} LOGIN CREATEROLE PASSWORD ${literal(PASSWORD)}`);
    await db.query(`GRANT CONNECT, CREATE, TEMPORARY ON DATABASE ${quoteIdentifier(db.name)} TO ${quoteIdentifier(adopter)}`);
    await db.query(`GRANT ${quoteIdentifier(ownerRoleName('datahub'))} TO ${quoteIdentifier(adopter)}`);
    await db.query(`GRANT ${quoteIdentifier(shared.legacyRole)} TO ${quoteIdentifier(adopter)} WITH ADMIN OPTION`);
    // What adopt would run for the search_path, run by this role by hand: PostgreSQL allows it.
    const probe = new Client({
      connectionString: urlAs(db, adopter, PASSWORD),
    });
    await probe.connect();
    try {
      await probe.query(`ALTER ROLE ${quoteIdentifier(shared.legacyRole)} IN DATABASE ${quoteIdentifier(db.name)} SET work_mem = '4MB'`);
      await probe.query(`ALTER ROLE ${quoteIdentifier(shared.legacyRole)} IN DATABASE ${quoteIdentifier(db.name)} RESET work_mem`);
    } finally {
      await probe.end();
    }
    const result = await adoptDatahub(project(), urlAs(db, adopter, PASSWORD));
    console.log(`adopting role with CREATEROLE and ADMIN OPTION:\n${result.err}`);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect((await stateOf(db)).legacySettings).toEqual(['search_path="$user", public, datahub']);
  });
});

describe('several differences at once', () => {
  const { db, project } = legacyCase();
  test('a type in klines and a default in chain_data: both in one refusal', async () => {
    await db.query('ALTER TABLE public.klines ALTER COLUMN symbol TYPE varchar(40)');
    await db.query(`ALTER TABLE public.chain_data ALTER COLUMN metric SET DEFAULT 'transfer_value'`);
    const before = await stateOf(db);
    const result = await adoptDatahub(project(), db.url);
    console.log(`several differences:\n${result.err}`);
    await expectNothingAdopted(db, before);
    expect(result).toEqual(
      refusal(
        asOfFirst(`column datahub.chain_data.metric: default is none in the model, 'transfer_value'::character varying in public`),
        asOfFirst('column datahub.klines.symbol: type is character varying(32) in the model, character varying(40) in public')
      )
    );
  });
});

describe('a trigger on a legacy table', () => {
  const { db, project } = legacyCase();
  test('the model cannot express it: refused naming the trigger, nothing moves', async () => {
    await db.query(`CREATE FUNCTION public.klines_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`);
    await db.query('CREATE TRIGGER klines_touch BEFORE UPDATE ON public.klines FOR EACH ROW EXECUTE FUNCTION public.klines_touch()');
    const before = await stateOf(db);
    const result = await adoptDatahub(project(), db.url);
    console.log(`a trigger:\n${result.err}`);
    await expectNothingAdopted(db, before);
    expect(result).toEqual(refusal('table klines has trigger klines_touch: the model has no triggers (drop it before adopt; recreate it by a migration with an acknowledged BEDROCK-S3 if it is still needed); the model cannot express it'));
  });
});

describe('a view reading a legacy table', () => {
  const { db, project } = legacyCase();
  test('is only a note: adopt proceeds, and the view still works afterwards (it refers to the table by OID)', async () => {
    await db.query(`SET ROLE ${quoteIdentifier(shared.legacyRole)}`);
    await db.query(`CREATE VIEW public.recent_klines AS SELECT symbol, open_time, close_price FROM public.klines WHERE timeframe = '1m'`);
    await db.query('RESET ROLE');
    const viewRows = (await db.query('SELECT count(*)::int AS n FROM public.recent_klines')).rows[0].n as number;
    expect(viewRows).toBeGreaterThan(0);
    const result = await adoptDatahub(project(), db.url);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out.split('\n')).toContain(
      'note: table klines view public.recent_klines reads it: it keeps working after the move (it refers to the table, not its name) but no migration manages it'
    );
    expect((await db.query(`SELECT to_regclass('datahub.klines') IS NOT NULL AS moved`)).rows[0].moved).toBe(true);
    expect((await stateOf(db)).legacySettings).toEqual(['search_path="$user", public, datahub']);
    expect((await db.query(`SELECT pg_get_viewdef('public.recent_klines'::regclass) AS d`)).rows[0].d).toContain('datahub.klines');
    // The old process, connected as the legacy role (the view's owner), still reads it.
    const legacy = new Client({
      connectionString: urlAs(db, shared.legacyRole, PASSWORD),
    });
    await legacy.connect();
    try {
      expect((await legacy.query('SELECT count(*)::int AS n FROM recent_klines')).rows[0].n).toBe(viewRows);
    } finally {
      await legacy.end();
    }
  });
});

describe('--drop-alembic-version while other services still use public', () => {
  const { db, project } = legacyCase();
  test('refused naming the tables that remain, nothing moves', async () => {
    const before = await stateOf(db);
    const result = await adoptDatahub(project(), db.url, '--drop-alembic-version');
    console.log(`--drop-alembic-version:\n${result.err}`);
    await expectNothingAdopted(db, before);
    expect(result).toEqual(refusal(`--drop-alembic-version: public still holds ${OTHERS.join(', ')}, which the old process migrates: drop alembic_version with the last service's adopt`));
  });
});

describe('the platform stack not deployed', () => {
  const { db, project } = legacyCase({ platform: false });
  test('no schema and no owner role: refused saying to deploy the platform stack first, nothing moves', async () => {
    // Roles are cluster-wide: an earlier case's platform stack made them.
    if (!(await dropDatahubRoles(db))) console.log('datahub_owner is in use by another database: this case runs with the schema missing only');
    const before = await stateOf(db);
    const result = await adoptDatahub(project(), db.url);
    console.log(`platform not deployed:\n${result.err}`);
    await expectNothingAdopted(db, before);
    expect(result).toEqual(refusal(`schema datahub or role datahub_owner does not exist: deploy the environment's platform stack first (\`npx cdktf deploy ${ENV}-platform\`), then adopt`));
  });
});

describe('adopt twice', () => {
  const { db, project } = legacyCase();
  test('the second adopt refuses: the ledger records the first migration already; nothing changes', async () => {
    expect(await adoptDatahub(project(), db.url)).toMatchObject({
      code: 0,
      err: '',
    });
    const adopted = await stateOf(db);
    expect(adopted.ledger).toBe('1 ledger row(s), 1 history row(s)');
    const result = await adoptDatahub(project(), db.url);
    console.log(`adopt twice:\n${result.err}`);
    expect(await stateOf(db)).toEqual(adopted);
    expect(result).toEqual(refusal(`the ledger already records 1 migration(s) of datahub (first ${shared.firstMigration}): its tables were created or adopted already; see \`history datahub\` and \`status --service datahub\``));
  });
});

describe('no migration generated yet', () => {
  const db = useTestDatabase();
  beforeAll(() => buildLegacy(db), 60_000);
  test('the CLI says to run introspect and generate, and touches nothing', async () => {
    const before = await stateOf(db);
    const bare = newProject(mkdtempSync(path.join(tmpdir(), 'bedrock-adopt-refusals-bare-')), emptyTables(), projectOn(db).environments);
    const result = await adoptDatahub(bare, db.url);
    console.log(`no migration:\n${result.err}`);
    await expectNothingAdopted(db, before);
    expect(result).toEqual({
      code: 1,
      out: '',
      err: 'datahub: no migration yet: run `npm run bedrock -- introspect --service datahub ...` and `npm run bedrock -- generate datahub adopt_legacy_tables` first',
    });
  });
});

describe('an object of the same name already in the service schema', () => {
  const { db, project } = legacyCase();
  test('a leftover datahub.klines made by hand: refused naming it, nothing moves', async () => {
    await db.query('CREATE TABLE datahub.klines (id integer)');
    const before = await stateOf(db);
    const result = await adoptDatahub(project(), db.url);
    console.log(`same name in datahub:\n${result.err}`);
    await expectNothingAdopted(db, before, undefined, ['klines']);
    expect(result).toEqual(refusal('schema datahub already holds an object named klines: adopt moves public.klines there; drop the one in datahub if it is a leftover, or find out who created it'));
  });
});

describe('an index of the same name already in the service schema', () => {
  const { db, project } = legacyCase();
  test('a leftover table in datahub whose index is named like a legacy index: refused naming it, nothing moves', async () => {
    await db.query('CREATE TABLE datahub.klines_backup (symbol varchar(32))');
    await db.query('CREATE INDEX ix_klines_symbol ON datahub.klines_backup (symbol)');
    const before = await stateOf(db);
    const result = await adoptDatahub(project(), db.url);
    console.log(`index of the same name in datahub:\n${result.err}`);
    await expectNothingAdopted(db, before, undefined, ['ix_klines_symbol', 'klines_backup']);
    // SET SCHEMA moves a table's indexes (and their constraints) with it: a name taken by any of
    // them must be a listed refusal like the table's own, not PostgreSQL's error mid-transaction.
    expect(result).toMatchObject({ code: 1, out: '' });
    const [header, ...lines] = result.err.split('\n');
    expect(header).toBe(REFUSED);
    expect(lines).toEqual([expect.stringMatching(/^ {2}- schema datahub already holds an object named ix_klines_symbol: .*public\.klines/)]);
  });
});
