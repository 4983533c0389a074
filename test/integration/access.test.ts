// Ownership proven on real PostgreSQL: the platform's and the services' resources applied as
// the postgresql provider would apply them (test/support/provider-sql.ts), the migrations by
// the runner; then each service's app role tries everything on every table, and the result
// equals the policy exactly.
import { Testing } from 'cdktf';
import { Client } from 'pg';
import { bigint, defineEnvironment, EnvironmentConfig, generateMigration, MigrationDirectory, ServiceRegistry, ServiceStack, Table, text, appRoleName } from '../../lib';
import { migrationPlan } from '../../lib/migrations/migration-plan';
import { converge } from '../../lib/runner/runner';
import { serviceStacksOf, BedrockProject } from '../../lib/project';
import { applyStep, literal, stepsOf } from '../support/provider-sql';
import { useTestDatabase } from '../support/database';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const db = useTestDatabase();
const PASSWORD = 'access-test-only';

// mlops declares it reads datahub.klines only, and is a declared shared writer of it.
const registry = new ServiceRegistry([
  { name: 'datahub', team: '@t/datahub' },
  { name: 'portfolio', team: '@t/portfolio' },
  { name: 'mlops', team: '@t/mlops', reads: ['datahub.klines'] },
]);
const root = mkdtempSync(path.join(tmpdir(), 'bedrock-access-'));
const project: BedrockProject = {
  registry,
  environments: [],
  migrationsDirectory: (service) => path.join(root, service, 'migrations'),
  tables: {
    datahub: (stack) => {
      new Table(stack, 'klines', { columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: text().notNull().default('x') }, primaryKey: ['id'], sharedWriters: [{ service: 'mlops', reason: 'writes model features back' }] });
      new Table(stack, 'chain_data', { columns: { id: bigint().generatedAlwaysAsIdentity(), note: text() }, primaryKey: ['id'] });
    },
    portfolio: (stack) => {
      new Table(stack, 'positions', { columns: { id: bigint().generatedAlwaysAsIdentity(), note: text() }, primaryKey: ['id'] });
    },
    mlops: (stack) => {
      new Table(stack, 'ml_models', { columns: { id: bigint().generatedAlwaysAsIdentity(), note: text() }, primaryKey: ['id'] });
    },
  },
};

type Operation = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE' | 'ALTER' | 'DROP' | 'CREATE INDEX' | 'FOREIGN KEY';
const OPERATIONS: Operation[] = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'ALTER', 'DROP', 'CREATE INDEX', 'FOREIGN KEY'];

function attempt(operation: Operation, table: string): string {
  switch (operation) {
    case 'SELECT': return `SELECT * FROM ${table} LIMIT 1`;
    case 'INSERT': return `INSERT INTO ${table} DEFAULT VALUES`;
    case 'UPDATE': return `UPDATE ${table} SET id = DEFAULT WHERE false`;
    case 'DELETE': return `DELETE FROM ${table} WHERE false`;
    case 'TRUNCATE': return `TRUNCATE ${table}`;
    case 'ALTER': return `ALTER TABLE ${table} ADD COLUMN intruder integer`;
    case 'DROP': return `DROP TABLE ${table}`;
    case 'CREATE INDEX': return `CREATE INDEX intruder_idx ON ${table} (id)`;
    case 'FOREIGN KEY': return `CREATE TABLE ${table.split('.')[0]}.intruder (id bigint REFERENCES ${table} (id))`;
  }
}

/** What the policy says `service`'s app role may do to `table` of `owner`. */
function allowed(service: string, owner: string, table: string): Operation[] {
  if (service === owner) return ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];
  if (service === 'mlops' && owner === 'datahub' && table === 'klines') return ['SELECT', 'INSERT', 'UPDATE', 'DELETE']; // declared read + shared writer
  if (service === 'mlops') return []; // declared reads: only datahub.klines
  return ['SELECT'];
}

let stacks: Record<string, Record<string, any>>;

beforeAll(async () => {
  for (const stack of serviceStacksOf(project)) {
    const directory = new MigrationDirectory(project.migrationsDirectory(stack.service), stack.service, stack.schemaName);
    generateMigration({ directory, model: stack.schemaModel(), description: 'initial' });
  }
  const environment: EnvironmentConfig = { name: 'access', connection: { database: db.name, username: 'postgres' }, services: registry.names };
  const app = Testing.app();
  const defined = defineEnvironment(app, { environment, registry, tables: project.tables, migrationsDirectory: project.migrationsDirectory });
  stacks = Object.fromEntries([defined.platform, ...defined.services].map((s) => [s.node.id, JSON.parse(Testing.synth(s, true))]));

  // Roles are cluster-wide: start from none of ours.
  for (const service of registry.names) {
    for (const role of [`${service}_app`, `${service}_owner`, 'mlops_writes_klines']) {
      const exists = await db.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      if (exists.rowCount) await db.query(`DROP OWNED BY "${role}"; DROP ROLE "${role}"`);
    }
  }
  const other = async (service: ServiceStack | undefined) => {
    if (!service) return;
    const migrations = new MigrationDirectory(project.migrationsDirectory(service.service), service.service, service.schemaName).read().migrations;
    await converge(db.client, { plan: migrationPlan(service.service, `${service.service}_owner`, migrations), allowDowngrades: false });
  };
  for (const step of stepsOf(stacks['access-platform'])) await applyStep(db.client, step, db.name, async () => undefined);
  for (const service of defined.services) {
    for (const step of stepsOf(stacks[service.node.id])) {
      await applyStep(db.client, step, db.name, async (s) => (s.address.includes('migrations_head') ? other(service) : undefined));
    }
  }
  // App roles log in with passwords set outside Terraform; the test sets its own.
  for (const service of registry.names) await db.query(`ALTER ROLE "${appRoleName(service)}" PASSWORD ${literal(PASSWORD)}`);
});

async function connectAs(role: string): Promise<Client> {
  const url = new URL(db.url);
  url.username = role;
  url.password = PASSWORD;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  return client;
}

test('each app role may do exactly what the policy says on every table', async () => {
  const tables = [['datahub', 'klines'], ['datahub', 'chain_data'], ['portfolio', 'positions'], ['mlops', 'ml_models']];
  const actual: Record<string, Operation[]> = {};
  const expected: Record<string, Operation[]> = {};
  for (const service of registry.names) {
    const client = await connectAs(appRoleName(service));
    try {
      for (const [owner, table] of tables) {
        const key = `${service} on ${owner}.${table}`;
        expected[key] = allowed(service, owner, table);
        actual[key] = [];
        for (const operation of OPERATIONS) {
          await client.query('BEGIN');
          try {
            await client.query(attempt(operation, `${owner}.${table}`));
            actual[key].push(operation);
          } catch (error) {
            const code = (error as { code?: string }).code;
            // Only a refused privilege counts as "may not"; any other error means the check passed.
            if (code !== '42501') actual[key].push(operation);
          } finally {
            await client.query('ROLLBACK');
          }
        }
      }
    } finally {
      await client.end();
    }
  }
  expect(actual).toEqual(expected);
});

test('no app role can SET ROLE to an owner role, create roles, or create tables', async () => {
  for (const service of registry.names) {
    const client = await connectAs(appRoleName(service));
    try {
      for (const owner of registry.names) {
        await expect(client.query(`SET ROLE "${owner}_owner"`)).rejects.toMatchObject({ code: '42501' });
      }
      await expect(client.query('CREATE ROLE intruder')).rejects.toMatchObject({ code: '42501' });
      await expect(client.query(`CREATE TABLE ${service}.intruder (id int)`)).rejects.toMatchObject({ code: '42501' });
      await expect(client.query('CREATE TABLE public.intruder (id int)')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await client.end();
    }
  }
});

test('the grant SQL of all service stacks, applied concurrently many times, never collides', async () => {
  const serviceIds = Object.keys(stacks).filter((id) => id !== 'access-platform');
  const clients = await Promise.all(serviceIds.map(async () => {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    return c;
  }));
  const errors: string[] = [];
  try {
    for (let round = 0; round < 20; round += 1) {
      await Promise.all(
        serviceIds.map(async (id, i) => {
          for (const step of stepsOf(stacks[id]).filter((s) => s.type.startsWith('postgresql_'))) {
            try {
              await applyStep(clients[i], step, db.name, async () => undefined);
            } catch (error) {
              errors.push(`${id} ${step.address}: ${(error as Error).message}`);
            }
          }
        }),
      );
    }
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
  expect(errors).toEqual([]);
});
