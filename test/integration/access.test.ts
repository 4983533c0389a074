// Ownership proven on real PostgreSQL: the platform's and the services' resources applied as
// the postgresql provider would apply them (test/support/provider-sql.ts), the migrations by
// the runner; then each service's app role tries everything on every table, and the result
// equals the policy exactly.
import { Testing } from '../../lib/cdk';
import { Client } from 'pg';
import { bigint, defineEnvironment, EnvironmentConfig, generateMigration, MigrationDirectory, ServiceRegistry, ServiceStack, Table, text, appRoleName } from '../../lib';
import { migrationPlan } from '../../lib/migrations/migration-plan';
import { converge } from '../../lib/runner/runner';
import { serviceStacksOf, BedrockProject } from '../../lib/project';
import { applyStep, literal, stepsOf } from '../support/provider-sql';
import { useTestDatabase } from '../support/database';
import { DECISION, decisionRecords } from '../support/decision-records';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { attempt, Operation } from '../support/privilege-attempts';

const db = useTestDatabase();
const PASSWORD = 'access-test-only';

// mlops declares it reads datahub.klines only, and is a declared shared writer of it; portfolio
// declares it reads mlops.ml_models whole and the id and note columns of datahub.chain_data.
const registry = new ServiceRegistry([
  { name: 'datahub', team: '@t/datahub' },
  { name: 'portfolio', team: '@t/portfolio', reads: ['mlops.ml_models', { table: 'datahub.chain_data', columns: ['id', 'note'] }] },
  { name: 'mlops', team: '@t/mlops', reads: ['datahub.klines'] },
]);
const root = mkdtempSync(path.join(tmpdir(), 'bedrock-access-'));
const project: BedrockProject = {
  registry,
  environments: [],
  migrationsDirectory: (service) => path.join(root, service, 'migrations'),
  tables: {
    datahub: (stack) => {
      new Table(stack, 'klines', { columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: text().notNull().default('x') }, primaryKey: ['id'], sharedWriters: [{ service: 'mlops', reason: 'writes model features back', decision: DECISION }] });
      new Table(stack, 'chain_data', { columns: { id: bigint().generatedAlwaysAsIdentity(), note: text(), secret: text() }, primaryKey: ['id'] });
    },
    portfolio: (stack) => {
      new Table(stack, 'positions', { columns: { id: bigint().generatedAlwaysAsIdentity(), note: text() }, primaryKey: ['id'] });
    },
    mlops: (stack) => {
      new Table(stack, 'ml_models', { columns: { id: bigint().generatedAlwaysAsIdentity(), note: text() }, primaryKey: ['id'] });
    },
  },
};

const OPERATIONS: Operation[] = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'ALTER', 'DROP', 'CREATE INDEX', 'FOREIGN KEY'];

/** What the policy says `service`'s app role may do to `table` of `owner`. */
function allowed(service: string, owner: string, table: string): Operation[] {
  if (service === owner) return ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];
  if (service === 'mlops' && owner === 'datahub' && table === 'klines') return ['SELECT', 'INSERT', 'UPDATE', 'DELETE']; // declared read + shared writer
  if (service === 'mlops') return []; // declared reads: only datahub.klines
  // portfolio's declared reads: mlops.ml_models whole; of datahub.chain_data, columns only (SELECT * is refused).
  if (service === 'portfolio') return owner === 'mlops' ? ['SELECT'] : [];
  return ['SELECT'];
}

let stacks: Record<string, Record<string, any>>;

beforeAll(async () => {
  for (const stack of serviceStacksOf(project)) {
    const directory = new MigrationDirectory(project.migrationsDirectory(stack.service), stack.service, stack.schemaName);
    generateMigration({ directory, model: stack.schemaModel(), description: 'initial' });
  }
  const environment: EnvironmentConfig = { name: 'access', connection: { database: db.name, username: 'postgres' }, services: registry.names };
  const app = Testing.app({ context: decisionRecords([DECISION], root).context });
  const defined = defineEnvironment(app, { environment, registry, tables: project.tables, migrationsDirectory: project.migrationsDirectory });
  stacks = Object.fromEntries([defined.platform, ...defined.services].map((s) => [s.node.id, JSON.parse(Testing.synth(s, true))]));

  // Roles are cluster-wide: start from none of ours.
  for (const service of registry.names) {
    for (const role of [`${service}_app`, `${service}_owner`, 'mlops_writes_klines', 'portfolio_reads_chain_data']) {
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

test('a column read contract: the reader selects its declared columns, and every other column is refused', async () => {
  const client = await connectAs(appRoleName('portfolio'));
  try {
    await db.query(`INSERT INTO datahub.chain_data (note, secret) VALUES ('n', 's')`);
    expect((await client.query('SELECT id, note FROM datahub.chain_data')).rows).toEqual([{ id: expect.anything(), note: 'n' }]);
    await expect(client.query('SELECT secret FROM datahub.chain_data')).rejects.toMatchObject({ code: '42501', message: 'permission denied for table chain_data' });
    await expect(client.query('SELECT * FROM datahub.chain_data')).rejects.toMatchObject({ code: '42501' });
    await expect(client.query(`UPDATE datahub.chain_data SET note = 'x'`)).rejects.toMatchObject({ code: '42501' });
    // Held by a role of its own, which the reader's app role is a member of.
    const holders = await db.query(`SELECT attname, attacl::text AS acl FROM pg_attribute WHERE attrelid = 'datahub.chain_data'::regclass AND attnum > 0 ORDER BY attnum`);
    expect(holders.rows).toEqual([
      { attname: 'id', acl: expect.stringContaining('portfolio_reads_chain_data=r/') },
      { attname: 'note', acl: expect.stringContaining('portfolio_reads_chain_data=r/') },
      { attname: 'secret', acl: null },
    ]);
  } finally {
    await client.end();
  }
});

test('moving a read from a whole table to columns: the table grant replaced afterwards leaves the column grants of the contract role intact', async () => {
  // The provider replaces a table grant whose objects change: REVOKE SELECT on the old objects
  // (which, for the same role, drops its column grants too). Run as it would for portfolio_app
  // after the contract's resources: the contract role's column grants survive.
  await db.query(`GRANT SELECT ON datahub.chain_data TO portfolio_app`);
  await db.query(`REVOKE SELECT ON datahub.chain_data FROM portfolio_app`);
  const client = await connectAs(appRoleName('portfolio'));
  try {
    await expect(client.query('SELECT id, note FROM datahub.chain_data LIMIT 1')).resolves.toMatchObject({ command: 'SELECT' });
    await expect(client.query('SELECT secret FROM datahub.chain_data')).rejects.toMatchObject({ code: '42501' });
  } finally {
    await client.end();
  }
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
