// `drift` on real PostgreSQL, against a database deployed as the stacks would deploy it (the
// provider's SQL, test/support/provider-sql.ts, and the runner): a clean deploy reports nothing;
// a hand-made view or function, a changed owner, a revoked or an extra grant, a changed default
// privilege, an unapplied migration and a hand-made column change are each reported with their
// fix (and the fix, applied, clears the report); `--posture` finds PUBLIC's CREATE on schema
// public, a superuser app role, an app role with CREATE on a schema and an app role in an owner
// role, on PostgreSQL 18 and 14. Roles are cluster-wide: every name here carries a random tag.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { Testing } from '../../lib/cdk';
import { bigint, EnumType, EnvironmentConfig, generateMigration, MigrationDirectory, numeric, serial, ServiceRegistry, ServiceStack, Table, text, timestamptz, defineEnvironment } from '../../lib';
import { BedrockProject, modelOf, serviceStacksOf } from '../../lib/project';
import { baselineService } from '../../lib/runner/baseline';
import { migrationPlan } from '../../lib/migrations/migration-plan';
import { formatMigration, parseMigration } from '../../lib/migrations/migration-file';
import { converge } from '../../lib/runner/runner';
import { pinSession } from '../../lib/runner/session';
import { CliFailure } from '../../lib/cli/command-support';
import { driftCommand, DriftCommandOptions } from '../../lib/cli/drift-command';
import { DriftDocument } from '../../lib/catalog/drift-report';
import { applyStep, stepsOf } from '../support/provider-sql';
import { hasTestServer, TestDatabase, useTestDatabase } from '../support/database';

const db = useTestDatabase();
const db14 = useTestDatabase(14);

const tag = randomBytes(3).toString('hex');
// a owns the tables; b reads two columns of a.orders (a read contract) and writes a.items (a
// shared write); c reads every table of a (the default).
const A = `dra_${tag}`;
const B = `drb_${tag}`;
const C = `drc_${tag}`;
const registry = new ServiceRegistry([
  { name: A, team: '@t/a' },
  { name: B, team: '@t/b', reads: [{ table: `${A}.orders`, columns: ['id', 'amount'] }] },
  { name: C, team: '@t/c' },
]);
const model = { shippedAt: false };
const root = mkdtempSync(path.join(tmpdir(), 'bedrock-drift-'));
const superuser = (url: string): string => decodeURIComponent(new URL(url).username);
const environment = (name: string, database: TestDatabase): EnvironmentConfig => ({ name, connection: { database: database.name, username: superuser(database.url) }, services: registry.names });

const project: BedrockProject = {
  registry,
  environments: [environment('dt', db), environment('old', db14)],
  migrationsDirectory: (service) => path.join(root, service, 'migrations'),
  tables: {
    [A]: (stack) => {
      const status = new EnumType(stack, 'order_status', { values: ['open', 'filled'] });
      new Table(stack, 'orders', {
        columns: { id: bigint().generatedAlwaysAsIdentity(), amount: numeric(18, 2).notNull(), note: text(), status: status.column(), ...(model.shippedAt ? { shipped_at: timestamptz() } : {}) },
        primaryKey: ['id'],
      });
      new Table(stack, 'items', { columns: { id: serial(), order_id: bigint().notNull() }, primaryKey: ['id'], sharedWriters: [{ service: B, reason: 'b records fills', decision: 'docs/adr/0001-b-writes-items.md' }] });
    },
    [B]: (stack) => {
      new Table(stack, 'fills', { columns: { id: bigint().generatedAlwaysAsIdentity() }, primaryKey: ['id'] });
    },
    [C]: (stack) => {
      new Table(stack, 'reports', { columns: { id: bigint().generatedAlwaysAsIdentity() }, primaryKey: ['id'] });
    },
  },
};

const directory = (service: string) => new MigrationDirectory(project.migrationsDirectory(service), service, service);

function generate(service: string, description: string): string {
  const stack = serviceStacksOf(project, [service])[0];
  const result = generateMigration({ directory: directory(service), model: stack.schemaModel(), description, registry });
  if (!result.written) throw new Error(`${service}: nothing generated`);
  return result.migration.id;
}

async function migrate(client: Client, service: string): Promise<void> {
  await converge(client, { plan: migrationPlan(service, `${service}_owner`, directory(service).read().migrations), allowDowngrades: false });
}

/** The stacks of environment `name`, synthesized as the provider receives them. */
function stacksOf(name: string): { id: string; service?: string; json: Record<string, any> }[] {
  const env = project.environments.find((e) => e.name === name)!;
  const defined = defineEnvironment(Testing.app(), { environment: env, registry, tables: project.tables, migrationsDirectory: project.migrationsDirectory });
  return [
    { id: defined.platform.node.id, json: JSON.parse(Testing.synth(defined.platform)) },
    ...defined.services.map((s: ServiceStack) => ({ id: s.node.id, service: s.service, json: JSON.parse(Testing.synth(s)) })),
  ];
}

/** `cdktf deploy` of the stacks whose id matches, as the provider and the runner would run it. */
async function deploy(database: TestDatabase, name: string, only: (id: string) => boolean = () => true): Promise<void> {
  for (const stack of stacksOf(name).filter((s) => only(s.id))) {
    for (const step of stepsOf(stack.json)) {
      await applyStep(database.client, step, database.name, async (s) => (s.address.includes('migrations_head') && stack.service ? migrate(database.client, stack.service) : undefined));
    }
  }
}

/** A connection set up as the CLI's (withDatabase): the runner's session settings. */
async function cliClient(database: TestDatabase): Promise<Client> {
  const client = new Client({ connectionString: database.url });
  await client.connect();
  await pinSession(client, { applicationName: 'bedrock-cli', lockTimeoutMs: 10_000, statementTimeoutMs: 900_000 });
  return client;
}

interface Run {
  code: number;
  out: string;
  /** The failure's message (stderr), when the command failed. */
  err: string;
}

async function drift(options: DriftCommandOptions, database: TestDatabase = db): Promise<Run> {
  const client = await cliClient(database);
  const out: string[] = [];
  try {
    await driftCommand(client, project, options, { log: (line) => out.push(line), error: (line) => out.push(line) });
    return { code: 0, out: out.join('\n'), err: '' };
  } catch (error) {
    if (error instanceof CliFailure) return { code: error.code, out: out.join('\n'), err: error.message };
    throw error;
  } finally {
    await client.end();
  }
}

async function driftJson(options: DriftCommandOptions, database: TestDatabase = db): Promise<{ code: number; document: DriftDocument }> {
  const run = await drift({ ...options, json: true }, database);
  return { code: run.code, document: JSON.parse(run.out) as DriftDocument };
}

/** The statement between backticks of a fix, to run it. */
function statementIn(fix: string, starting: string): string {
  const found = [...fix.matchAll(/`([^`]+)`/g)].map((m) => m[1]).find((s) => s.startsWith(starting));
  if (!found) throw new Error(`no ${starting} statement in: ${fix}`);
  return found;
}

const q = (name: string) => `"${name}"`;

beforeAll(async () => {
  for (const service of registry.names) generate(service, 'initial');
  await deploy(db, 'dt');
});

afterAll(async () => {
  // Roles are cluster-wide; the test databases (where they own things) are dropped by now.
  const holders = [`${B}_reads_orders`, `${B}_writes_items`];
  const roles = [...registry.names.flatMap((s) => [`${s}_app`, `${s}_owner`]), ...holders];
  for (const url of [process.env.BEDROCK_TEST_DATABASE_URL, process.env.BEDROCK_TEST_DATABASE_URL_14]) {
    if (!url) continue;
    const admin = new Client({ connectionString: url });
    await admin.connect();
    try {
      for (const role of roles) await admin.query(`DROP ROLE IF EXISTS ${q(role)}`).catch(() => undefined);
    } finally {
      await admin.end();
    }
  }
});

describe('on PostgreSQL 18', () => {
  test('a database deployed as the stacks say: every service ok, no finding, posture clean, exit 0', async () => {
    const run = await drift({ env: 'dt', posture: true });
    expect(run).toMatchObject({ code: 0, err: '' });
    const head = (service: string) => directory(service).read().migrations.at(-1)!.id;
    expect(run.out.split('\n')).toEqual([
      `${A}: ok: the database holds the plan's head (${head(A)}), with the owners and privileges of the access model`,
      `${B}: ok: the database holds the plan's head (${head(B)}), with the owners and privileges of the access model`,
      `${C}: ok: the database holds the plan's head (${head(C)}), with the owners and privileges of the access model`,
      `posture: ok: PUBLIC, schema owners and the platform's roles are as the stacks make them`,
    ]);
    const { code, document } = await driftJson({ env: 'dt', posture: true });
    expect(code).toBe(0);
    expect(document).toEqual({
      bedrock: 1,
      command: 'drift',
      environment: 'dt',
      services: registry.names.map((service) => ({ service, schema: service, state: 'ok', appliedThrough: head(service), head: head(service), pending: [], findings: [] })),
      posture: [],
    });
    // Without --env: every registered service, the deploying role unknown (not judged).
    expect(await drift({ posture: true })).toMatchObject({ code: 0 });
  });

  test('a hand-made view and function in a service schema: each an extra object with its DROP, the function also wrongly owned (exit 7)', async () => {
    await db.query(`SET ROLE ${q(`${A}_owner`)}; CREATE VIEW ${q(A)}.recent AS SELECT id FROM ${q(A)}.orders; RESET ROLE`);
    await db.query(`CREATE FUNCTION ${q(A)}.touch(n integer) RETURNS integer LANGUAGE sql AS 'SELECT n'`);
    try {
      const run = await drift({ env: 'dt', service: A });
      expect(run.code).toBe(7);
      expect(run.err).toBe(`drift: 1 service(s) differ from their plan (${A})`);
      expect(run.out).toContain(`${A}: DRIFT: 3 difference(s) from the plan:`);
      expect(run.out).toContain(`  - [extra-object] view ${A}.recent is in schema ${A}, but no applied migration of ${A} made it (made by hand)`);
      const { document } = await driftJson({ env: 'dt', service: A });
      expect(document.services).toHaveLength(1);
      expect(document.services[0].state).toBe('drift');
      expect(document.services[0].findings).toEqual([
        { kind: 'extra-object', object: `function ${A}.touch(n integer)`, message: expect.any(String), fix: expect.stringContaining(`\`DROP FUNCTION "${A}"."touch"(n integer);\``) },
        { kind: 'extra-object', object: `view ${A}.recent`, message: expect.any(String), fix: expect.stringContaining(`\`DROP VIEW "${A}"."recent";\``) },
        {
          kind: 'owner',
          object: `function ${A}.touch(n integer)`,
          message: `function ${A}.touch(n integer) is owned by ${superuser(db.url)}, not by ${A}_owner: its owner may grant on it, change or drop it outside the migrations`,
          fix: `\`ALTER FUNCTION "${A}"."touch"(n integer) OWNER TO "${A}_owner";\``,
        },
      ]);
      // The fixes, run as given, clear the report.
      for (const finding of document.services[0].findings.filter((f) => f.kind === 'extra-object')) await db.query(statementIn(finding.fix, 'DROP'));
      expect(await drift({ env: 'dt', service: A })).toMatchObject({ code: 0 });
    } finally {
      await db.query(`DROP VIEW IF EXISTS ${q(A)}.recent; DROP FUNCTION IF EXISTS ${q(A)}.touch(integer)`);
    }
  });

  test('a table given to another owner: an owner finding whose ALTER ... OWNER TO restores it', async () => {
    await db.query(`ALTER TABLE ${q(A)}.orders OWNER TO ${q(`${C}_owner`)}`);
    const { code, document } = await driftJson({ env: 'dt', service: A });
    expect(code).toBe(7);
    expect(document.services[0].findings).toEqual([
      {
        kind: 'owner',
        object: `table ${A}.orders`,
        message: `table ${A}.orders is owned by ${C}_owner, not by ${A}_owner: its owner may grant on it, change or drop it outside the migrations`,
        fix: `\`ALTER TABLE "${A}"."orders" OWNER TO "${A}_owner";\``,
      },
    ]);
    await db.query(statementIn(document.services[0].findings[0].fix, 'ALTER TABLE'));
    expect(await drift({ env: 'dt' })).toMatchObject({ code: 0 });
  });

  test('revoked grants (a reader table grant, a read contract column, a default privilege): missing, fixed by deploying the stack', async () => {
    await db.query(`REVOKE SELECT ON ${q(A)}.orders FROM ${q(`${C}_app`)}`);
    await db.query(`REVOKE SELECT (amount) ON ${q(A)}.orders FROM ${q(`${B}_reads_orders`)}`);
    await db.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${q(`${A}_owner`)} IN SCHEMA ${q(A)} REVOKE SELECT ON TABLES FROM ${q(`${C}_app`)}`);
    const run = await drift({ env: 'dt', service: A });
    expect(run.code).toBe(7);
    expect(run.out).toContain(`  - [missing-privilege] ${C}_app lacks SELECT on table ${A}.orders, which stack dt-${A} grants`);
    expect(run.out).toContain(`    fix: \`npx cdktf deploy dt-${A}\` (the provider grants it again), or now: \`GRANT SELECT ON TABLE "${A}"."orders" TO "${C}_app";\``);
    const { document } = await driftJson({ env: 'dt', service: A });
    expect(document.services[0].findings.map((f) => [f.kind, f.object])).toEqual([
      ['missing-privilege', `table ${A}.orders`],
      ['missing-privilege', `column ${A}.orders.amount`],
      ['missing-privilege', `default privileges of ${A}_owner in schema ${A}`],
    ]);
    expect(document.services[0].findings[1].message).toBe(`${B}_reads_orders lacks SELECT on column ${A}.orders.amount, which stack dt-${A} grants`);
    expect(document.services[0].findings[2].fix).toContain(`\`ALTER DEFAULT PRIVILEGES FOR ROLE "${A}_owner" IN SCHEMA "${A}" GRANT SELECT ON TABLES TO "${C}_app";\``);
    // Deploying the service's stack again (what the fix says) restores every one.
    await deploy(db, 'dt', (id) => id === `dt-${A}`);
    expect(await drift({ env: 'dt' })).toMatchObject({ code: 0 });
  });

  test('extra grants (a table privilege, a grant option, a default privilege): each with the REVOKE that removes it', async () => {
    await db.query(`GRANT INSERT ON ${q(A)}.orders TO ${q(`${C}_app`)}`);
    await db.query(`GRANT SELECT ON ${q(A)}.items TO ${q(`${C}_app`)} WITH GRANT OPTION`);
    await db.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${q(`${A}_owner`)} IN SCHEMA ${q(A)} GRANT TRUNCATE ON TABLES TO ${q(`${C}_app`)}`);
    const { code, document } = await driftJson({ env: 'dt', service: A });
    expect(code).toBe(7);
    const findings = document.services[0].findings;
    expect(findings).toEqual([
      {
        kind: 'extra-privilege',
        object: `table ${A}.items`,
        message: `${C}_app holds SELECT on table ${A}.items WITH GRANT OPTION: it may pass them on, which the access model never allows`,
        fix: `\`REVOKE GRANT OPTION FOR SELECT ON TABLE "${A}"."items" FROM "${C}_app";\``,
      },
      { kind: 'extra-privilege', object: `table ${A}.orders`, message: `${C}_app holds INSERT on table ${A}.orders, which the access model does not give it`, fix: `\`REVOKE INSERT ON TABLE "${A}"."orders" FROM "${C}_app";\`` },
      {
        kind: 'extra-privilege',
        object: `default privileges of ${A}_owner in schema ${A}`,
        message: `default privileges of ${A}_owner in schema ${A} give ${C}_app TRUNCATE on new tables, which the access model does not`,
        fix: `\`ALTER DEFAULT PRIVILEGES FOR ROLE "${A}_owner" IN SCHEMA "${A}" REVOKE TRUNCATE ON TABLES FROM "${C}_app";\``,
      },
    ]);
    for (const finding of findings) await db.query(statementIn(finding.fix, finding.object.startsWith('default') ? 'ALTER DEFAULT' : 'REVOKE'));
    expect(await drift({ env: 'dt' })).toMatchObject({ code: 0 });
  });

  test('an unapplied migration is pending (exit 3), not drift; a hand-made column change is drift (exit 7), pending or not', async () => {
    model.shippedAt = true;
    const second = generate(A, 'add_shipped_at');
    const first = directory(A).read().migrations[0].id;
    const pending = await drift({ env: 'dt' });
    expect(pending.code).toBe(3);
    expect(pending.err).toBe(`drift: 1 service(s) behind their plan (${A}): migrations to apply`);
    expect(pending.out.split('\n').slice(0, 3)).toEqual([
      `${A}: pending: 1 migration(s) to apply after ${first}; no drift`,
      `  - [pending-migration] ${second} is not applied yet: the database is behind the plan`,
      `    fix: \`npm run bedrock -- migrate --service ${A} --env dt\` (or deploy the service's stack)`,
    ]);
    const { document } = await driftJson({ env: 'dt', service: A });
    expect(document.services[0]).toEqual({ service: A, schema: A, state: 'pending', appliedThrough: first, head: second, pending: [second], findings: [expect.objectContaining({ kind: 'pending-migration', object: `migration ${second}` })] });

    // A hand-made change while behind: the schema is in no state of the plan.
    await db.query(`ALTER TABLE ${q(A)}.orders ADD COLUMN hand integer`);
    const drifted = await driftJson({ env: 'dt', service: A });
    expect(drifted.code).toBe(7);
    expect(drifted.document.services[0]).toMatchObject({ state: 'drift', pending: [second] });
    expect(drifted.document.services[0].findings).toEqual([
      {
        kind: 'schema',
        object: `column ${A}.orders.hand`,
        message: `column of ${A}.orders: hand is in the database but not in the model (compared with the state after ${first}, which the ledger records)`,
        fix: expect.stringContaining(`make it in stacks/${A}/tables.ts, \`npm run bedrock -- generate ${A} <description>\``),
      },
      expect.objectContaining({ kind: 'pending-migration', object: `migration ${second}` }),
    ]);

    // Undone and migrated: ok. Then a hand change at the head is drift too.
    await db.query(`ALTER TABLE ${q(A)}.orders DROP COLUMN hand`);
    await migrate(db.client, A);
    expect(await drift({ env: 'dt' })).toMatchObject({ code: 0 });
    await db.query(`ALTER TABLE ${q(A)}.orders ALTER COLUMN note SET NOT NULL`);
    try {
      const run = await drift({ env: 'dt', service: A });
      expect(run.code).toBe(7);
      expect(run.out).toContain(`  - [schema] column ${A}.orders.note: notNull is false in the model, true in the database (compared with the state after ${second}, which the ledger records)`);
    } finally {
      await db.query(`ALTER TABLE ${q(A)}.orders ALTER COLUMN note DROP NOT NULL`);
    }
  });

  test('the ledger against the folder: a migration stopped at a step is pending, one the folder lacks is drift, a schema built without the runner is told to baseline', async () => {
    const [first] = directory(C).read().migrations;
    const ledger = (sql: string) => db.query(sql, [C, first.id]);
    // Stopped at its first step: the next migrate resumes it (pending, exit 3).
    await ledger(`UPDATE bedrock.migrations SET status = 'partial', steps_done = 0 WHERE service = $1 AND id = $2`);
    try {
      const { code, document } = await driftJson({ env: 'dt', service: C });
      expect(code).toBe(3);
      expect(document.services[0]).toMatchObject({ state: 'pending', appliedThrough: null, pending: [first.id] });
      expect(document.services[0].findings[0]).toEqual({
        kind: 'interrupted-migration',
        object: `migration ${first.id}`,
        message: `${first.id} stopped at step 1 of 1; the schema is between two states of the plan, so it is not compared`,
        fix: `\`npm run bedrock -- migrate --service ${C} --env dt\` resumes it`,
      });
    } finally {
      await ledger(`UPDATE bedrock.migrations SET status = 'applied', steps_done = steps_total WHERE service = $1 AND id = $2`);
    }
    // A migration the folder does not have: the database is ahead of this checkout (drift).
    await ledger(`INSERT INTO bedrock.migrations SELECT service, id || '_later', checksum, up_sql, down_sql, transactional, status, applied_at, applied_by, duration_ms, error, steps_done, steps_total, down_steps FROM bedrock.migrations WHERE service = $1 AND id = $2`);
    try {
      const { code, document } = await driftJson({ env: 'dt', service: C });
      expect(code).toBe(7);
      expect(document.services[0].findings).toEqual([expect.objectContaining({ kind: 'unknown-migration', object: `migration ${first.id}_later`, message: expect.stringContaining('the database is ahead of this checkout') })]);
    } finally {
      await ledger(`DELETE FROM bedrock.migrations WHERE service = $1 AND id = $2 || '_later'`);
    }
    // No ledger rows, the schema at the head: built without the runner; baseline (the fix) records it.
    await ledger(`DELETE FROM bedrock.migrations WHERE service = $1 AND id = $2`);
    const { code, document } = await driftJson({ env: 'dt', service: C });
    expect(code).toBe(7);
    expect(document.services[0].findings).toEqual([
      {
        kind: 'unrecorded-schema',
        object: `schema of ${C}`,
        message: `the schema equals the state after ${first.id}, but the ledger records no migration: it was built or migrated without the runner`,
        fix: `\`npm run bedrock -- baseline --service ${C} --env dt\` records the chain as applied without running it`,
      },
    ]);
    await baselineService(db.client, modelOf(project, C), directory(C).read().migrations);
    expect(await drift({ env: 'dt' })).toMatchObject({ code: 0 });
  });

  test('a view, a function and a trigger that a migration made (renamed on the way) are the plan\'s, not extra objects', async () => {
    const existing = directory(C).read().migrations;
    const parent = existing.at(-1)!.id;
    const id = `${parent.slice(0, 9)}235959_${C}_add_report_view`;
    const s = q(C);
    const text = formatMigration({
      id,
      service: C,
      parent,
      summary: ['a view of the reports, and a trigger'],
      destructive: [],
      up: [
        '-- bedrock:acknowledge BEDROCK-S3 a trigger keeps the reports as they were written',
        `CREATE VIEW ${s}.report_ids_draft AS SELECT id FROM ${s}.reports;`,
        `ALTER VIEW ${s}.report_ids_draft RENAME TO report_ids;`,
        `CREATE FUNCTION ${s}.keep() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;`,
        `CREATE TRIGGER keep BEFORE INSERT ON ${s}.reports FOR EACH ROW EXECUTE FUNCTION ${s}.keep();`,
      ],
      down: [`DROP TRIGGER keep ON ${s}.reports;`, `DROP FUNCTION ${s}.keep();`, `DROP VIEW ${s}.report_ids;`],
    });
    directory(C).add(parseMigration(`${id}.sql`, text), modelOf(project, C), existing);
    await migrate(db.client, C);
    expect(await drift({ env: 'dt', posture: true })).toMatchObject({ code: 0 });
    // The same objects made by hand under other names are extra.
    await db.query(`SET ROLE ${q(`${C}_owner`)}; CREATE VIEW ${s}.report_copy AS SELECT id FROM ${s}.reports; CREATE TRIGGER keep_too BEFORE UPDATE ON ${s}.reports FOR EACH ROW EXECUTE FUNCTION ${s}.keep(); RESET ROLE`);
    try {
      const { document } = await driftJson({ env: 'dt', service: C });
      expect(document.services[0].findings.map((f) => [f.kind, f.object])).toEqual([
        ['extra-object', `trigger keep_too on ${C}.reports`],
        ['extra-object', `view ${C}.report_copy`],
      ]);
      expect(document.services[0].findings[0].fix).toContain(`\`DROP TRIGGER "keep_too" ON "${C}"."reports";\``);
    } finally {
      await db.query(`DROP VIEW ${s}.report_copy; DROP TRIGGER keep_too ON ${s}.reports`);
    }
  });

  test('posture: PUBLIC CREATE on schema public, a superuser app role, an app role with CREATE on a schema and one in an owner role (exit 7)', async () => {
    const statements = [
      `GRANT CREATE ON SCHEMA public TO PUBLIC`,
      `ALTER ROLE ${q(`${A}_app`)} SUPERUSER`,
      `GRANT CREATE ON SCHEMA ${q(B)} TO ${q(`${C}_app`)}`,
      `GRANT ${q(`${A}_owner`)} TO ${q(`${C}_app`)}`,
    ];
    for (const statement of statements) await db.query(statement);
    try {
      const { code, document } = await driftJson({ env: 'dt', posture: true });
      expect(code).toBe(7);
      expect(document.posture).toEqual([
        {
          kind: 'posture',
          check: 'public-create',
          object: 'schema public',
          message: expect.stringContaining('PUBLIC may CREATE in schema public: every role that connects may create objects there'),
          fix: `\`npx cdktf deploy dt-platform\` (it keeps USAGE only), or now: \`REVOKE CREATE ON SCHEMA "public" FROM PUBLIC;\``,
        },
        {
          kind: 'posture',
          check: 'create-privilege',
          object: `role ${C}_app`,
          message: `${C}_app may CREATE in schema ${A}, a service schema only its migrations change: only a service's owner role creates, in its own schema`,
          fix: expect.stringContaining(`REVOKE CREATE ON SCHEMA "${A}" FROM "${C}_app";`),
        },
        // Through the owner role, the service's backup schema too (the platform stack makes it, owned by that role).
        expect.objectContaining({ check: 'create-privilege', object: `role ${C}_app`, message: expect.stringContaining(`may CREATE in schema ${A}_backup`) }),
        expect.objectContaining({ check: 'create-privilege', object: `role ${C}_app`, message: expect.stringContaining(`may CREATE in schema ${B}`) }),
        {
          kind: 'posture',
          check: 'role-attribute',
          object: `role ${A}_app`,
          message: `app role ${A}_app is SUPERUSER: it bypasses every privilege and can change any service`,
          fix: `\`npx cdktf deploy dt-platform\` (the provider sets every attribute), or now: \`ALTER ROLE "${A}_app" NOSUPERUSER;\``,
        },
        {
          kind: 'posture',
          check: 'role-membership',
          object: `role ${C}_app`,
          message: `app role ${C}_app is a member of ${A}_owner, which no stack grants: it may SET ROLE ${A}_owner and alter or drop that service's tables`,
          fix: `\`REVOKE "${A}_owner" FROM "${C}_app";\``,
        },
      ]);
      // The per-service report sees the same from the service's side.
      const a = document.services.find((s) => s.service === A)!;
      expect(a.findings).toContainEqual(expect.objectContaining({ kind: 'membership', object: `role ${A}_owner`, fix: `\`REVOKE "${A}_owner" FROM "${C}_app";\`` }));
      const b = document.services.find((s) => s.service === B)!;
      expect(b.findings).toContainEqual({ kind: 'extra-privilege', object: `schema ${B}`, message: `${C}_app holds CREATE on schema ${B}, which the access model does not give it`, fix: `\`REVOKE CREATE ON SCHEMA "${B}" FROM "${C}_app";\`` });
      const text = await drift({ env: 'dt', posture: true });
      expect(text.err).toBe(`drift: 2 service(s) differ from their plan (${A}, ${B}); 6 posture finding(s)`);
      expect(text.out).toContain('posture: 6 finding(s):');
      expect(text.out).toContain(`  - [role-attribute] app role ${A}_app is SUPERUSER: it bypasses every privilege and can change any service`);
    } finally {
      await db.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC; ALTER ROLE ${q(`${A}_app`)} NOSUPERUSER; REVOKE CREATE ON SCHEMA ${q(B)} FROM ${q(`${C}_app`)}; REVOKE ${q(`${A}_owner`)} FROM ${q(`${C}_app`)}`);
    }
    expect(await drift({ env: 'dt', posture: true })).toMatchObject({ code: 0 });
  });
});

describe('posture on PostgreSQL 14', () => {
  test('PUBLIC may CREATE in schema public and connect by default; the platform stack takes both away', async () => {
    if (!hasTestServer(14)) return;
    const before = await driftJson({ env: 'old', posture: true }, db14);
    expect(before.code).toBe(7);
    expect(before.document.posture).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ check: 'public-create', object: 'schema public', fix: `\`npx cdktf deploy old-platform\` (it keeps USAGE only), or now: \`REVOKE CREATE ON SCHEMA "public" FROM PUBLIC;\`` }),
        expect.objectContaining({ check: 'public-database', object: `database ${db14.name}`, message: expect.stringContaining('PUBLIC holds CONNECT, TEMPORARY on database') }),
      ]),
    );
    // Nothing deployed: each service's schema is missing (drift), named with the stack that makes it.
    expect(before.document.services[0].findings[0]).toEqual(expect.objectContaining({ kind: 'schema', object: `schema ${A}`, fix: `\`npx cdktf deploy old-platform\`, then deploy the service (\`npx cdktf deploy old-${A}\`)` }));

    await deploy(db14, 'old', (id) => id === 'old-platform');
    const after = await driftJson({ env: 'old', posture: true }, db14);
    expect(after.document.posture).toEqual([]);
    // The platform alone: the services' migrations and grants are still to come.
    expect(after.document.services.map((s) => s.state)).toEqual(['drift', 'drift', 'drift']);
    await deploy(db14, 'old', (id) => id !== 'old-platform');
    expect(await drift({ env: 'old', posture: true }, db14)).toMatchObject({ code: 0 });
  });
});
