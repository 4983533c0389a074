// A table moves from one service to another on real PostgreSQL, with rows, as Terraform would
// deploy it: the code declares the table in the taker with `transferredFrom` and removes it (and
// its enum) from the giver; `generate` writes the pair; the taker's deploy is refused until the
// giver's release is applied; then every step leaves each schema equal to its model, the rows
// and their digest intact, the identity sequence and the enum moved with the table, and every
// app role's privileges flip exactly. Rolled back (taker first), everything returns. Roles are
// cluster-wide: names carry a tag.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { Testing } from '../../lib/cdk';
import { appRoleName, bigint, BedrockProject, defineEnvironment, EnumType, EnvironmentConfig, MigrationDirectory, runCli, ServiceRegistry, ServiceStack, Table, text } from '../../lib';
import { migrationPlan } from '../../lib/migrations/migration-plan';
import { converge } from '../../lib/runner/runner';
import { schemaDrift } from '../../lib/catalog/drift';
import { projectModel } from '../../lib/project';
import { useTestDatabase } from '../support/database';
import { decisionRecords } from '../support/decision-records';
import { applyStep, literal, stepsOf } from '../support/provider-sql';
import { attempt, connectAs as connectToDb } from '../support/privilege-attempts';

const db = useTestDatabase();
const PASSWORD = 'transfer-test-only';
const RECORD = 'docs/adr/0002-portfolio-owns-klines.md';

const tag = randomBytes(3).toString('hex');
const GIVER = `trg_${tag}`;
const TAKER = `trt_${tag}`;
const OTHER = `tro_${tag}`;
// The taker registered first: `migrate` must still run the giver first.
const registry = new ServiceRegistry([
  { name: TAKER, team: '@t/taker' },
  { name: GIVER, team: '@t/giver' },
  { name: OTHER, team: '@t/other' },
]);
const { root, context } = decisionRecords([RECORD]);
const model = { moved: false };

function klines(stack: ServiceStack, side: EnumType, transferred: boolean): void {
  new Table(stack, 'klines', {
    columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: text().notNull(), side: side.column().notNull() },
    primaryKey: ['id'],
    indexes: [{ columns: ['symbol'] }],
    ...(transferred ? { transferredFrom: { service: GIVER, reason: 'the portfolio team runs the pricing now', decision: RECORD } } : {}),
  });
}

const project: BedrockProject = {
  root,
  registry,
  environments: [],
  migrationsDirectory: (service) => `${root}/stacks/${service}/migrations`,
  tables: {
    [GIVER]: (stack: ServiceStack) => {
      if (!model.moved) klines(stack, new EnumType(stack, 'side', { values: ['buy', 'sell'] }), false);
      new Table(stack, 'chain_data', { columns: { id: bigint().generatedAlwaysAsIdentity(), note: text() }, primaryKey: ['id'] });
    },
    [TAKER]: (stack: ServiceStack) => {
      if (model.moved) klines(stack, new EnumType(stack, 'side', { values: ['buy', 'sell'] }), true);
      new Table(stack, 'positions', { columns: { id: bigint().generatedAlwaysAsIdentity() }, primaryKey: ['id'] });
    },
    [OTHER]: (stack: ServiceStack) => {
      new Table(stack, 'reports', { columns: { id: bigint().generatedAlwaysAsIdentity() }, primaryKey: ['id'] });
    },
  },
};

const environment = (): EnvironmentConfig => ({ name: 'tr', connection: { database: db.name, username: 'postgres' }, services: registry.names });
const directory = (service: string) => new MigrationDirectory(project.migrationsDirectory(service), service, service);

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = process.cwd();
  process.chdir(root);
  try {
    const code = await runCli(project, args, { log: (l) => out.push(l), error: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    process.chdir(saved);
  }
}

/** The stacks as synth writes them, validations run. */
function synthesize(): Record<string, Record<string, any>> {
  const app = Testing.app({ context });
  const defined = defineEnvironment(app, { environment: environment(), registry, tables: project.tables, migrationsDirectory: project.migrationsDirectory });
  return Object.fromEntries([defined.platform, ...defined.services].map((s) => [s.node.id, JSON.parse(Testing.synth(s, true))]));
}

const migrate = (service: string, logs: string[] = [], allowDowngrades = false) =>
  converge(db.client, { plan: migrationPlan(service, `${service}_owner`, directory(service).read().migrations), allowDowngrades, log: (l) => logs.push(l) });

const OPERATIONS = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;

const connectAs = (service: string) => connectToDb(db.url, appRoleName(service), PASSWORD);

/** What each app role may do on klines, wherever it is, each operation tried and rolled back. */
async function access(table: string): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {};
  for (const service of registry.names) {
    const client = await connectAs(service);
    const may: string[] = [];
    try {
      for (const operation of OPERATIONS) {
        await client.query('BEGIN');
        try {
          // An INSERT gives symbol and side: the identity column draws from the table's own sequence.
          await client.query(operation === 'INSERT' ? `INSERT INTO ${table} (symbol, side) VALUES ('X', 'buy')` : attempt(operation, table));
          may.push(operation);
        } catch (error) {
          if ((error as { code?: string }).code !== '42501') throw error;
        } finally {
          await client.query('ROLLBACK');
        }
      }
    } finally {
      await client.end();
    }
    found[service] = may;
  }
  return found;
}

const digest = async (table: string): Promise<{ n: number; d: string }> => (await db.query<{ n: number; d: string }>(`SELECT count(*)::int AS n, md5(string_agg(id || ':' || symbol || ':' || side, ',' ORDER BY id)) AS d FROM ${table}`)).rows[0];

/** Each service's schema against its model: no difference. */
async function catalogEqualsModels(): Promise<void> {
  const models = projectModel(project);
  for (const service of registry.names) {
    const head = directory(service).read().migrations.at(-1)!.id;
    expect({ service, differences: await schemaDrift(db.client, directory(service).snapshot(head)) }).toEqual({ service, differences: [] });
    expect({ service, differences: await schemaDrift(db.client, models.schemaOf(service)) }).toEqual({ service, differences: [] });
  }
}

let before: { n: number; d: string };

beforeAll(async () => {
  for (const service of registry.names) expect((await cli('generate', service, 'initial')).code).toBe(0);
  const stacks = synthesize();
  for (const step of stepsOf(stacks['tr-platform'])) await applyStep(db.client, step, db.name, async () => undefined);
  for (const service of registry.names) {
    for (const step of stepsOf(stacks[`tr-${service}`])) await applyStep(db.client, step, db.name, async (s) => {
      if (s.address.includes('migrations_head')) await migrate(service);
    });
  }
  for (const service of registry.names) await db.query(`ALTER ROLE "${appRoleName(service)}" PASSWORD ${literal(PASSWORD)}`);
  await db.query(`INSERT INTO ${GIVER}.klines (symbol, side) SELECT 'S' || i, (ARRAY['buy', 'sell'])[1 + i % 2]::${GIVER}.side FROM generate_series(1, 1000) AS i`);
  before = await digest(`${GIVER}.klines`);
  expect(before.n).toBe(1000);
}, 60_000);

afterAll(async () => {
  const admin = new Client({ connectionString: process.env.BEDROCK_TEST_DATABASE_URL });
  await admin.connect();
  try {
    for (const role of registry.names.flatMap((s) => [appRoleName(s), `${s}_owner`])) await admin.query(`DROP ROLE IF EXISTS "${role}"`).catch(() => undefined);
  } finally {
    await admin.end();
  }
});

test('before: the giver writes klines, every other service reads it', async () => {
  expect(await access(`${GIVER}.klines`)).toEqual({ [GIVER]: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'], [TAKER]: ['SELECT'], [OTHER]: ['SELECT'] });
  await catalogEqualsModels();
});

test('generate writes the pair, whichever service is named: the release, then the adopt naming it', async () => {
  model.moved = true;
  const generated = await cli('generate', TAKER, 'take_klines');
  expect(generated.err).toBe('');
  expect(generated.code).toBe(0);
  const release = directory(GIVER).read().migrations.at(-1)!;
  const adopt = directory(TAKER).read().migrations.at(-1)!;
  expect(release.id).toMatch(new RegExp(`_${GIVER}_release_klines_to_${TAKER}$`));
  expect(adopt.id).toMatch(new RegExp(`_${TAKER}_take_klines$`));
  expect(generated.out).toContain(`Deploy ${GIVER} first`);
  // The release takes the giver's writes; the adopt moves the table, its enum and its owner, and gives the taker's.
  expect(release.up).toContain(`-- transfer: release ${GIVER}.klines to ${TAKER}`);
  expect(release.up).toContain(`REVOKE INSERT, UPDATE, DELETE ON TABLE "${GIVER}"."klines" FROM "${GIVER}_app";`);
  expect(release.up).toContain(`REVOKE SELECT, USAGE ON SEQUENCE "${GIVER}"."klines_id_seq" FROM "${GIVER}_app";`);
  expect(release.up).not.toContain('DROP');
  expect(adopt.up).toContain(`-- transfer: adopt ${GIVER}.klines from ${GIVER} after ${release.id}`);
  expect(adopt.up).toContain(`ALTER TABLE "${GIVER}"."klines" SET SCHEMA "${TAKER}";`);
  expect(adopt.up).toContain(`ALTER TABLE "${TAKER}"."klines" OWNER TO "${TAKER}_owner";`);
  expect(adopt.up).toContain(`ALTER TYPE "${GIVER}"."side" SET SCHEMA "${TAKER}";`);
  expect(adopt.up).not.toContain('CREATE');
  expect(adopt.down).toContain(`ALTER TABLE "${TAKER}"."klines" SET SCHEMA "${GIVER}";`);
  // check renders both again from their snapshots and accepts them; the statement rules let only the transfer steps through.
  const checked = await cli('check');
  expect(checked.err).toBe('');
  expect(checked.code).toBe(0);
  // The plan: the taker's stack deploys after the giver's, and its head shows the release it waits for.
  const app = Testing.app({ context });
  const defined = defineEnvironment(app, { environment: environment(), registry, tables: project.tables, migrationsDirectory: project.migrationsDirectory });
  const stackOf = (service: string) => defined.services.find((s) => s.service === service)!;
  expect(stackOf(TAKER).dependencies).toContain(stackOf(GIVER));
  expect(stackOf(GIVER).dependencies).not.toContain(stackOf(TAKER));
  const heads = Object.values(JSON.parse(Testing.synth(stackOf(TAKER), true)).resource.terraform_data as Record<string, { input?: { waitsFor?: string[] } }>);
  expect(heads.flatMap((h) => h.input?.waitsFor ?? [])).toEqual([`${GIVER} ${release.id}`]);
  // Generating again writes nothing: the snapshots hold the transfer.
  expect((await cli('generate', GIVER, 'again')).out).toContain('no changes');
});

test('deploying the taker before the giver is refused, and changes nothing', async () => {
  const ledger = async () => (await db.query('SELECT service, id, status FROM bedrock.migrations ORDER BY service, id')).rows;
  const was = await ledger();
  await expect(migrate(TAKER)).rejects.toThrow(new RegExp(`REFUSED: ${TAKER}: migration \\S+ adopts ${GIVER}\\.klines from ${GIVER}, which releases it in its migration \\S+; ${GIVER} has not applied it here\\. Deploy ${GIVER} first`));
  expect(await ledger()).toEqual(was);
  expect(await digest(`${GIVER}.klines`)).toEqual(before);
});

test('the giver releases: its writes end, the rows stay where they are', async () => {
  await migrate(GIVER);
  expect(await access(`${GIVER}.klines`)).toEqual({ [GIVER]: ['SELECT'], [TAKER]: ['SELECT'], [OTHER]: ['SELECT'] });
  expect(await digest(`${GIVER}.klines`)).toEqual(before);
  // The giver's schema equals its model but for the table in transit, which its snapshot lists as released; the taker's is as before.
  expect(await schemaDrift(db.client, directory(GIVER).snapshot(directory(GIVER).read().migrations.at(-1)!.id))).toEqual([]);
  expect(await schemaDrift(db.client, directory(TAKER).snapshot(directory(TAKER).read().migrations.at(-2)!.id))).toEqual([]);
});

test('the taker adopts: the table, its rows, sequence, index and enum move; the access matrix flips exactly', async () => {
  const logs: string[] = [];
  await migrate(TAKER, logs);
  expect(await digest(`${TAKER}.klines`)).toEqual(before);
  expect((await db.query(`SELECT to_regclass('${GIVER}.klines') AS t, to_regtype('${GIVER}.side') AS e`)).rows[0]).toEqual({ t: null, e: null });
  const owners = await db.query(
    `SELECT c.relname, n.nspname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname IN ('klines', 'klines_id_seq', 'klines_symbol_idx', 'klines_pkey') ORDER BY 1`,
  );
  expect(owners.rows).toEqual(['klines', 'klines_id_seq', 'klines_pkey', 'klines_symbol_idx'].map((relname) => ({ relname, nspname: TAKER, owner: `${TAKER}_owner` })));
  expect(await access(`${TAKER}.klines`)).toEqual({ [GIVER]: ['SELECT'], [TAKER]: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'], [OTHER]: ['SELECT'] });
  // The sequence continues after the moved rows (the rolled-back INSERTs above drew numbers too).
  const writer = await connectAs(TAKER);
  try {
    const id = Number((await writer.query(`INSERT INTO ${TAKER}.klines (symbol, side) VALUES ('NEW', 'sell') RETURNING id`)).rows[0].id);
    expect(id).toBeGreaterThan(1000);
    await writer.query(`DELETE FROM ${TAKER}.klines WHERE id = $1`, [id]);
  } finally {
    await writer.end();
  }
  await catalogEqualsModels();
});

test('rolled back, taker first: the table returns to the giver with its rows, and the giver writes it again', async () => {
  // The giver cannot take it back while the taker holds it.
  model.moved = false;
  const giverHead = directory(GIVER).read().migrations;
  const withoutRelease = migrationPlan(GIVER, `${GIVER}_owner`, giverHead.slice(0, -1));
  await expect(converge(db.client, { plan: withoutRelease, allowDowngrades: true })).rejects.toThrow(new RegExp(`${TAKER} still holds it\\. Roll ${TAKER} back past its adopt first`));
  const takerHead = directory(TAKER).read().migrations;
  await converge(db.client, { plan: migrationPlan(TAKER, `${TAKER}_owner`, takerHead.slice(0, -1)), allowDowngrades: true });
  await converge(db.client, { plan: withoutRelease, allowDowngrades: true });
  expect(await digest(`${GIVER}.klines`)).toEqual(before);
  expect(await access(`${GIVER}.klines`)).toEqual({ [GIVER]: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'], [TAKER]: ['SELECT'], [OTHER]: ['SELECT'] });
  for (const service of [GIVER, TAKER]) {
    const migrations = directory(service).read().migrations;
    expect(await schemaDrift(db.client, directory(service).snapshot(migrations.at(-2)!.id))).toEqual([]);
  }
});

test('migrate without --service runs the giver before the taker, whatever the registry\'s order', async () => {
  model.moved = true;
  const saved = process.env.DATABASE_URL;
  process.env.DATABASE_URL = db.url;
  try {
    const migrated = await cli('migrate');
    expect(migrated.err).toBe('');
    expect(migrated.out).toContain(`migrate: 3 services, in this order: ${GIVER}, ${TAKER}, ${OTHER}`);
    expect(migrated.code).toBe(0);
  } finally {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  }
  expect(await digest(`${TAKER}.klines`)).toEqual(before);
  await catalogEqualsModels();
});
