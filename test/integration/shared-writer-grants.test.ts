// A shared writer added and removed on real PostgreSQL, as Terraform would apply the change: the
// stacks deployed (the provider's SQL, test/support/provider-sql.ts, and the runner), rows written
// by the owner; then the code gains the exception and only the plan's new resources are created,
// then loses it and only those are destroyed (test/support/provider-destroy.ts). Every app role
// tries every DML on every table after each step: exactly the writer's privileges on that one
// table flip, the rows survive, and no migration runs. Roles are cluster-wide: names carry a tag.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { Testing } from '../../lib/cdk';
import { appRoleName, bigint, BedrockProject, defineEnvironment, EnvironmentConfig, generateMigration, MigrationDirectory, serial, ServiceRegistry, ServiceStack, Table, text } from '../../lib';
import { migrationPlan } from '../../lib/migrations/migration-plan';
import { serviceStacksOf } from '../../lib/project';
import { converge } from '../../lib/runner/runner';
import { useTestDatabase } from '../support/database';
import { decisionRecords } from '../support/decision-records';
import { destroyStep, planBetween } from '../support/provider-destroy';
import { applyStep, literal, stepsOf } from '../support/provider-sql';
import { attempt, connectAs as connectToDb } from '../support/privilege-attempts';

const db = useTestDatabase();
const PASSWORD = 'shared-writer-test-only';
const RECORD = 'docs/adr/0001-writer-writes-klines.md';

const tag = randomBytes(3).toString('hex');
const OWNER = `swo_${tag}`;
const WRITER = `sww_${tag}`;
const OTHER = `swx_${tag}`;
const ROLE = `${WRITER}_writes_klines`;
const registry = new ServiceRegistry([
  { name: OWNER, team: '@t/owner' },
  { name: WRITER, team: '@t/writer' },
  { name: OTHER, team: '@t/other' },
]);
const { root } = decisionRecords([RECORD]);
const model = { writer: false };

const project: BedrockProject = {
  root,
  registry,
  environments: [],
  migrationsDirectory: (service) => `${root}/stacks/${service}/migrations`,
  tables: {
    [OWNER]: (stack: ServiceStack) => {
      // A serial column: the writer also needs USAGE on its sequence to insert.
      new Table(stack, 'klines', {
        columns: { id: serial(), symbol: text().notNull().default('x') },
        primaryKey: ['id'],
        ...(model.writer ? { sharedWriters: [{ service: WRITER, reason: 'backfills marks after settlement', decision: RECORD }] } : {}),
      });
      new Table(stack, 'chain_data', { columns: { id: bigint().generatedAlwaysAsIdentity(), note: text() }, primaryKey: ['id'] });
    },
    [WRITER]: (stack: ServiceStack) => {
      new Table(stack, 'positions', { columns: { id: bigint().generatedAlwaysAsIdentity() }, primaryKey: ['id'] });
    },
    [OTHER]: (stack: ServiceStack) => {
      new Table(stack, 'reports', { columns: { id: bigint().generatedAlwaysAsIdentity() }, primaryKey: ['id'] });
    },
  },
};

const environment = (): EnvironmentConfig => ({ name: 'sw', connection: { database: db.name, username: 'postgres' }, services: registry.names });
const directory = (service: string) => new MigrationDirectory(project.migrationsDirectory(service), service, service);

type Json = Record<string, any>;

/** Every stack of the environment as synth writes it, validations run (BEDROCK-O8 finds the record in `root`). */
function synthesize(): Record<string, Json> {
  const app = Testing.app({ context: decisionRecords([], root).context });
  const defined = defineEnvironment(app, { environment: environment(), registry, tables: project.tables, migrationsDirectory: project.migrationsDirectory });
  return Object.fromEntries([defined.platform, ...defined.services].map((s) => [s.node.id, JSON.parse(Testing.synth(s, true))]));
}

/** generate for every service: what a change of the code would write as migrations. */
function generateAll(description: string): string[] {
  return serviceStacksOf(project).flatMap((stack) => {
    const result = generateMigration({ directory: directory(stack.service), model: stack.schemaModel(), description, registry });
    return result.written ? result.migrations.map((m) => m.migration.id) : [];
  });
}

const OPERATIONS = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'] as const;
const TABLES = [`${OWNER}.klines`, `${OWNER}.chain_data`, `${WRITER}.positions`, `${OTHER}.reports`];

const connectAs = (service: string) => connectToDb(db.url, appRoleName(service), PASSWORD);

/** `<service> on <table>` -> what its app role may do there, each operation tried and rolled back. */
async function privileges(): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {};
  for (const service of registry.names) {
    const client = await connectAs(service);
    try {
      for (const table of TABLES) {
        const may: string[] = [];
        for (const operation of OPERATIONS) {
          await client.query('BEGIN');
          try {
            await client.query(attempt(operation, table));
            may.push(operation);
          } catch (error) {
            if ((error as { code?: string }).code !== '42501') throw error;
          } finally {
            await client.query('ROLLBACK');
          }
        }
        found[`${service} on ${table}`] = may;
      }
    } finally {
      await client.end();
    }
  }
  return found;
}

// The symbols, in insertion order (ids are not compared: every INSERT tried and rolled back draws from the sequence).
const rows = async () => (await db.query(`SELECT symbol FROM ${OWNER}.klines ORDER BY id`)).rows.map((r) => r.symbol);
const history = async () => Number((await db.query('SELECT count(*) AS n FROM bedrock.migration_history')).rows[0].n);

let deployed: Record<string, Json>;
let before: Record<string, string[]>;

beforeAll(async () => {
  expect(generateAll('initial')).toHaveLength(3);
  deployed = synthesize();
  const runMigrations = async (service: string) => {
    await converge(db.client, { plan: migrationPlan(service, `${service}_owner`, directory(service).read().migrations), allowDowngrades: false });
  };
  for (const step of stepsOf(deployed['sw-platform'])) await applyStep(db.client, step, db.name, async () => undefined);
  for (const service of registry.names) {
    for (const step of stepsOf(deployed[`sw-${service}`])) {
      await applyStep(db.client, step, db.name, async (s) => (s.address.includes('migrations_head') ? runMigrations(service) : undefined));
    }
  }
  for (const service of registry.names) await db.query(`ALTER ROLE "${appRoleName(service)}" PASSWORD ${literal(PASSWORD)}`);
  await db.query(`INSERT INTO ${OWNER}.klines (symbol) VALUES ('BTC'), ('ETH'), ('SOL')`);
  before = await privileges();
});

afterAll(async () => {
  // Roles are cluster-wide; the test database (where they own things) is dropped by now.
  const admin = new Client({ connectionString: process.env.BEDROCK_TEST_DATABASE_URL });
  await admin.connect();
  try {
    for (const role of [ROLE, ...registry.names.flatMap((s) => [appRoleName(s), `${s}_owner`])]) await admin.query(`DROP ROLE IF EXISTS "${role}"`).catch(() => undefined);
  } finally {
    await admin.end();
  }
});

/** Applies the change from the deployed stacks to the code's, as Terraform would: creations, then destructions. Returns what changed. */
async function applyChange(): Promise<Record<string, { create: string[]; change: string[]; destroy: string[] }>> {
  const next = synthesize();
  const done: Record<string, { create: string[]; change: string[]; destroy: string[] }> = {};
  for (const id of Object.keys(next)) {
    const plan = planBetween(deployed[id], next[id]);
    for (const step of plan.create) await applyStep(db.client, step, db.name, async (s) => { throw new Error(`${s.address}: a migration resource in a grant-only change`); });
    for (const step of plan.destroy) await destroyStep(db.client, step);
    done[id] = { create: plan.create.map((s) => s.address), change: plan.change.map((s) => s.address), destroy: plan.destroy.map((s) => s.address) };
  }
  deployed = next;
  return done;
}

const unchanged = { create: [], change: [], destroy: [] };
const writerResources = [`postgresql_role.shared_write_${WRITER}_klines_role`, `postgresql_grant.shared_write_${WRITER}_klines_grant`, `postgresql_grant.shared_write_${WRITER}_klines_sequences`, `postgresql_grant_role.shared_write_${WRITER}_klines_member`];

test('adding the shared writer: no migration, only its role and grants are created, and exactly its privileges on that table appear', async () => {
  const migrationsRun = await history();
  model.writer = true;
  expect(generateAll('add_writer')).toEqual([]);
  const change = await applyChange();
  expect(change).toEqual({ 'sw-platform': unchanged, [`sw-${OWNER}`]: { create: writerResources, change: [], destroy: [] }, [`sw-${WRITER}`]: unchanged, [`sw-${OTHER}`]: unchanged });

  const after = await privileges();
  // Only one cell of the matrix changes: the writer on klines gains INSERT, UPDATE, DELETE (never TRUNCATE).
  const changed = Object.keys(after).filter((key) => JSON.stringify(after[key]) !== JSON.stringify(before[key]));
  expect(changed).toEqual([`${WRITER} on ${OWNER}.klines`]);
  expect(before[`${WRITER} on ${OWNER}.klines`]).toEqual(['SELECT']);
  expect(after[`${WRITER} on ${OWNER}.klines`]).toEqual(['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
  expect(after[`${WRITER} on ${OWNER}.chain_data`]).toEqual(['SELECT']);

  // The writer really writes (the serial column draws from its sequence), through the exception's role.
  const writer = await connectAs(WRITER);
  try {
    await writer.query(`INSERT INTO ${OWNER}.klines (symbol) VALUES ('ADA')`);
    await writer.query(`UPDATE ${OWNER}.klines SET symbol = 'XBT' WHERE symbol = 'BTC'`);
  } finally {
    await writer.end();
  }
  expect(await rows()).toEqual(['XBT', 'ETH', 'SOL', 'ADA']);
  const membership = await db.query('SELECT r.rolname AS role FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = $1', [appRoleName(WRITER)]);
  expect(membership.rows).toEqual([{ role: ROLE }]);
  expect(await history()).toBe(migrationsRun);
});

test('removing it: no migration, only those resources are destroyed, the privileges are as before and every row is still there', async () => {
  const migrationsRun = await history();
  model.writer = false;
  expect(generateAll('remove_writer')).toEqual([]);
  const change = await applyChange();
  expect(change).toEqual({ 'sw-platform': unchanged, [`sw-${OWNER}`]: { create: [], change: [], destroy: [...writerResources].reverse() }, [`sw-${WRITER}`]: unchanged, [`sw-${OTHER}`]: unchanged });

  expect(await privileges()).toEqual(before);
  const writer = await connectAs(WRITER);
  try {
    await expect(writer.query(`INSERT INTO ${OWNER}.klines (symbol) VALUES ('DOT')`)).rejects.toMatchObject({ code: '42501' });
    await expect(writer.query(`DELETE FROM ${OWNER}.klines`)).rejects.toMatchObject({ code: '42501' });
  } finally {
    await writer.end();
  }
  // The rows the owner and the writer wrote survive: nothing touched the table.
  expect(await rows()).toEqual(['XBT', 'ETH', 'SOL', 'ADA']);
  expect((await db.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [ROLE])).rowCount).toBe(0);
  expect(await history()).toBe(migrationsRun);
});
