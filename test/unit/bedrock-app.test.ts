// The whole Bedrock app synthesized: every stack of every environment, every table in its
// owner's stack, roles and grants where they belong, and nothing secret or machine-specific.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from '../../lib/cdk';
import { bedrockEnvironments, bedrockServices, defineBedrock } from '../../stacks';

type Json = Record<string, any>;

const SECRET = 'pw-do-not-leak-7f3a';
let outdir: string;
let stacks: Record<string, Json>;

function allFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const full = path.join(directory, name);
    return statSync(full).isDirectory() ? allFiles(full) : [full];
  });
}

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'bedrock-synth-'));
  const saved = { PGPASSWORD: process.env.PGPASSWORD, PG_CONN_STR: process.env.PG_CONN_STR };
  // Secrets in the environment at synth time must not end up in the plan.
  process.env.PGPASSWORD = SECRET;
  process.env.PG_CONN_STR = `postgres://deployer:${SECRET}@db.internal/bedrock_db`;
  try {
    const app = new App({ outdir });
    defineBedrock(app);
    app.synth();
  } finally {
    Object.assign(process.env, saved);
    for (const [key, value] of Object.entries(saved)) if (value === undefined) delete process.env[key];
  }
  stacks = Object.fromEntries(
    readdirSync(path.join(outdir, 'stacks')).map((id) => [id, JSON.parse(readFileSync(path.join(outdir, 'stacks', id, 'cdk.tf.json'), 'utf8'))]),
  );
});

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const resources = (stack: Json, type: string): Json[] => Object.values(stack.resource?.[type] ?? {});
const services = bedrockServices.names;

test('every environment has a platform stack and one stack per service', () => {
  const expected = bedrockEnvironments.flatMap((env) => [`${env.name}-platform`, ...services.map((s) => `${env.name}-${s}`)]);
  expect(Object.keys(stacks).sort()).toEqual(expected.sort());
  expect(bedrockEnvironments.map((e) => e.name)).toEqual(['local', 'dev', 'staging', 'prod']);
});

test('each of the seed\'s nine tables is in its owner\'s stack, and only there', () => {
  const owners: Record<string, string[]> = {
    datahub: ['datahub.klines', 'datahub.chain_data'],
    decision_engine: ['decision_engine.signals'],
    portfolio: ['portfolio.positions', 'portfolio.trades'],
    backtesting: ['backtesting.backtest_tasks', 'backtesting.backtest_reports'],
    mlops: ['mlops.training_jobs', 'mlops.ml_models'],
    notification: [],
  };
  for (const env of bedrockEnvironments) {
    for (const service of services) {
      expect(stacks[`${env.name}-${service}`].output.tables.value).toEqual(owners[service]);
    }
  }
});

test('the platform stack holds an owner role and an app role per service, and a schema each', () => {
  const platform = stacks['prod-platform'];
  const roles = resources(platform, 'postgresql_role');
  for (const service of services) {
    expect(roles).toContainEqual(expect.objectContaining({ name: `${service}_owner`, login: false }));
    expect(roles).toContainEqual(expect.objectContaining({ name: `${service}_app`, login: true, search_path: services }));
    expect(resources(platform, 'postgresql_schema')).toContainEqual(expect.objectContaining({ name: service, owner: `${service}_owner`, database: 'bedrock_db' }));
    expect(resources(platform, 'postgresql_grant_role')).toContainEqual(expect.objectContaining({ role: 'bedrock_deployer', grant_role: `${service}_owner` }));
  }
  expect(roles).toHaveLength(services.length * 2);
  for (const role of roles) {
    expect(role).not.toHaveProperty('password');
    // Memberships are managed by postgresql_grant_role only: mixing in `roles` revokes them.
    expect(role).not.toHaveProperty('roles');
  }
});

test('database and schema privileges live in the platform stack', () => {
  const grants = resources(stacks['prod-platform'], 'postgresql_grant');
  expect(grants).toContainEqual(expect.objectContaining({ role: 'public', object_type: 'database', privileges: [] }));
  for (const reader of services) {
    expect(grants).toContainEqual(expect.objectContaining({ role: `${reader}_app`, object_type: 'database', privileges: ['CONNECT'] }));
    for (const owner of services) {
      expect(grants).toContainEqual(expect.objectContaining({ role: `${reader}_app`, schema: owner, object_type: 'schema', privileges: ['USAGE'] }));
    }
  }
  expect(grants).toContainEqual(expect.objectContaining({ role: 'public', schema: 'public', object_type: 'schema', privileges: ['USAGE'] }));
  expect(grants).toHaveLength(2 + services.length + services.length ** 2);
  expect(stacks['prod-platform'].output.access.value).toContain(`datahub_app: CONNECT on database bedrock_db; USAGE on schemas ${services.join(', ')}`);
  expect(grants.filter((g) => g.object_type === 'table')).toEqual([]);
});

test('table privileges live in the owner\'s stack: the owner\'s app writes, every other app reads', () => {
  for (const owner of services) {
    const stack = stacks[`staging-${owner}`];
    const grants = resources(stack, 'postgresql_grant');
    const defaults = resources(stack, 'postgresql_default_privileges');
    for (const reader of services) {
      const tablePrivileges = reader === owner ? ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] : ['SELECT'];
      const grant = { role: `${reader}_app`, schema: owner, object_type: 'table', privileges: tablePrivileges, database: 'bedrock_db' };
      expect(grants).toContainEqual(expect.objectContaining(grant));
      expect(defaults).toContainEqual(expect.objectContaining({ ...grant, owner: `${owner}_owner` }));
    }
    expect(grants).toContainEqual(expect.objectContaining({ role: `${owner}_app`, schema: owner, object_type: 'sequence', privileges: ['SELECT', 'USAGE'] }));
    // Nobody else's schema is touched from this stack.
    for (const resource of [...grants, ...defaults]) expect(resource.schema).toBe(owner);
    expect(grants).toHaveLength(services.length + 1);
    expect(defaults).toHaveLength(services.length + 1);
  }
});

test('grant resources in a stack run one after another (no "tuple concurrently updated")', () => {
  for (const id of ['prod-platform', 'prod-datahub']) {
    const stack = stacks[id];
    const chained = ['postgresql_grant', 'postgresql_default_privileges', 'postgresql_role', 'postgresql_schema', 'postgresql_grant_role']
      .flatMap((type) => Object.entries(stack.resource[type] ?? {}).map(([name, body]) => ({ address: `${type}.${name}`, dependsOn: (body as Json).depends_on ?? [] })));
    const heads = chained.filter((r) => r.dependsOn.length === 0);
    expect(heads).toHaveLength(1);
    // A single chain: every resource is depended on by at most one other.
    const dependedOn = chained.flatMap((r) => r.dependsOn);
    expect(new Set(dependedOn).size).toBe(dependedOn.length);
    expect(dependedOn).toHaveLength(chained.length - 1);
  }
});

test('service stacks are deployed after their platform stack', () => {
  const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
  for (const service of services) expect(manifest.stacks[`dev-${service}`].dependencies).toEqual(['dev-platform']);
});

test('backends: local state in the project folder by relative path, pg state without a connection string', () => {
  expect(stacks['local-datahub'].terraform.backend).toEqual({ local: { path: '../../../terraform.local-datahub.tfstate' } });
  expect(stacks['prod-datahub'].terraform.backend).toEqual({ pg: { schema_name: 'terraform_prod_datahub' } });
  expect(stacks['prod-platform'].terraform.backend).toEqual({ pg: { schema_name: 'terraform_prod_platform' } });
});

test('providers are configured from the environment, with no secret', () => {
  expect(stacks['prod-datahub'].provider.postgresql).toEqual([
    { host: 'bedrock-prod.db.internal', database: 'bedrock_db', username: 'bedrock_deployer', sslmode: 'verify-full', superuser: false },
  ]);
  // Only the local environment creates its database, through a second connection to `postgres`.
  expect(resources(stacks['local-platform'], 'postgresql_database')).toEqual([expect.objectContaining({ name: 'bedrock_db', provider: 'postgresql.maintenance' })]);
  expect(resources(stacks['prod-platform'], 'postgresql_database')).toEqual([]);
});

test('no secret, connection string or absolute path of this machine anywhere in the output', () => {
  const files = allFiles(outdir);
  expect(files.length).toBeGreaterThan(28);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    expect(text.includes(SECRET)).toBe(false);
    expect(text.includes(outdir) || text.includes(process.cwd())).toBe(false);
    // The bundled runner is node-postgres's code, which spells out URL schemes; the plans must not.
    if (path.basename(file) !== 'runner.js') {
      expect(text).not.toMatch(/postgres(ql)?:\/\//);
      expect(text).not.toMatch(/"password"/);
    }
  }
});

test("each environment's runner settings are in its plan: prod and staging refuse long rewrites and back up what migrations destroy, every environment retries short lock waits", () => {
  const head = (id: string): Json => Object.entries(stacks[id].resource.terraform_data as Json).find(([name]) => name.startsWith('migrations_head'))![1];
  for (const environment of ['prod', 'staging']) {
    expect(head(`${environment}-datahub`).provisioner[0]['local-exec'].command).toMatch(/ --lock-timeout-ms 500 --statement-timeout-ms 3600000 .* --lock-retries 8 .* --offline-max-rows 100000 --backup-retention-days 14$/);
    expect(head(`${environment}-datahub`).input.settings).toMatchObject({ statementTimeoutMs: 3600000, offlineChangeMaxRows: 100000, backups: { enabled: true, retentionDays: 14 } });
  }
  // local and dev hold disposable data: no copies, and the plan says so.
  for (const environment of ['local', 'dev']) {
    expect(head(`${environment}-datahub`).provisioner[0]['local-exec'].command).toMatch(/ --lock-retry-max-backoff-ms 30000 --no-backups$/);
    expect(head(`${environment}-datahub`).input.settings).toMatchObject({ backups: { enabled: false, retentionDays: 14 } });
  }
  expect(head('local-datahub').provisioner[0]['local-exec'].command).not.toContain('--offline-max-rows');
});
