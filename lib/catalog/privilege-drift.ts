// Privileges on a service's schema against the access model, as the stacks plan it
// (planned-access.ts): who holds what on its tables, sequences and columns, on the schema
// itself, which default privileges its owner role has there, and whether its roles and their
// memberships exist. Missing ones are fixed by deploying the stack that grants them (the
// provider reads the privileges back and grants again); extra ones by the REVOKE given.
// One catalog read per kind, for the whole schema.
import { ClientBase } from 'pg';
import { appRoleName, ownerRoleName, schemaName } from '../services/service-registry';
import { shown, shownQualified, shownRole } from './catalog-text';
import { DriftFinding } from './drift-finding';
import { DEFAULT_PRIVILEGE_OBJECTS, defaultPrivilegesStatement, grantStatement, membershipStatement, revokeStatement } from './fix-statements';
import { deployCommand, GrantObjectType, PlannedAccess, StackName, stackId } from './planned-access';

/** Privileges a legacy role keeps on an adopted service's objects (lib/adopt/adoption-plan.ts), until every service is adopted. */
const LEGACY: Readonly<Record<string, readonly string[]>> = { table: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'], sequence: ['USAGE', 'SELECT', 'UPDATE'], schema: ['USAGE'] };

/** What one grantee holds on one object: each privilege, and whether with GRANT OPTION. */
type Held = Map<string, boolean>;
/** Per grantee. */
type Holders = Map<string, Held>;

interface AclRow {
  object: string;
  type: 'table' | 'sequence' | 'column' | 'schema';
  /** What a relation granted on as a table is, for messages: a view, materialized view or foreign table; NULL for a table. */
  relation: string | null;
  /** The column's table, for a column. */
  table: string | null;
  grantee: string | null;
  privilege: string | null;
  grantable: boolean | null;
}

const RELATION = `CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' END`;

/**
 * Every privilege held on the schema, its tables, sequences and columns, by anyone but the
 * object's owner. Objects without grants are listed with a NULL grantee. Views, materialized
 * views and foreign tables are tables to GRANT (ON ALL TABLES IN SCHEMA and the default
 * privileges ON TABLES reach them): a grant on a view a migration made reads around the access
 * model as one on its table would.
 */
const ACL_QUERY = `
WITH s AS (SELECT oid, nspname, nspowner, nspacl FROM pg_catalog.pg_namespace WHERE nspname = $1)
SELECT s.nspname AS object, 'schema' AS type, NULL AS relation, NULL AS "table", a.grantee, a.privilege, a.grantable
  FROM s LEFT JOIN LATERAL (
    SELECT CASE WHEN x.grantee = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(x.grantee) END AS grantee, x.privilege_type AS privilege, x.is_grantable AS grantable
      FROM pg_catalog.aclexplode(COALESCE(s.nspacl, pg_catalog.acldefault('n', s.nspowner))) x WHERE x.grantee <> s.nspowner) a ON true
UNION ALL
SELECT c.relname, CASE WHEN c.relkind = 'S' THEN 'sequence' ELSE 'table' END, ${RELATION}, NULL, a.grantee, a.privilege, a.grantable
  FROM pg_catalog.pg_class c JOIN s ON c.relnamespace = s.oid LEFT JOIN LATERAL (
    SELECT CASE WHEN x.grantee = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(x.grantee) END AS grantee, x.privilege_type AS privilege, x.is_grantable AS grantable
      FROM pg_catalog.aclexplode(c.relacl) x WHERE x.grantee <> c.relowner) a ON true
 WHERE c.relkind IN ('r', 'p', 'S', 'v', 'm', 'f')
UNION ALL
SELECT t.attname, 'column', ${RELATION}, c.relname, CASE WHEN x.grantee = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(x.grantee) END, x.privilege_type, x.is_grantable
  FROM pg_catalog.pg_class c JOIN s ON c.relnamespace = s.oid
  JOIN pg_catalog.pg_attribute t ON t.attrelid = c.oid AND t.attnum > 0 AND NOT t.attisdropped AND t.attacl IS NOT NULL
  CROSS JOIN LATERAL pg_catalog.aclexplode(t.attacl) x
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND x.grantee <> c.relowner`;

interface DefaultRow {
  owner: string;
  type: string;
  /** NULL for a default of every schema (ALTER DEFAULT PRIVILEGES without IN SCHEMA). */
  schema: string | null;
  grantee: string;
  privilege: string;
  grantable: boolean;
}

/**
 * The default privileges in the schema (whoever's), and the owner role's defaults for every
 * schema beyond PostgreSQL's own (the owner's privileges, PUBLIC's EXECUTE and USAGE).
 * acldefault names object types with letters of its own: a sequence is 's' there ('S' is a
 * foreign server), where pg_default_acl writes 'S'.
 */
const DEFAULTS_QUERY = `
SELECT pg_catalog.pg_get_userbyid(d.defaclrole) AS owner, d.defaclobjtype AS type, n.nspname AS schema,
       CASE WHEN x.grantee = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(x.grantee) END AS grantee, x.privilege_type AS privilege, x.is_grantable AS grantable
  FROM pg_catalog.pg_default_acl d LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
  CROSS JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) x
 WHERE n.nspname = $1
    OR (d.defaclnamespace = 0 AND d.defaclrole = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $2)
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.aclexplode(pg_catalog.acldefault(CASE d.defaclobjtype WHEN 'S' THEN 's'::"char" ELSE d.defaclobjtype END, d.defaclrole)) y
                         WHERE y.grantee = x.grantee AND y.privilege_type = x.privilege_type AND y.is_grantable = x.is_grantable))`;

interface RoleRow {
  name: string;
  member: string | null;
}

/** The roles named, each with its members (a NULL member: a role without one; no row: no role). */
const ROLES_QUERY = `
SELECT r.rolname AS name, m.rolname AS member
  FROM pg_catalog.pg_roles r
  LEFT JOIN pg_catalog.pg_auth_members a ON a.roleid = r.oid
  LEFT JOIN pg_catalog.pg_roles m ON m.oid = a.member
 WHERE r.rolname = ANY($1::text[])`;

/** pg_default_acl's letter for a postgresql_default_privileges object type. */
const DEFAULT_TYPE_LETTER: Readonly<Record<string, string>> = { table: 'r', sequence: 'S', function: 'f', type: 'T', schema: 'n' };

/** Every privilege on `service`'s schema that differs from what `planned` grants. */
export async function privilegeDrift(client: ClientBase, service: string, planned: PlannedAccess): Promise<DriftFinding[]> {
  const schema = schemaName(service);
  const owner = ownerRoleName(service);
  const holderRoles = planned.roles.filter((r) => r.stack === service).map((r) => r.name);
  const [acls, defaults, roles] = await Promise.all([
    client.query<AclRow>(ACL_QUERY, [schema]),
    client.query<DefaultRow>(DEFAULTS_QUERY, [schema, owner]),
    client.query<RoleRow>(ROLES_QUERY, [[owner, appRoleName(service), ...holderRoles]]),
  ]);
  const context = new Context(service, planned);
  return [
    ...objectPrivileges(context, acls.rows),
    ...defaultPrivileges(context, defaults.rows),
    ...roleFindings(context, roles.rows, holderRoles),
  ];
}

class Context {
  readonly schema: string;
  readonly owner: string;
  readonly legacy: ReadonlySet<string>;

  constructor(
    readonly service: string,
    readonly planned: PlannedAccess,
  ) {
    this.schema = schemaName(service);
    this.owner = ownerRoleName(service);
    this.legacy = new Set(planned.legacyRoles);
  }

  /** `npx cdktf deploy dev-datahub`, as the fix of what a stack grants. */
  deploy(stack: StackName): string {
    return deployCommand(this.planned, stack);
  }

  /** `stack dev-datahub`, in messages. */
  stack(stack: StackName): string {
    return `stack ${stackId(this.planned, stack)}`;
  }
}

/** The object as messages name it (`relation`: a view's kind, where GRANT calls it a table). */
function label(context: Context, type: AclRow['type'], object: string, table?: string, relation?: string): string {
  if (type === 'schema') return `schema ${shown(context.schema)}`;
  if (type === 'column') return `column ${shownQualified(context.schema, table!)}.${shown(object)}`;
  return `${relation ?? type} ${shownQualified(context.schema, object)}`;
}

/** What the planned grants give on one object: per role, the privileges, and the stack that grants them. */
function expectedOn(context: Context, type: AclRow['type'], object: string, table?: string): Map<string, { privileges: Set<string>; stack: StackName }> {
  const expected = new Map<string, { privileges: Set<string>; stack: StackName }>();
  const objectType: GrantObjectType = type;
  for (const grant of context.planned.grants) {
    if (grant.objectType !== objectType || grant.schema !== context.schema) continue;
    if (type === 'column') {
      if (grant.objects?.[0] !== table || !grant.columns?.includes(object)) continue;
    } else if (type !== 'schema' && grant.objects !== undefined && !grant.objects.includes(object)) continue;
    const entry = expected.get(grant.role) ?? { privileges: new Set<string>(), stack: grant.stack };
    for (const privilege of grant.privileges) entry.privileges.add(privilege);
    expected.set(grant.role, entry);
  }
  return expected;
}

function objectPrivileges(context: Context, rows: readonly AclRow[]): DriftFinding[] {
  // Group the rows by object (a column by its table and name).
  const objects = new Map<string, { type: AclRow['type']; object: string; table?: string; relation?: string; holders: Holders }>();
  for (const row of rows) {
    const key = `${row.type}\u0000${row.table ?? ''}\u0000${row.object}`;
    const entry = objects.get(key) ?? { type: row.type, object: row.object, ...(row.table !== null ? { table: row.table } : {}), ...(row.relation !== null && row.type !== 'column' ? { relation: row.relation } : {}), holders: new Map() };
    if (row.grantee !== null && row.privilege !== null) {
      const held = entry.holders.get(row.grantee) ?? new Map<string, boolean>();
      held.set(row.privilege, Boolean(row.grantable));
      entry.holders.set(row.grantee, held);
    }
    objects.set(key, entry);
  }
  // Column grants the plan makes on columns that hold none: their tables' columns are not listed above.
  const tables = new Set(rows.filter((r) => r.type === 'table').map((r) => r.object));
  for (const grant of context.planned.grants) {
    if (grant.objectType !== 'column' || grant.schema !== context.schema || !tables.has(grant.objects?.[0] ?? '')) continue;
    for (const column of grant.columns ?? []) {
      const key = `column\u0000${grant.objects![0]}\u0000${column}`;
      if (!objects.has(key)) objects.set(key, { type: 'column', object: column, table: grant.objects![0], holders: new Map() });
    }
  }
  const order = ['schema', 'table', 'sequence', 'column'];
  const sorted = [...objects.values()].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type) || (a.table ?? '').localeCompare(b.table ?? '') || a.object.localeCompare(b.object));
  return sorted.flatMap(({ type, object, table, relation, holders }) => compare(context, type, object, table, holders, relation));
}

function compare(context: Context, type: AclRow['type'], object: string, table: string | undefined, holders: Holders, relation?: string): DriftFinding[] {
  const expected = expectedOn(context, type, object, table);
  const findings: DriftFinding[] = [];
  const name = label(context, type, object, table, relation);
  const target = { type, schema: context.schema, object, ...(table !== undefined ? { table } : {}) };
  for (const [role, { privileges, stack }] of expected) {
    const held = holders.get(role);
    const missing = [...privileges].filter((p) => !held?.has(p));
    if (missing.length === 0) continue;
    findings.push({
      kind: 'missing-privilege',
      object: name,
      message: `${shownRole(role)} lacks ${missing.join(', ')} on ${name}, which ${context.stack(stack)} grants`,
      fix: `\`${context.deploy(stack)}\` (the provider grants it again), or now: ${grantStatement(target, missing, role)}`,
    });
  }
  for (const [role, held] of holders) {
    const given = expected.get(role)?.privileges ?? new Set<string>();
    const tolerated = context.legacy.has(role) ? LEGACY[type] ?? [] : [];
    const extra = [...held.keys()].filter((p) => !given.has(p) && !tolerated.includes(p));
    const grantOption = [...held].filter(([p, grantable]) => grantable && (given.has(p) || tolerated.includes(p))).map(([p]) => p);
    if (extra.length > 0) {
      findings.push({
        kind: 'extra-privilege',
        object: name,
        message: `${shownRole(role)} holds ${extra.join(', ')} on ${name}, which the access model does not give it`,
        fix: revokeStatement(target, extra, role),
      });
    }
    if (grantOption.length > 0) {
      findings.push({
        kind: 'extra-privilege',
        object: name,
        message: `${shownRole(role)} holds ${grantOption.join(', ')} on ${name} WITH GRANT OPTION: it may pass them on, which the access model never allows`,
        fix: revokeStatement(target, grantOption, role, true),
      });
    }
  }
  return findings;
}

function defaultPrivileges(context: Context, rows: readonly DefaultRow[]): DriftFinding[] {
  const expected = new Map<string, { privileges: readonly string[]; stack: StackName }>();
  for (const d of context.planned.defaultPrivileges.filter((d) => d.schema === context.schema)) {
    expected.set(defaultKey(d.owner, DEFAULT_TYPE_LETTER[d.objectType] ?? d.objectType, context.schema, d.role), { privileges: d.privileges, stack: d.stack });
  }
  const live = new Map<string, { owner: string; type: string; schema: string | null; role: string; held: Held }>();
  for (const row of rows) {
    const key = defaultKey(row.owner, row.type, row.schema, row.grantee);
    const entry = live.get(key) ?? { owner: row.owner, type: row.type, schema: row.schema, role: row.grantee, held: new Map() };
    entry.held.set(row.privilege, row.grantable);
    live.set(key, entry);
  }
  const findings: DriftFinding[] = [];
  for (const [key, { privileges, stack }] of expected) {
    const [owner, type, , role] = key.split('\u0000');
    const held = live.get(key)?.held;
    const missing = privileges.filter((p) => !held?.has(p));
    if (missing.length === 0) continue;
    const what = `default privileges of ${shown(owner)} in schema ${shown(context.schema)}`;
    findings.push({
      kind: 'missing-privilege',
      object: what,
      message: `${what} do not give ${shownRole(role)} ${missing.join(', ')} on new ${DEFAULT_PRIVILEGE_OBJECTS[type]?.toLowerCase() ?? type}, as ${context.stack(stack)} does: what a migration creates would not be usable by it`,
      fix: `\`${context.deploy(stack)}\`, or now: ${defaultPrivilegesStatement(owner, context.schema, 'GRANT', missing, type, role)}`,
    });
  }
  for (const [key, { owner, type, schema, role, held }] of live) {
    const given = expected.get(key)?.privileges ?? [];
    const extra = [...held.keys()].filter((p) => !given.includes(p));
    const grantOption = [...held].filter(([p, grantable]) => grantable && given.includes(p)).map(([p]) => p);
    const what = `default privileges of ${shown(owner)} in ${schema === null ? 'every schema' : `schema ${shown(schema)}`}`;
    // Large objects and schemas are in no schema: a default for every schema says nothing of this one.
    const inSchemas = ['r', 'S', 'f', 'T'].includes(type);
    const objects = `new ${DEFAULT_PRIVILEGE_OBJECTS[type]?.toLowerCase() ?? type}${schema === null && inSchemas ? ` (in schema ${shown(context.schema)} too)` : ''}`;
    if (extra.length > 0) {
      findings.push({
        kind: 'extra-privilege',
        object: what,
        message: `${what} give ${shownRole(role)} ${extra.join(', ')} on ${objects}, which the access model does not`,
        fix: defaultPrivilegesStatement(owner, schema, 'REVOKE', extra, type, role),
      });
    }
    if (grantOption.length > 0) {
      findings.push({
        kind: 'extra-privilege',
        object: what,
        message: `${what} give ${shownRole(role)} ${grantOption.join(', ')} on ${objects} WITH GRANT OPTION, which the access model never does`,
        fix: defaultPrivilegesStatement(owner, schema, 'REVOKE', grantOption, type, role, true),
      });
    }
  }
  return findings;
}

function defaultKey(owner: string, type: string, schema: string | null, role: string): string {
  return [owner, type, schema ?? '', role].join('\u0000');
}

/**
 * The service's roles exist, with the members the stacks give them and no others: a member of
 * the owner role may SET ROLE to it and change or drop the service's tables. Without an
 * environment the deploying role is unknown, so only the platform's own roles are judged as
 * members there.
 */
function roleFindings(context: Context, rows: readonly RoleRow[], holderRoles: readonly string[]): DriftFinding[] {
  const { planned } = context;
  const members = new Map<string, Set<string>>();
  for (const row of rows) {
    const set = members.get(row.name) ?? new Set<string>();
    if (row.member !== null) set.add(row.member);
    members.set(row.name, set);
  }
  const findings: DriftFinding[] = [];
  for (const role of [context.owner, appRoleName(context.service), ...holderRoles]) {
    if (members.has(role)) continue;
    const stack = planned.roles.find((r) => r.name === role)?.stack ?? 'platform';
    findings.push({ kind: 'missing-role', object: `role ${shown(role)}`, message: `role ${shown(role)} does not exist: ${context.stack(stack)} creates it`, fix: `\`${context.deploy(stack)}\`` });
  }
  const managed = new Set(planned.roles.map((r) => r.name));
  // The app role too: no stack makes anyone its member, and a member holds what it may do.
  const app = appRoleName(context.service);
  for (const role of [context.owner, app, ...holderRoles]) {
    const live = members.get(role);
    if (!live) continue;
    const wanted = planned.memberships.filter((m) => m.role === role);
    for (const membership of wanted) {
      if (live.has(membership.member)) continue;
      findings.push({
        kind: 'membership',
        object: `role ${shown(role)}`,
        message: `${shown(membership.member)} is not a member of ${shown(role)}, as ${context.stack(membership.stack)} makes it`,
        fix: `\`${context.deploy(membership.stack)}\`, or now: ${membershipStatement('GRANT', role, membership.member)}`,
      });
    }
    for (const member of live) {
      if (wanted.some((m) => m.member === member)) continue;
      // Without an environment, who deploys is unknown: only the platform's roles are judged.
      if (planned.environment === undefined && !managed.has(member)) continue;
      const risk =
        role === context.owner
          ? `: it may SET ROLE ${shown(role)} and alter, drop or grant on ${shown(context.service)}'s tables`
          : role === app
            ? `: it holds what ${shown(role)} may do (it writes ${shown(context.service)}'s tables)`
            : '';
      findings.push({
        kind: 'membership',
        object: `role ${shown(role)}`,
        message: `${shown(member)} is a member of ${shown(role)}, which no stack makes it${risk}`,
        fix: membershipStatement('REVOKE', role, member),
      });
    }
  }
  return findings;
}

