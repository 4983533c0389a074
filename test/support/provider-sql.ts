// The SQL the cyrilgdn/postgresql provider (v1.26.0) runs for each resource of a synthesized
// stack, as ../shared/PROVIDER_SQL.md records it from the provider's source. The provider
// binary cannot be downloaded here, so access tests execute this SQL instead:
// - role create: CREATE ROLE with every flag spelled out, then ALTER ROLE ... SET search_path
//   (TO DEFAULT when unset), in one transaction;
// - grant_role: REVOKE then GRANT of the membership, in one transaction;
// - schema: CREATE SCHEMA IF NOT EXISTS ... AUTHORIZATION <owner> (run as superuser, so
//   withRolesGranted elevates nothing);
// - grant: pgLockRole(grantee) (SET statement_timeout = 0 and advisory xact locks on the
//   role's oid and its members'; plus the database's oid for database grants), then the
//   REVOKE (ALL ... IN SCHEMA without objects; the listed privileges on the listed objects
//   with them) and the GRANT, in one transaction;
// - default_privileges: pgLockRole(owner), ALTER DEFAULT PRIVILEGES FOR ROLE <owner> IN SCHEMA
//   ... REVOKE ALL, then GRANT, in one transaction.
// postgresql_database and extensions are not emulated (the test database exists already).
import { ClientBase } from 'pg';

type Json = Record<string, any>;

export interface ProviderStep {
  /** `type.name`, as depends_on spells it. */
  readonly address: string;
  readonly type: string;
  readonly body: Json;
  readonly dependsOn: readonly string[];
}

const ident = (name: string): string => (name === 'public' ? 'PUBLIC' : `"${name.replace(/"/g, '""')}"`);
const literal = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** The stack's resources in an order that respects depends_on (as Terraform would, serially). */
export function stepsOf(stack: Json): ProviderStep[] {
  const all: ProviderStep[] = Object.entries(stack.resource ?? {}).flatMap(([type, resources]) =>
    Object.entries(resources as Json).map(([name, body]) => ({ address: `${type}.${name}`, type, body, dependsOn: (body.depends_on ?? []) as string[] })),
  );
  const done = new Set<string>();
  const ordered: ProviderStep[] = [];
  while (ordered.length < all.length) {
    const ready = all.filter((s) => !done.has(s.address) && s.dependsOn.every((d) => done.has(d) || !all.some((x) => x.address === d)));
    if (ready.length === 0) throw new Error('dependency cycle in the synthesized stack');
    for (const step of ready) {
      done.add(step.address);
      ordered.push(step);
    }
  }
  return ordered;
}

async function lockRole(client: ClientBase, role: string): Promise<void> {
  await client.query('SET statement_timeout = 0');
  await client.query('SELECT pg_advisory_xact_lock(oid::bigint) FROM pg_roles WHERE rolname = $1', [role]);
  const members = await client.query('SELECT m.member FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid WHERE r.rolname = $1', [role]);
  for (const { member } of members.rows) await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [member]);
}

/** `work` in one transaction, as the provider runs each resource's statements. */
export async function transaction(client: ClientBase, work: () => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    await work();
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

const TYPES: Record<string, string> = { table: 'TABLE', sequence: 'SEQUENCE', function: 'FUNCTION' };

function grantStatements(body: Json, database: string): [string, string | undefined] {
  const role = ident(body.role);
  const privileges = (body.privileges as string[]).join(', ');
  if (body.object_type === 'database') {
    return [`REVOKE ALL PRIVILEGES ON DATABASE ${ident(database)} FROM ${role}`, privileges ? `GRANT ${privileges} ON DATABASE ${ident(database)} TO ${role}` : undefined];
  }
  if (body.object_type === 'schema') {
    return [`REVOKE ALL PRIVILEGES ON SCHEMA ${ident(body.schema)} FROM ${role}`, privileges ? `GRANT ${privileges} ON SCHEMA ${ident(body.schema)} TO ${role}` : undefined];
  }
  if (body.object_type === 'column') {
    // One table, one privilege, its columns (the provider's validation).
    const on = `(${(body.columns as string[]).map(ident).join(', ')}) ON TABLE ${ident(body.schema)}.${ident((body.objects as string[])[0])}`;
    return [`REVOKE ${privileges} ${on} FROM ${role}`, `GRANT ${privileges} ${on} TO ${role}`];
  }
  const type = TYPES[body.object_type];
  if (!body.objects) {
    return [
      `REVOKE ALL PRIVILEGES ON ALL ${type}S IN SCHEMA ${ident(body.schema)} FROM ${role}`,
      privileges ? `GRANT ${privileges} ON ALL ${type}S IN SCHEMA ${ident(body.schema)} TO ${role}` : undefined,
    ];
  }
  const objects = (body.objects as string[]).map((o) => `${ident(body.schema)}.${ident(o)}`).join(',');
  return [
    `REVOKE ${privileges || 'ALL PRIVILEGES'} ON ${type} ${objects} FROM ${role}`,
    privileges ? `GRANT ${privileges} ON ${type} ${objects} TO ${role}` : undefined,
  ];
}

/** Runs what the provider would run to create one resource. terraform_data is handed to `other`. */
export async function applyStep(client: ClientBase, step: ProviderStep, database: string, other: (step: ProviderStep) => Promise<void>): Promise<void> {
  const b = step.body;
  switch (step.type) {
    case 'postgresql_role':
      return transaction(client, async () => {
        const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [b.name]);
        const flags = `NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT ${b.login ? 'LOGIN' : 'NOLOGIN'} NOBYPASSRLS NOREPLICATION`;
        // Roles are cluster-wide and shared by the test run's databases: an existing one is updated.
        if (exists.rowCount === 0) await client.query(`CREATE ROLE ${ident(b.name)} WITH VALID UNTIL 'infinity' CONNECTION LIMIT -1 ${flags}`);
        else await client.query(`ALTER ROLE ${ident(b.name)} WITH ${flags}`);
        const path = b.search_path ? (b.search_path as string[]).map(ident).join(', ') : 'DEFAULT';
        await client.query(`ALTER ROLE ${ident(b.name)} SET search_path TO ${path}`);
      });
    case 'postgresql_grant_role':
      return transaction(client, async () => {
        await client.query(`REVOKE ${ident(b.grant_role)} FROM ${ident(b.role)}`);
        await client.query(`GRANT ${ident(b.grant_role)} TO ${ident(b.role)}`);
      });
    case 'postgresql_schema':
      return transaction(client, async () => {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(b.name)} AUTHORIZATION ${ident(b.owner)}`);
      });
    case 'postgresql_grant':
      return transaction(client, async () => {
        if (b.role !== 'public') await lockRole(client, b.role);
        if (b.object_type === 'database') {
          await client.query('SELECT pg_advisory_xact_lock(oid::bigint) FROM pg_database WHERE datname = $1', [database]);
        }
        const [revoke, grant] = grantStatements(b, database);
        await client.query(revoke);
        if (grant) await client.query(grant);
      });
    case 'postgresql_default_privileges':
      return transaction(client, async () => {
        await lockRole(client, b.owner);
        const scope = `ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(b.owner)} IN SCHEMA ${ident(b.schema)}`;
        await client.query(`${scope} REVOKE ALL ON ${TYPES[b.object_type]}S FROM ${ident(b.role)}`);
        if ((b.privileges as string[]).length > 0) await client.query(`${scope} GRANT ${(b.privileges as string[]).join(', ')} ON ${TYPES[b.object_type]}S TO ${ident(b.role)}`);
      });
    case 'postgresql_database':
    case 'postgresql_extension':
      return;
    default:
      return other(step);
  }
}

export { literal };
