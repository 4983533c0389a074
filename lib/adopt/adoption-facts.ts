// What adopt must know about the database before it moves anything, read in the adoption's
// own transaction (after its locks), so nothing can change between the check and the move:
// who owns each legacy object, whether the adopting role may move and re-own it, the legacy
// roles' search_path, the service schema's default privileges and the Alembic revision.
import { ClientBase } from 'pg';
import type { AdoptionRequest } from './adoption-plan';
import { EnumUser, enumUsers } from './enum-users';
import { alembicRevisions } from './alembic-version';

export interface OwnedObject {
  readonly name: string;
  readonly owner: string;
  /** Whether the adopting role may act as its owner (a superuser, the owner, or a member of it). */
  readonly ownable: boolean;
}

/** One default privilege the service's owner role gives on new objects in its schema. */
export interface DefaultGrant {
  /** 'r' tables, 'S' sequences. */
  readonly objectType: 'r' | 'S';
  /** A role name, or null for PUBLIC (a role may be named "PUBLIC": it is not everyone). */
  readonly grantee: string | null;
  readonly privilege: string;
}

export interface LegacyRole {
  readonly name: string;
  /** Superuser, or inherits the service owner role's privileges: keeps every right after the move. */
  readonly covered: boolean;
  /** The search_path its sessions in this database get (the first of: role in database, role, database, server default). */
  readonly searchPath: string;
  /** Whether the adopting role may change its settings (ALTER ROLE ... SET): superuser, itself, or CREATEROLE (with ADMIN OPTION on it from PostgreSQL 16) on a non-superuser. */
  readonly settable: boolean;
}

export interface AdoptionFacts {
  readonly database: string;
  readonly adopter: string;
  readonly adopterIsSuperuser: boolean;
  /** server_version_num, e.g. 180004. */
  readonly serverVersion: number;
  readonly schemaExists: boolean;
  readonly ownerRoleExists: boolean;
  /** The adopting role is a superuser or a member of the service's owner role (OWNER TO needs it). */
  readonly adopterInOwnerRole: boolean;
  /** The adopting role may create in the service's schema (SET SCHEMA needs it). */
  readonly adopterCreatesInSchema: boolean;
  readonly tables: readonly OwnedObject[];
  readonly enums: readonly OwnedObject[];
  /** Names already taken in the service's schema by a table, sequence, index or type. */
  readonly taken: readonly string[];
  readonly legacyRoles: readonly LegacyRole[];
  readonly defaultGrants: readonly DefaultGrant[];
  /** The revisions in the legacy schema's alembic_version, undefined when there is no such table. */
  readonly alembicRevisions?: readonly string[];
  /** Tables that stay in the legacy schema after the move (alembic_version aside). */
  readonly remainingTables: readonly string[];
  /**
   * Privileges granted on the tables and their sequences to roles other than their owner (PUBLIC
   * as null): a fresh create has none of them, so adopt revokes them before granting what the
   * access model gives.
   */
  readonly existingGrants: readonly { readonly kind: 'TABLE' | 'SEQUENCE'; readonly name: string; readonly grantee: string | null; readonly privileges: readonly string[] }[];
  /** Columns outside the service's tables whose type is one of its enums (or an array of one): the enum cannot move alone. */
  readonly enumUsers: readonly EnumUser[];
  /** Why the legacy roles' search_path cannot be known, if it cannot. */
  readonly searchPathUnknown?: string;
}

/** What to read facts about: the request's objects, and the roles the old process connects as besides their owners. */
export type FactsQuery = Pick<AdoptionRequest, 'legacySchema' | 'schema' | 'ownerRole' | 'tables' | 'enums' | 'sequences'> & { readonly legacyRoles: readonly string[] };

const NAMESPACE = `(SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1)`;

async function ownedObjects(client: ClientBase, sql: string, schema: string, names: readonly string[]): Promise<OwnedObject[]> {
  const { rows } = await client.query<OwnedObject>(sql, [schema, names]);
  return rows;
}

const OWNABLE = `(SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) OR pg_catalog.pg_has_role(current_user, o.oid, 'USAGE')`;

async function legacyRole(client: ClientBase, name: string, ownerRole: string, server: { value?: string }): Promise<LegacyRole> {
  const { rows } = await client.query<{ covered: boolean; settable: boolean; search_path: string | null }>(
    `SELECT r.rolsuper OR (pg_catalog.to_regrole($2::text) IS NOT NULL AND pg_catalog.pg_has_role(r.oid, pg_catalog.to_regrole($2::text), 'USAGE')) AS covered,
            a.rolsuper OR r.rolname = current_user
              OR (NOT r.rolsuper AND a.rolcreaterole AND (pg_catalog.current_setting('server_version_num')::int < 160000
                  OR EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m WHERE m.roleid = r.oid AND m.member = a.oid AND m.admin_option))) AS settable,
            (SELECT substr(c, length('search_path=') + 1)
               FROM (SELECT s.setconfig, CASE WHEN s.setrole <> 0 AND s.setdatabase <> 0 THEN 1 WHEN s.setrole <> 0 THEN 2 WHEN s.setdatabase <> 0 THEN 3 ELSE 4 END AS rank
                       FROM pg_catalog.pg_db_role_setting s
                      WHERE (s.setrole = r.oid AND s.setdatabase IN (0, (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())))
                         OR (s.setrole = 0 AND s.setdatabase IN (0, (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())))) x,
                    unnest(x.setconfig) c
              WHERE c LIKE 'search_path=%' ORDER BY x.rank LIMIT 1) AS search_path
       FROM pg_catalog.pg_roles r, pg_catalog.pg_roles a WHERE r.rolname = $1 AND a.rolname = current_user`,
    [name, ownerRole],
  );
  if (rows.length === 0) throw new Error(`role ${name} does not exist`);
  return { name, covered: rows[0].covered, settable: rows[0].settable, searchPath: rows[0].search_path ?? server.value ?? '' };
}

/**
 * The search_path a session gets from the server itself (postgresql.conf, the command line), for
 * a legacy role no role or database setting applies to: this session's reset value, when no
 * role or database setting applies to the adopting role either (else that setting made it, and
 * the server's own value cannot be read without superuser).
 */
async function serverSearchPath(client: ClientBase): Promise<{ value?: string; unknown?: string }> {
  const { rows } = await client.query<{ reset_val: string; own: boolean }>(
    `SELECT reset_val, EXISTS (
              SELECT 1 FROM pg_catalog.pg_db_role_setting s, unnest(s.setconfig) c
               WHERE c LIKE 'search_path=%'
                 AND s.setrole IN (0, (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user))
                 AND s.setdatabase IN (0, (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()))) AS own
       FROM pg_catalog.pg_settings WHERE name = 'search_path'`,
  );
  const { reset_val: value, own } = rows[0];
  return own ? { unknown: "the server's search_path is hidden behind a role or database setting that applies to the adopting role too" } : { value };
}

/** Reads every fact adopt decides on. */
export async function adoptionFacts(client: ClientBase, query: FactsQuery): Promise<AdoptionFacts> {
  const one = async <T>(sql: string, values: unknown[]): Promise<T> => (await client.query(sql, values)).rows[0] as T;
  const roles = await one<{ database: string; adopter: string; is_super: boolean; version: number; schema_exists: boolean; owner_exists: boolean; in_owner: boolean; creates: boolean }>(
    `SELECT current_database() AS database, current_user AS adopter, (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) AS is_super,
            pg_catalog.current_setting('server_version_num')::int AS version,
            EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) AS schema_exists,
            pg_catalog.to_regrole($2::text) IS NOT NULL AS owner_exists,
            (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)
              OR (pg_catalog.to_regrole($2::text) IS NOT NULL AND pg_catalog.pg_has_role(current_user, pg_catalog.to_regrole($2::text), 'MEMBER')) AS in_owner,
            EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) AND pg_catalog.has_schema_privilege(current_user, $1::text, 'CREATE') AS creates`,
    [query.schema, query.ownerRole],
  );
  const tables = await ownedObjects(
    client,
    `SELECT c.relname AS name, o.rolname AS owner, ${OWNABLE} AS ownable FROM pg_catalog.pg_class c JOIN pg_catalog.pg_roles o ON o.oid = c.relowner
      WHERE c.relnamespace = ${NAMESPACE} AND c.relname = ANY($2) AND c.relkind IN ('r', 'p') ORDER BY array_position($2, c.relname::text)`,
    query.legacySchema,
    query.tables,
  );
  const enums = await ownedObjects(
    client,
    `SELECT t.typname AS name, o.rolname AS owner, ${OWNABLE} AS ownable FROM pg_catalog.pg_type t JOIN pg_catalog.pg_roles o ON o.oid = t.typowner
      WHERE t.typnamespace = ${NAMESPACE} AND t.typname = ANY($2) AND t.typtype = 'e' ORDER BY t.typname`,
    query.legacySchema,
    query.enums,
  );
  const taken = roles.schema_exists
    ? (
        await client.query<{ name: string }>(
          `SELECT relname AS name FROM pg_catalog.pg_class WHERE relnamespace = ${NAMESPACE}
           UNION SELECT typname FROM pg_catalog.pg_type WHERE typnamespace = ${NAMESPACE} AND typtype <> 'c' AND typname NOT LIKE '\\_%' ORDER BY 1`,
          [query.schema],
        )
      ).rows.map((r) => r.name)
    : [];
  const owners = [...new Set(tables.map((t) => t.owner))];
  // The server's own search_path, read once: what a legacy role without a setting of its own gets.
  const server = await serverSearchPath(client);
  const legacyRoles = await Promise.all([...new Set([...owners, ...query.legacyRoles])].filter((r) => r !== query.ownerRole).map((r) => legacyRole(client, r, query.ownerRole, server)));
  const defaultGrants = roles.owner_exists && roles.schema_exists ? await defaultGrantsOf(client, query.schema, query.ownerRole) : [];
  const revisions = await alembicRevisions(client, query.legacySchema);
  const remaining = await client.query<{ name: string }>(
    `SELECT relname AS name FROM pg_catalog.pg_class WHERE relnamespace = ${NAMESPACE} AND relkind IN ('r', 'p') AND NOT relispartition AND relname <> ALL($2) AND relname <> 'alembic_version' ORDER BY 1`,
    [query.legacySchema, query.tables],
  );
  const grants = await client.query<{ kind: 'TABLE' | 'SEQUENCE'; name: string; grantee: string | null; privileges: string[] }>(
    `SELECT CASE WHEN c.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind, c.relname AS name,
            CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee) END AS grantee, array_agg(a.privilege_type ORDER BY a.privilege_type)::text[] AS privileges
       FROM pg_catalog.pg_class c, LATERAL pg_catalog.aclexplode(c.relacl) a
      WHERE c.relnamespace = ${NAMESPACE} AND ((c.relkind IN ('r', 'p') AND c.relname = ANY($2)) OR (c.relkind = 'S' AND c.relname = ANY($3))) AND a.grantee <> c.relowner
      GROUP BY 1, 2, 3 ORDER BY 1 DESC, 2, 3 NULLS FIRST`,
    [query.legacySchema, query.tables, query.sequences],
  );
  return {
    existingGrants: grants.rows,
    enumUsers: await enumUsers(client, query.legacySchema, query.enums, query.tables),
    ...(server.unknown && legacyRoles.some((r) => r.searchPath === '') ? { searchPathUnknown: server.unknown } : {}),
    database: roles.database,
    adopter: roles.adopter,
    adopterIsSuperuser: roles.is_super,
    serverVersion: roles.version,
    schemaExists: roles.schema_exists,
    ownerRoleExists: roles.owner_exists,
    adopterInOwnerRole: roles.in_owner,
    adopterCreatesInSchema: roles.creates,
    tables,
    enums,
    taken,
    legacyRoles,
    defaultGrants,
    alembicRevisions: revisions,
    remainingTables: remaining.rows.map((r) => r.name),
  };
}

/**
 * The privileges the owner role's default privileges give on new tables and sequences in the
 * schema: a table created by a migration gets them, so an adopted one gets them too.
 */
async function defaultGrantsOf(client: ClientBase, schema: string, ownerRole: string): Promise<DefaultGrant[]> {
  const { rows } = await client.query<{ object_type: 'r' | 'S'; grantee: string | null; privilege: string }>(
    `SELECT d.defaclobjtype AS object_type, CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee) END AS grantee, a.privilege_type AS privilege
       FROM pg_catalog.pg_default_acl d, LATERAL pg_catalog.aclexplode(d.defaclacl) a
      WHERE d.defaclrole = pg_catalog.to_regrole($2::text) AND d.defaclobjtype IN ('r', 'S')
        AND d.defaclnamespace IN (0, (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1))
        AND a.grantee <> d.defaclrole
      ORDER BY 1, 2, 3`,
    [schema, ownerRole],
  );
  return rows.map((r) => ({ objectType: r.object_type, grantee: r.grantee, privilege: r.privilege }));
}
