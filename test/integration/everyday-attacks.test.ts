// An attacker's pass over issue 15's everyday commands, on real PostgreSQL. The real Bedrock app
// (all six services, stacks/) is deployed as the stacks say (the provider's SQL and the runner);
// `drift --posture` must find nothing there, and each hand change below must be found, with a fix
// that is safe to copy: a catalog name can never turn a fix into another statement. `--env`
// must never print a secret nor silently connect without TLS; a lock holder's published time is
// believed only when it can be true.
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { Testing } from '../../lib/cdk';
import { defineEnvironment, EnvironmentConfig, MigrationDirectory } from '../../lib';
import { BedrockProject, modelOf } from '../../lib/project';
import { migrationPlan } from '../../lib/migrations/migration-plan';
import { formatMigration, parseMigration } from '../../lib/migrations/migration-file';
import { converge } from '../../lib/runner/runner';
import { connect } from '../../lib/runner/connect';
import { lockService } from '../../lib/runner/service-lock';
import { DriftDocument, driftReport } from '../../lib/catalog/drift-report';
import { DriftFinding } from '../../lib/catalog/drift-finding';
import { bedrockProject } from '../../stacks/project';
import { applyStep, stepsOf } from '../support/provider-sql';
import { useTestDatabase } from '../support/database';
import { cliOnDatabase, connectionOf } from '../support/cli-on-database';

const db = useTestDatabase();

const tag = randomBytes(3).toString('hex');
/** A role no stack knows: what an attacker (or a helpful DBA) hands privileges to. */
const INTRUDER = `intruder_${tag}`;
const superuser = (url: string): string => decodeURIComponent(new URL(url).username);

// The real app's migrations, copied: a test adds a migration of its own to datahub.
const root = mkdtempSync(path.join(tmpdir(), 'bedrock-attacks-'));
for (const service of bedrockProject.registry.names) {
  const from = bedrockProject.migrationsDirectory(service);
  try {
    cpSync(from, path.join(root, service, 'migrations'), { recursive: true });
  } catch {
    // notification has no migrations folder yet.
  }
}
// The deploying role is the test's superuser: a member of every owner role, as the platform makes it.
const environment: EnvironmentConfig = { name: 'attack', connection: { database: db.name, username: superuser(db.url) }, services: bedrockProject.registry.names };
const project: BedrockProject = { ...bedrockProject, environments: [environment], migrationsDirectory: (service) => path.join(root, service, 'migrations') };
const directory = (service: string) => new MigrationDirectory(project.migrationsDirectory(service), service, service);

async function migrate(service: string): Promise<void> {
  await converge(db.client, { plan: migrationPlan(service, `${service}_owner`, directory(service).read().migrations), allowDowngrades: false });
}

async function report(): Promise<DriftDocument> {
  return driftReport(db.client, project, { environment, posture: true });
}

/** Every finding of the report, the services' and the posture's. */
async function findings(): Promise<DriftFinding[]> {
  const document = await report();
  return [...document.services.flatMap((s) => s.findings), ...(document.posture ?? [])];
}

/** The spans between backticks of a text, as Markdown and a reader pair them: what a person copies. */
function codeSpans(text: string): string[] {
  return [...text.matchAll(/`([^`]*)`/g)].map((m) => m[1]);
}

beforeAll(async () => {
  const defined = defineEnvironment(Testing.app(), { environment, registry: project.registry, tables: project.tables, migrationsDirectory: project.migrationsDirectory });
  const stacks = [{ json: JSON.parse(Testing.synth(defined.platform)) }, ...defined.services.map((s) => ({ json: JSON.parse(Testing.synth(s)), service: s.service as string }))];
  for (const stack of stacks) {
    for (const step of stepsOf(stack.json)) {
      await applyStep(db.client, step, db.name, async (s) => (s.address.includes('migrations_head') && 'service' in stack ? migrate(stack.service) : undefined));
    }
  }
  await db.query(`CREATE ROLE "${INTRUDER}" LOGIN`);
});

afterAll(async () => {
  // Roles are cluster-wide: the test database (where the intruder held privileges) is dropped by now.
  const admin = new Client({ connectionString: process.env.BEDROCK_TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP ROLE IF EXISTS "${INTRUDER}"`).catch(() => undefined);
  await admin.end();
});

describe('drift of the real Bedrock app', () => {
  test('deployed as the stacks say, all six services: every service ok, no finding, posture clean', async () => {
    const document = await report();
    expect(document.services.map((s) => [s.service, s.state, s.findings])).toEqual(project.registry.names.map((s) => [s, 'ok', []]));
    expect(document.posture).toEqual([]);
  });

  test("a member given to a service's app role holds its writes: a membership finding with the REVOKE", async () => {
    await db.query(`GRANT datahub_app TO "${INTRUDER}"`);
    try {
      expect(await findings()).toEqual([
        {
          kind: 'membership',
          object: 'role datahub_app',
          message: `${INTRUDER} is a member of datahub_app, which no stack makes it: it holds what datahub_app may do (it writes datahub's tables)`,
          fix: `\`REVOKE "datahub_app" FROM "${INTRUDER}";\``,
        },
      ]);
    } finally {
      await db.query(`REVOKE datahub_app FROM "${INTRUDER}"`);
    }
  });

  test("an owner role's default privileges on sequences in every schema: only what was granted is reported, never the owner's own", async () => {
    await db.query(`ALTER DEFAULT PRIVILEGES FOR ROLE datahub_owner GRANT USAGE ON SEQUENCES TO "${INTRUDER}"`);
    try {
      expect(await findings()).toEqual([
        {
          kind: 'extra-privilege',
          object: 'default privileges of datahub_owner in every schema',
          message: `default privileges of datahub_owner in every schema give ${INTRUDER} USAGE on new sequences (in schema datahub too), which the access model does not`,
          fix: `\`ALTER DEFAULT PRIVILEGES FOR ROLE "datahub_owner" REVOKE USAGE ON SEQUENCES FROM "${INTRUDER}";\``,
        },
      ]);
    } finally {
      await db.query(`ALTER DEFAULT PRIVILEGES FOR ROLE datahub_owner REVOKE USAGE ON SEQUENCES FROM "${INTRUDER}"`);
    }
  });

  test('default privileges on large objects (PostgreSQL 18): named as such, and the fix revokes them, not a table privilege', async () => {
    await db.query(`ALTER DEFAULT PRIVILEGES FOR ROLE datahub_owner GRANT SELECT ON LARGE OBJECTS TO "${INTRUDER}"`);
    try {
      const [finding, ...rest] = await findings();
      expect(rest).toEqual([]);
      expect(finding.message).toBe(`default privileges of datahub_owner in every schema give ${INTRUDER} SELECT on new large objects, which the access model does not`);
      expect(finding.fix).toBe(`\`ALTER DEFAULT PRIVILEGES FOR ROLE "datahub_owner" REVOKE SELECT ON LARGE OBJECTS FROM "${INTRUDER}";\``);
      // The fix, run as given, clears it.
      await db.query(codeSpans(finding.fix)[0]);
      expect(await findings()).toEqual([]);
    } finally {
      await db.query(`ALTER DEFAULT PRIVILEGES FOR ROLE datahub_owner REVOKE SELECT ON LARGE OBJECTS FROM "${INTRUDER}"`);
    }
  });

  test('a view a migration made: its planned privileges are no finding; a grant on it beyond the access model is', async () => {
    const existing = directory('datahub').read().migrations;
    const parent = existing.at(-1)!.id;
    const id = `${parent.slice(0, 9)}235959_datahub_add_symbols_view`;
    const text = formatMigration({
      id,
      service: 'datahub',
      parent,
      summary: ['a view of the symbols'],
      destructive: [],
      up: ['CREATE VIEW "datahub"."symbols" AS SELECT DISTINCT symbol FROM "datahub"."klines";'],
      down: ['DROP VIEW "datahub"."symbols";'],
    });
    directory('datahub').add(parseMigration(`${id}.sql`, text), modelOf(project, 'datahub'), existing);
    await migrate('datahub');
    expect(await findings()).toEqual([]);
    // The view serves klines' rows: SELECT on it to a role the model never gave it is a read around the access model.
    await db.query(`GRANT SELECT ON datahub.symbols TO "${INTRUDER}"`);
    try {
      expect(await findings()).toEqual([
        {
          kind: 'extra-privilege',
          object: 'view datahub.symbols',
          message: `${INTRUDER} holds SELECT on view datahub.symbols, which the access model does not give it`,
          fix: `\`REVOKE SELECT ON TABLE "datahub"."symbols" FROM "${INTRUDER}";\``,
        },
      ]);
    } finally {
      await db.query(`REVOKE SELECT ON datahub.symbols FROM "${INTRUDER}"`);
    }
  });

  test('already caught: a hand-made trigger, a column grant, a default privilege for another role, a standalone sequence given away', async () => {
    await db.query(`SET ROLE datahub_owner; CREATE SEQUENCE datahub.hand_seq; RESET ROLE`);
    await db.query(`CREATE FUNCTION public.noop_${tag}() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$`);
    await db.query(`CREATE TRIGGER hand_made BEFORE INSERT ON datahub.klines FOR EACH ROW EXECUTE FUNCTION public.noop_${tag}()`);
    await db.query(`GRANT UPDATE (symbol) ON datahub.klines TO portfolio_app`);
    await db.query(`ALTER DEFAULT PRIVILEGES FOR ROLE datahub_owner IN SCHEMA datahub GRANT SELECT ON TABLES TO "${INTRUDER}"`);
    await db.query(`ALTER SEQUENCE datahub.hand_seq OWNER TO "${INTRUDER}"`);
    try {
      expect((await findings()).map((f) => [f.kind, f.object])).toEqual([
        ['schema', 'sequence datahub.hand_seq'],
        ['extra-object', 'trigger hand_made on datahub.klines'],
        ['owner', 'sequence datahub.hand_seq'],
        ['extra-privilege', 'column datahub.klines.symbol'],
        ['extra-privilege', 'default privileges of datahub_owner in schema datahub'],
      ]);
    } finally {
      await db.query(`DROP TRIGGER hand_made ON datahub.klines; DROP FUNCTION public.noop_${tag}(); DROP SEQUENCE datahub.hand_seq`);
      await db.query(`REVOKE UPDATE (symbol) ON datahub.klines FROM portfolio_app`);
      await db.query(`ALTER DEFAULT PRIVILEGES FOR ROLE datahub_owner IN SCHEMA datahub REVOKE SELECT ON TABLES FROM "${INTRUDER}"`);
    }
    expect(await findings()).toEqual([]);
  });
});

describe('hostile names in findings and fixes', () => {
  // Backticks delimit every statement of a fix: a name holding them would close one statement and
  // open another, here `; DROP SCHEMA datahub CASCADE; --`, copied as "the statement to run".
  const hostile = 'v`x`; DROP SCHEMA datahub CASCADE; --';
  const role = `r\`; DROP SCHEMA datahub CASCADE; --\`_${tag}`;

  test('a view and a role named with backticks: no fix prints a statement, no text carries a backtick from the catalog', async () => {
    await db.query(`SET ROLE datahub_owner; CREATE VIEW datahub."${hostile}" AS SELECT 1 AS a; RESET ROLE`);
    await db.query(`CREATE ROLE "${role}"`);
    await db.query(`GRANT SELECT ON datahub.klines TO "${role}"`);
    try {
      const found = await findings();
      expect(found.map((f) => f.kind)).toEqual(['extra-object', 'extra-privilege']);
      for (const finding of found) {
        for (const span of codeSpans(finding.fix)) expect(span).not.toMatch(/DROP SCHEMA/);
        expect(finding.fix).toMatch(/^by hand: /);
        expect(`${finding.object} ${finding.message}`).not.toContain('`');
      }
      expect(found[0].object).toBe('view datahub.v\\u0060x\\u0060; DROP SCHEMA datahub CASCADE; --');
    } finally {
      await db.query(`DROP VIEW datahub."${hostile}"; REVOKE SELECT ON datahub.klines FROM "${role}"; DROP ROLE "${role}"`);
    }
    expect(await findings()).toEqual([]);
  });
});

describe('--env connections', () => {
  /** Sets environment variables for the duration of `work`. */
  async function withVariables<T>(variables: Record<string, string | undefined>, work: () => Promise<T>): Promise<T> {
    const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
    for (const [name, value] of Object.entries(variables)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    try {
      return await work();
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  }

  const at = (connection: Partial<EnvironmentConfig['connection']>): EnvironmentConfig => ({ ...environment, connection: { ...connectionOf(db.url), ...connection } });
  const failure = (promise: Promise<unknown>): Promise<string> =>
    promise.then(
      () => 'connected',
      (error: Error) => error.message,
    );
  const clean = { DATABASE_URL: undefined, PGSSLMODE: undefined, PGSSLROOTCERT: undefined, PGPORT: undefined };

  test('an environment row holding credentials in its host is refused before connecting, the secret never printed', async () => {
    const leaky: BedrockProject = { ...project, environments: [at({ host: 'postgres://admin:s3cret-pw@db.internal' })] };
    const out: string[] = [];
    const code = await withVariables(clean, () => import('../../lib').then(({ runCli }) => runCli(leaky, ['status', '--env', 'attack'], { log: (l) => out.push(l), error: (l) => out.push(l) })));
    expect(code).toBe(1);
    expect(out.join('\n')).toContain('connection.host looks like a connection string or holds credentials');
    expect(out.join('\n')).not.toContain('s3cret');
  });

  test('down checks the row too: a row allowing downgrades but holding credentials is refused before connecting', async () => {
    const leaky: BedrockProject = { ...project, environments: [{ ...at({ host: 'postgres://admin:s3cret-pw@db.internal' }), allowDowngrades: true }] };
    const out: string[] = [];
    const code = await withVariables(clean, () => import('../../lib').then(({ runCli }) => runCli(leaky, ['down', '--service', project.registry.names[0], '--env', 'attack'], { log: (l) => out.push(l), error: (l) => out.push(l) })));
    expect(code).toBe(1);
    expect(out.join('\n')).toContain('connection.host looks like a connection string or holds credentials');
    expect(out.join('\n')).not.toContain('s3cret');
  });

  test('no sslMode and no PGSSLMODE: TLS is required, as the provider does (the test server has none), never a silent plain connection', async () => {
    const message = await withVariables(clean, () => failure(connect({ environment: at({ sslMode: undefined }) })));
    expect(message).toContain('Cannot connect to PostgreSQL with environment "attack"');
    expect(message).toContain('The server does not support SSL connections');
    // PGSSLMODE fills the gap as libpq reads it.
    const client = await withVariables({ ...clean, PGSSLMODE: 'disable' }, () => connect({ environment: at({ sslMode: undefined }) }));
    await client.end();
  });

  test('a PGSSLMODE libpq would refuse (a typo) is refused, not read as "no TLS"', async () => {
    const message = await withVariables({ ...clean, PGSSLMODE: 'verify_full' }, () => failure(connect({ environment: at({ sslMode: undefined }) })));
    expect(message).toBe('PGSSLMODE "verify_full" is not an sslmode (disable, allow, prefer, require, verify-ca, verify-full): fix or unset it (environment "attack" gives none: stacks/environments.ts)');
  });

  test('PGSSLROOTCERT that cannot be read is named with the fix; "system" is the system store, as in libpq', async () => {
    const missing = await withVariables({ ...clean, PGSSLROOTCERT: '/nonexistent/root.crt' }, () => failure(connect({ environment: at({ sslMode: 'verify-full' }) })));
    expect(missing).toMatch(/^PGSSLROOTCERT \/nonexistent\/root\.crt: cannot read it \(ENOENT\); environment "attack" verifies the server \(sslMode verify-full\) against that file: point PGSSLROOTCERT at the CA certificate, or unset it to use the system's CAs$/);
    const system = await withVariables({ ...clean, PGSSLROOTCERT: 'system' }, () => failure(connect({ environment: at({ sslMode: 'verify-full' }) })));
    expect(system).toContain('The server does not support SSL connections');
  });

  test('a PGPORT that is not a port is named, as libpq would refuse it', async () => {
    const message = await withVariables({ ...clean, PGPORT: '54x2' }, () => failure(connect({ environment: at({ port: undefined }) })));
    expect(message).toBe('PGPORT "54x2" is not a TCP port: fix or unset it (environment "attack" gives no port: stacks/environments.ts)');
  });

  test('a DATABASE_URL that is no URL is named (and never echoed)', async () => {
    const message = await withVariables({ ...clean, DATABASE_URL: 'postgres://u:s3cret@127.0.0.1:99999/db' }, () => failure(connect()));
    expect(message).toBe('Cannot connect to PostgreSQL with DATABASE_URL: Invalid URL');
  });
});

describe('the lock holder', () => {
  test("a session publishing a lock time later than the server's clock is not believed: it is named as it is, quoted", async () => {
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    const waiter = new Client({ connectionString: db.url });
    await waiter.connect();
    try {
      await holder.query(`SET application_name = 'bedrock-runner datahub locked 2099-01-01T00:00:00.000Z'`);
      await holder.query(`SELECT pg_advisory_lock(hashtext('bedrock'), hashtext('datahub'))`);
      const message = await lockService(waiter, 'datahub', { waitMs: 100 }).then(
        () => 'locked',
        (error: Error) => error.message,
      );
      expect(message).not.toContain('since 2099');
      expect(message).toContain('application "bedrock-runner datahub locked 2099-01-01T00:00:00.000Z"');
      expect(message).toContain("its name says it took the lock at 2099-01-01T00:00:00.000Z, which cannot be (later than the server's clock, or before the session connected): not believed");
      // Nor one before the session connected (the waiter may see when it did).
      await holder.query(`SET application_name = 'bedrock-runner datahub locked 2001-01-01T00:00:00.000Z'`);
      const past = await lockService(waiter, 'datahub', { waitMs: 100 }).then(
        () => 'locked',
        (error: Error) => error.message,
      );
      expect(past).not.toContain('since 2001');
      expect(past).toContain('its name says it took the lock at 2001-01-01T00:00:00.000Z, which cannot be');
    } finally {
      await holder.end();
      await waiter.end();
    }
  });

  test('a service name at the length limit: the lock time still fits in application_name and is read back', async () => {
    const service = 's'.repeat(57);
    const holder = new Client({ connectionString: db.url, application_name: `bedrock-runner ${service}` });
    await holder.connect();
    const waiter = new Client({ connectionString: db.url });
    await waiter.connect();
    try {
      const name = await lockService(holder, service, { waitMs: 100 });
      expect(name).toMatch(/^bedrock-runner s{14}\.\. locked \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
      const message = await lockService(waiter, service, { waitMs: 100 }).then(
        () => 'locked',
        (error: Error) => error.message,
      );
      expect(message).toContain(`another deploy holds the migration lock since ${name.slice(-24)} (for `);
    } finally {
      await holder.end();
      await waiter.end();
    }
  });
});

describe('the command line on the real app', () => {
  test('migrate without --service runs every service, notification (no migrations folder) included; status and drift then exit 0', async () => {
    const migrated = await cliOnDatabase(project, db.url, ['migrate', '--env', 'attack']);
    expect(migrated).toMatchObject({ code: 0, err: '' });
    expect(migrated.out.split('\n')[0]).toBe('migrate: 6 services, in this order: datahub, decision_engine, portfolio, backtesting, mlops, notification (environment attack)');
    expect(migrated.out).toContain('notification: at no migration (up to date, nothing to do)');
    const status = await cliOnDatabase(project, db.url, ['status', '--env', 'attack', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out).services.map((s: { state: string }) => s.state)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    const drift = await cliOnDatabase(project, db.url, ['drift', '--env', 'attack', '--posture', '--json']);
    expect(drift.code).toBe(0);
    expect(JSON.parse(drift.out).posture).toEqual([]);
  });
});
