// `drift --posture`: checks on the whole database that ownership depends on, beyond any one
// service's schema: what PUBLIC may do, who owns the schemas, which of the platform's roles may
// create objects, hold dangerous attributes or belong to roles the stacks never grant them.
// Each finding names the check, the object and the fix.
//
// Compared with pglinter (github.com/pmpetit/pglinter, sql/rules.sql at 8be79ef, 2026-04-21):
// - covered: S003 UnsecuredPublicSchema (PUBLIC with CREATE on a schema: public-create);
//   S005 SchemaOwnerDoNotMatchTableOwner and B011 SeveralTableOwnerInSchema (every object of a
//   service schema owned by its owner role: `drift`'s owner findings; schema-owner here);
//   S001 SchemaWithDefaultRoleNotGranted (more precisely: the default privileges each service
//   schema must have, role by role, are `drift`'s missing-privilege findings);
//   S004 OwnerSchemaIsInternalRole, for service schemas (owned by the owner role, never a
//   superuser or pg_* role: schema-owner).
// - covered elsewhere: B005/B010 upper case and reserved words (BEDROCK-N1, N2 at synth; a
//   hand-made object is an extra-object finding); B007/T005 foreign keys across schemas
//   (BEDROCK-O3 at synth; a hand-made one is a schema finding of `drift`).
// - not covered, and why: B001 tables without primary key, B002 redundant indexes, B003
//   foreign keys without index, B004/T006 unused indexes, B006 tables never selected, B008
//   foreign key type mismatch, B009/B015 shared trigger functions, B012 wide composite keys,
//   B013 row-by-row triggers: design and performance reviews of the model, not ownership (a
//   model rule could take some; the statistics-based ones need production traffic); S002
//   environment-named schemas: Bedrock's schemas are named after services in every
//   environment, by construction; C001-C003 pg_hba.conf methods and password_encryption: the
//   cluster's configuration, the platform team's or the cloud provider's (pg_hba_file_rules is
//   readable by superusers only).
// - beyond pglinter: PUBLIC's privileges on the database and on objects of service schemas,
//   app and owner roles with CREATE anywhere, SUPERUSER/CREATEDB/CREATEROLE/BYPASSRLS/
//   REPLICATION on the platform's roles, owner roles that can log in, memberships no stack
//   grants (an app role in an owner role may SET ROLE to it), SECURITY DEFINER functions in
//   service schemas.
import { ClientBase } from 'pg';
import { PUBLIC, shown, shownQualified, shownRole } from './catalog-text';
import { databaseStatement, membershipStatement, revokeStatement, roleStatement, schemaOwnerStatement, securityInvokerStatement } from './fix-statements';
import { DriftFinding } from './drift-finding';
import { deployCommand, PlannedAccess } from './planned-access';

/** Which whole-database check found it. */
export type PostureCheck =
  | 'public-database'
  | 'database-privilege'
  | 'public-create'
  | 'public-service-schema'
  | 'schema-owner'
  | 'create-privilege'
  | 'role-attribute'
  | 'role-membership'
  | 'security-definer';

export interface PostureFinding extends DriftFinding {
  readonly kind: 'posture';
  readonly check: PostureCheck;
}

/** Schemas of PostgreSQL itself, never judged. */
const SYSTEM_SCHEMA = `n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'`;

export async function posture(client: ClientBase, planned: PlannedAccess): Promise<PostureFinding[]> {
  const roles = planned.roles.map((r) => r.name);
  const schemas = planned.schemas.map((s) => s.name);
  const [database, namespaces, creators, attributes, memberships, objects] = await Promise.all([
    client.query<DatabaseRow>(DATABASE_QUERY),
    client.query<SchemaRow>(SCHEMAS_QUERY),
    client.query<CreatorRow>(CREATORS_QUERY, [roles]),
    client.query<AttributeRow>(ATTRIBUTES_QUERY, [roles]),
    client.query<MembershipRow>(MEMBERSHIPS_QUERY, [roles]),
    client.query<ObjectRow>(OBJECTS_QUERY, [schemas]),
  ]);
  return [
    ...databasePrivileges(planned, database.rows),
    ...schemaFindings(planned, namespaces.rows),
    ...creatorFindings(planned, creators.rows, database.rows[0]?.database),
    ...attributeFindings(planned, attributes.rows),
    ...membershipFindings(planned, memberships.rows),
    ...objectFindings(objects.rows),
  ];
}

function finding(check: PostureCheck, object: string, message: string, fix: string): PostureFinding {
  return { kind: 'posture', check, object, message, fix };
}

interface DatabaseRow {
  database: string;
  grantee: string | null;
  privilege: string | null;
  superuser: boolean | null;
}

/** Who holds what on the current database, but its owner (a row with NULL grantee when nobody does). */
const DATABASE_QUERY = `
SELECT d.datname AS database, a.grantee, a.privilege, a.superuser
  FROM pg_catalog.pg_database d LEFT JOIN LATERAL (
    SELECT CASE WHEN x.grantee = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(x.grantee) END AS grantee, x.privilege_type AS privilege,
           COALESCE((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.oid = x.grantee), false) AS superuser
      FROM pg_catalog.aclexplode(COALESCE(d.datacl, pg_catalog.acldefault('d', d.datdba))) x WHERE x.grantee <> d.datdba) a ON true
 WHERE d.datname = pg_catalog.current_database()`;

/**
 * The database's privileges against the platform stack's grants: PUBLIC none (the platform
 * revokes its default CONNECT and TEMPORARY), each app role and legacy role CONNECT.
 */
function databasePrivileges(planned: PlannedAccess, rows: readonly DatabaseRow[]): PostureFinding[] {
  const database = rows[0]?.database;
  if (database === undefined) return [];
  const expected = new Map<string, Set<string>>();
  for (const grant of planned.grants.filter((g) => g.objectType === 'database')) {
    expected.set(grant.role, new Set([...(expected.get(grant.role) ?? []), ...grant.privileges]));
  }
  for (const role of planned.legacyRoles) expected.set(role, new Set([...(expected.get(role) ?? []), 'CONNECT']));
  const held = new Map<string, Set<string>>();
  const superusers = new Set<string>();
  for (const row of rows) {
    if (row.grantee === null || row.privilege === null) continue;
    held.set(row.grantee, new Set([...(held.get(row.grantee) ?? []), row.privilege]));
    if (row.superuser) superusers.add(row.grantee);
  }
  const findings: PostureFinding[] = [];
  const platform = `\`${deployCommand(planned, 'platform')}\``;
  for (const [role, privileges] of held) {
    // Superusers need no grant, and the deploying role is the platform's own.
    if (superusers.has(role) || role === planned.deployer) continue;
    const extra = [...privileges].filter((p) => !expected.get(role)?.has(p)).sort();
    if (extra.length === 0) continue;
    const why = role === PUBLIC ? `every role may ${extra.includes('CONNECT') ? 'connect' : 'use it'}${extra.includes('TEMPORARY') ? ' and create temporary tables' : ''}: the platform stack revokes PUBLIC's privileges so only the listed app roles connect` : 'the platform stack grants it no such privilege';
    findings.push(
      finding(role === PUBLIC ? 'public-database' : 'database-privilege', `database ${shown(database)}`, `${shownRole(role)} holds ${extra.join(', ')} on database ${shown(database)}: ${why}`, `${role === PUBLIC || planned.grants.some((g) => g.objectType === 'database' && g.role === role) ? `${platform}, or now: ` : ''}${databaseStatement('REVOKE', database, extra, role)}`),
    );
  }
  for (const [role, privileges] of expected) {
    const missing = [...privileges].filter((p) => !held.get(role)?.has(p));
    if (missing.length === 0 || planned.legacyRoles.includes(role)) continue;
    findings.push(finding('database-privilege', `database ${shown(database)}`, `${shownRole(role)} lacks ${missing.join(', ')} on database ${shown(database)}, which the platform stack grants: it cannot connect`, `${platform}, or now: ${databaseStatement('GRANT', database, missing, role)}`));
  }
  return findings;
}

interface SchemaRow {
  schema: string;
  owner: string;
  owner_is_superuser: boolean;
  public_privileges: string[];
}

const SCHEMAS_QUERY = `
SELECT n.nspname AS schema, pg_catalog.pg_get_userbyid(n.nspowner) AS owner,
       COALESCE((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.oid = n.nspowner), false) AS owner_is_superuser,
       ARRAY(SELECT x.privilege_type FROM pg_catalog.aclexplode(COALESCE(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) x WHERE x.grantee = 0 ORDER BY 1) AS public_privileges
  FROM pg_catalog.pg_namespace n
 WHERE ${SYSTEM_SCHEMA}
 ORDER BY 1`;

/** PUBLIC's privileges on schemas, and who owns them. */
function schemaFindings(planned: PlannedAccess, rows: readonly SchemaRow[]): PostureFinding[] {
  const findings: PostureFinding[] = [];
  const planOf = new Map(planned.schemas.map((s) => [s.name, s]));
  const platformRoles = new Map(planned.roles.map((r) => [r.name, r]));
  const platform = `\`${deployCommand(planned, 'platform')}\``;
  for (const row of rows) {
    const name = `schema ${shown(row.schema)}`;
    if (row.public_privileges.includes('CREATE')) {
      const byPlatform = row.schema === 'public' && planned.grants.some((g) => g.objectType === 'schema' && g.schema === 'public' && g.role === PUBLIC);
      findings.push(
        finding('public-create', name, `PUBLIC may CREATE in ${name}: every role that connects may create objects there, and a function or operator it creates can shadow one an app resolves through its search_path${row.schema === 'public' ? ' (PostgreSQL 14 and older grant it by default)' : ''}`, `${byPlatform ? `${platform} (it keeps USAGE only), or now: ` : ''}${revokeStatement({ type: 'schema', schema: row.schema, object: row.schema }, ['CREATE'], PUBLIC)}`),
      );
    }
    const service = planOf.get(row.schema);
    if (service && row.public_privileges.includes('USAGE')) {
      findings.push(finding('public-service-schema', name, `PUBLIC may use service ${name}: the platform stack gives USAGE to the app roles only`, revokeStatement({ type: 'schema', schema: row.schema, object: row.schema }, ['USAGE'], PUBLIC)));
    }
    if (service && row.owner !== service.owner) {
      findings.push(finding('schema-owner', name, `service ${name} is owned by ${shown(row.owner)}${row.owner_is_superuser ? ' (a superuser)' : ''}, not by ${shown(service.owner)}`, `${platform}, or now: ${schemaOwnerStatement(row.schema, service.owner)}`));
    }
    const ownerRole = platformRoles.get(row.owner);
    if (!service && ownerRole) {
      findings.push(
        finding('schema-owner', name, `${name} is owned by ${shown(row.owner)}, a${ownerRole.purpose === 'app' ? 'n app' : ownerRole.purpose === 'owner' ? 'n owner' : ''} role of the platform: it may create anything there, outside every service's migrations`, `drop the schema, or give it to the role that manages it (ALTER SCHEMA ... OWNER TO that role)`),
      );
    }
  }
  return findings;
}

interface CreatorRow {
  role: string;
  /** NULL: CREATE on the database (new schemas). */
  schema: string | null;
}

/**
 * The platform's roles (not superusers: reported on their own) that may CREATE in a schema they
 * do not own, or create schemas, other than through PUBLIC (reported on its own).
 */
const CREATORS_QUERY = `
SELECT r.rolname AS role, n.nspname AS schema
  FROM pg_catalog.pg_roles r CROSS JOIN pg_catalog.pg_namespace n
 WHERE r.rolname = ANY($1::text[]) AND NOT r.rolsuper AND ${SYSTEM_SCHEMA} AND n.nspowner <> r.oid
   AND pg_catalog.has_schema_privilege(r.oid, n.oid, 'CREATE')
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.aclexplode(COALESCE(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) x WHERE x.grantee = 0 AND x.privilege_type = 'CREATE')
UNION ALL
SELECT r.rolname, NULL
  FROM pg_catalog.pg_roles r
 WHERE r.rolname = ANY($1::text[]) AND NOT r.rolsuper AND pg_catalog.has_database_privilege(r.oid, pg_catalog.current_database(), 'CREATE')
 ORDER BY 1, 2 NULLS FIRST`;

function creatorFindings(planned: PlannedAccess, rows: readonly CreatorRow[], database: string | undefined): PostureFinding[] {
  return rows.map((row) => {
    const role = `role ${shown(row.role)}`;
    if (row.schema === null) {
      return finding('create-privilege', role, `${shown(row.role)} may CREATE schemas in database ${shown(database ?? '')}: schemas are the platform stack's`, `${databaseStatement('REVOKE', database ?? '', ['CREATE'], row.role)} (if it holds it through a membership, revoke that)`);
    }
    return finding(
      'create-privilege',
      role,
      `${shown(row.role)} may CREATE in schema ${shown(row.schema)}${planned.schemas.some((s) => s.name === row.schema) ? ', a service schema only its migrations change' : ''}: only a service's owner role creates, in its own schema`,
      `${revokeStatement({ type: 'schema', schema: row.schema, object: row.schema }, ['CREATE'], row.role)} (if it holds it through a membership, revoke that)`,
    );
  });
}

interface AttributeRow {
  name: string;
  superuser: boolean;
  create_database: boolean;
  create_role: boolean;
  bypass_rls: boolean;
  replication: boolean;
  login: boolean;
}

const ATTRIBUTES_QUERY = `
SELECT rolname AS name, rolsuper AS superuser, rolcreatedb AS create_database, rolcreaterole AS create_role, rolbypassrls AS bypass_rls, rolreplication AS replication, rolcanlogin AS login
  FROM pg_catalog.pg_roles WHERE rolname = ANY($1::text[]) ORDER BY 1`;

interface Attribute {
  readonly field: 'superuser' | 'createRole' | 'createDatabase' | 'bypassRowLevelSecurity' | 'replication';
  readonly live: keyof AttributeRow;
  readonly keyword: string;
  readonly risk: string;
}

const ATTRIBUTES: readonly Attribute[] = [
  { field: 'superuser', live: 'superuser', keyword: 'SUPERUSER', risk: 'it bypasses every privilege and can change any service' },
  { field: 'createRole', live: 'create_role', keyword: 'CREATEROLE', risk: 'it can create roles and grant itself their membership' },
  { field: 'createDatabase', live: 'create_database', keyword: 'CREATEDB', risk: 'it can create databases' },
  { field: 'bypassRowLevelSecurity', live: 'bypass_rls', keyword: 'BYPASSRLS', risk: 'row-level security does not apply to it' },
  { field: 'replication', live: 'replication', keyword: 'REPLICATION', risk: 'it can stream the whole cluster' },
];

/** The platform's roles with the attributes the stacks give them (every flag spelled out by the provider). */
function attributeFindings(planned: PlannedAccess, rows: readonly AttributeRow[]): PostureFinding[] {
  const findings: PostureFinding[] = [];
  for (const row of rows) {
    const plan = planned.roles.find((r) => r.name === row.name);
    if (!plan) continue;
    const role = `role ${shown(row.name)}`;
    const deploy = `\`${deployCommand(planned, plan.stack)}\``;
    for (const { field, live, keyword, risk } of ATTRIBUTES) {
      if (row[live] && !plan[field]) findings.push(finding('role-attribute', role, `${plan.purpose} role ${shown(row.name)} is ${keyword}: ${risk}`, `${deploy} (the provider sets every attribute), or now: ${roleStatement(row.name, `NO${keyword}`)}`));
    }
    if (row.login && !plan.login) {
      findings.push(finding('role-attribute', role, `${plan.purpose} role ${shown(row.name)} can log in: ${plan.purpose === 'owner' ? 'a session as the owner changes the schema outside the migrations' : 'it exists to hold grants, not to connect'}`, `${deploy}, or now: ${roleStatement(row.name, 'NOLOGIN')}`));
    }
    if (!row.login && plan.login) {
      findings.push(finding('role-attribute', role, `${plan.purpose} role ${shown(row.name)} cannot log in, which the stacks give it: the service cannot connect`, `${deploy}, or now: ${roleStatement(row.name, 'LOGIN')}`));
    }
  }
  return findings;
}

interface MembershipRow {
  member: string;
  role: string;
}

const MEMBERSHIPS_QUERY = `
SELECT m.rolname AS member, g.rolname AS role
  FROM pg_catalog.pg_auth_members a JOIN pg_catalog.pg_roles m ON m.oid = a.member JOIN pg_catalog.pg_roles g ON g.oid = a.roleid
 WHERE m.rolname = ANY($1::text[]) ORDER BY 1, 2`;

/** A platform role that is a member of a role no stack makes it a member of: it has that role's privileges. */
function membershipFindings(planned: PlannedAccess, rows: readonly MembershipRow[]): PostureFinding[] {
  const purposes = new Map(planned.roles.map((r) => [r.name, r.purpose]));
  return rows
    .filter((row) => !planned.memberships.some((m) => m.member === row.member && m.role === row.role))
    .map((row) => {
      const purpose = purposes.get(row.role);
      const risk = purpose === 'owner' ? `: it may SET ROLE ${shown(row.role)} and alter or drop that service's tables` : row.role.startsWith('pg_') ? `, a predefined role: it holds that role's powers` : `: it holds ${shown(row.role)}'s privileges`;
      return finding('role-membership', `role ${shown(row.member)}`, `${purposes.get(row.member)} role ${shown(row.member)} is a member of ${shown(row.role)}, which no stack grants${risk}`, membershipStatement('REVOKE', row.role, row.member));
    });
}

interface ObjectRow {
  schema: string;
  name: string;
  kind: string;
  privileges: string[] | null;
  arguments: string | null;
}

/** PUBLIC's privileges on relations of the service schemas, and their SECURITY DEFINER functions. */
const OBJECTS_QUERY = `
SELECT n.nspname AS schema, c.relname AS name,
       CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' ELSE 'table' END AS kind,
       ARRAY(SELECT x.privilege_type FROM pg_catalog.aclexplode(c.relacl) x WHERE x.grantee = 0 ORDER BY 1) AS privileges, NULL AS arguments
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p', 'S', 'v', 'm', 'f')
   AND EXISTS (SELECT 1 FROM pg_catalog.aclexplode(c.relacl) x WHERE x.grantee = 0)
UNION ALL
SELECT n.nspname, p.proname, 'security definer', NULL, pg_catalog.pg_get_function_identity_arguments(p.oid)
  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = ANY($1::text[]) AND p.prosecdef
 ORDER BY 1, 2`;

function objectFindings(rows: readonly ObjectRow[]): PostureFinding[] {
  return rows.map((row) => {
    const name = shownQualified(row.schema, row.name);
    if (row.kind === 'security definer') {
      const signature = `${name}(${shown(row.arguments ?? '')})`;
      return finding(
        'security-definer',
        `function ${signature}`,
        `function ${signature} is SECURITY DEFINER: whoever may call it acts as its owner (BEDROCK-S2 refuses SECURITY DEFINER in migrations, so it was made by hand)`,
        `${securityInvokerStatement(row.schema, row.name, row.arguments ?? '')}, or drop it`,
      );
    }
    const privileges = row.privileges ?? [];
    return finding('public-service-schema', `${row.kind} ${name}`, `PUBLIC holds ${privileges.join(', ')} on ${row.kind} ${name} of a service schema: the access model grants app roles only`, revokeStatement({ type: row.kind === 'sequence' ? 'sequence' : 'table', schema: row.schema, object: row.name }, ['ALL'], PUBLIC));
  });
}
