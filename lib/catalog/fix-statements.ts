// The statements `drift` prints as fixes, written in this one file: every name from the catalog
// goes through sqlFix (quoteIdentifier, or "by hand" for a name a reader could not check), every
// keyword is one of ours. Each returns the statement between backticks, ready to copy.
import { described, Grantee, shown, sqlFix } from './catalog-text';
import { SchemaObject } from './schema-objects';

/** What a relation, type or other schema object is called in DROP and ALTER. */
const KEYWORD: Readonly<Partial<Record<SchemaObject['kind'], string>>> = {
  schema: 'SCHEMA',
  table: 'TABLE',
  view: 'VIEW',
  'materialized view': 'MATERIALIZED VIEW',
  'foreign table': 'FOREIGN TABLE',
  'composite type': 'TYPE',
  sequence: 'SEQUENCE',
  enum: 'TYPE',
  range: 'TYPE',
  type: 'TYPE',
  domain: 'DOMAIN',
  statistics: 'STATISTICS',
  collation: 'COLLATION',
  function: 'FUNCTION',
  procedure: 'PROCEDURE',
  aggregate: 'AGGREGATE',
  operator: 'OPERATOR',
  trigger: 'TRIGGER',
  rule: 'RULE',
  policy: 'POLICY',
};

/**
 * How `object` is named after DROP or ALTER <keyword>: `"s"."v"`, `"s"."f"(integer)`,
 * `"s".+ (integer, integer)`, `"t" ON "s"."table"`; undefined when it cannot be written safely.
 */
function objectName(schema: string, object: SchemaObject): string | undefined {
  const { kind, name, table } = object;
  const args = object.arguments ?? '';
  // PostgreSQL printed the arguments; written out only when they hold no hidden character.
  if (shown(args) !== args) return undefined;
  const written = (): string => {
    if (table !== undefined) return sqlFix([name, schema, table], (n, s, t) => `${n} ON ${s}.${t}`);
    if (kind === 'schema') return sqlFix([schema], (s) => s);
    // An operator is named by its symbol, never quoted: only symbol characters are written (no backtick: it ends the quoted fix).
    if (kind === 'operator') return /^[+\-*/<>=~!@#%^&|?]+$/.test(name) ? sqlFix([schema], (s) => `${s}.${name} (${args})`) : 'by hand';
    // An aggregate over no argument is written (*).
    if (kind === 'function' || kind === 'procedure' || kind === 'aggregate') return sqlFix([schema, name], (s, n) => `${s}.${n}(${kind === 'aggregate' && args === '' ? '*' : args})`);
    return sqlFix([schema, name], (s, n) => `${s}.${n}`);
  };
  const text = written();
  return text.startsWith('by hand') ? undefined : text;
}

function byHand(schema: string, object: SchemaObject): string {
  return `by hand: the name of ${object.kind} ${described(schema, object)} holds characters a reader cannot see or a backtick, so no statement is printed for it`;
}

/** `DROP VIEW "s"."v";` (RESTRICT: what depends on it is named by PostgreSQL, not dropped). */
export function dropStatement(schema: string, object: SchemaObject): string {
  const name = objectName(schema, object);
  return name === undefined ? byHand(schema, object) : `\`DROP ${KEYWORD[object.kind] ?? 'TYPE'} ${name};\``;
}

/** `ALTER TABLE "s"."t" OWNER TO "s_owner";` (a table's indexes and owned sequences follow it). */
export function ownerStatement(schema: string, object: SchemaObject, owner: string): string {
  const name = objectName(schema, object);
  if (name === undefined) return byHand(schema, object);
  return sqlFix([owner], (o) => `\`ALTER ${KEYWORD[object.kind] ?? 'TABLE'} ${name} OWNER TO ${o};\``);
}

/** `ALTER SCHEMA "s" OWNER TO "s_owner";` */
export function schemaOwnerStatement(schema: string, owner: string): string {
  return ownerStatement(schema, { kind: 'schema', name: schema, inExtension: false, ownedByColumn: false, securityDefiner: false }, owner);
}

/** `ALTER EXTENSION "e" SET SCHEMA public;` (or DROP). */
export function extensionStatements(extension: string): string {
  return sqlFix([extension], (e) => `\`ALTER EXTENSION ${e} SET SCHEMA public;\` (or \`DROP EXTENSION ${e};\`)`);
}

/** What a privilege is on: a schema, a table or sequence, or a column of a table. */
export interface PrivilegeTarget {
  readonly type: 'schema' | 'table' | 'sequence' | 'column';
  readonly schema: string;
  /** The table or sequence; a column's name for a column. */
  readonly object: string;
  /** A column's table. */
  readonly table?: string;
}

function privilegeStatement(verb: 'GRANT' | 'REVOKE', target: PrivilegeTarget, privileges: readonly string[], role: string, grantOption = false): string {
  const to = verb === 'GRANT' ? 'TO' : 'FROM';
  const head = `${verb} ${grantOption ? 'GRANT OPTION FOR ' : ''}`;
  const grantee: Grantee = { grantee: role };
  if (target.type === 'schema') return sqlFix([target.schema, grantee], (s, r) => `\`${head}${privileges.join(', ')} ON SCHEMA ${s} ${to} ${r};\``);
  if (target.type === 'column') {
    return sqlFix([target.schema, target.table!, target.object, grantee], (s, t, c, r) => `\`${head}${privileges.map((p) => `${p} (${c})`).join(', ')} ON TABLE ${s}.${t} ${to} ${r};\``);
  }
  return sqlFix([target.schema, target.object, grantee], (s, o, r) => `\`${head}${privileges.join(', ')} ON ${target.type.toUpperCase()} ${s}.${o} ${to} ${r};\``);
}

/** `GRANT SELECT ON TABLE "s"."t" TO "r";` */
export function grantStatement(target: PrivilegeTarget, privileges: readonly string[], role: string): string {
  return privilegeStatement('GRANT', target, privileges, role);
}

/** `REVOKE SELECT ON TABLE "s"."t" FROM "r";`, or only the grant option. */
export function revokeStatement(target: PrivilegeTarget, privileges: readonly string[], role: string, grantOption = false): string {
  return privilegeStatement('REVOKE', target, privileges, role, grantOption);
}

/** What ALTER DEFAULT PRIVILEGES calls each object type of pg_default_acl (L: PostgreSQL 18). */
export const DEFAULT_PRIVILEGE_OBJECTS: Readonly<Record<string, string>> = { r: 'TABLES', S: 'SEQUENCES', f: 'FUNCTIONS', T: 'TYPES', n: 'SCHEMAS', L: 'LARGE OBJECTS' };

/**
 * `ALTER DEFAULT PRIVILEGES FOR ROLE "o" [IN SCHEMA "s"] GRANT|REVOKE [GRANT OPTION FOR] ... ON TABLES TO|FROM "r";`
 * An object type this file does not know is left to do by hand: written as another type, the
 * statement would change that type's defaults and leave these.
 */
export function defaultPrivilegesStatement(owner: string, schema: string | null, verb: 'GRANT' | 'REVOKE', privileges: readonly string[], objectType: string, role: string, grantOption = false): string {
  const names: (string | Grantee)[] = schema === null ? [owner, { grantee: role }] : [owner, { grantee: role }, schema];
  const objects = DEFAULT_PRIVILEGE_OBJECTS[objectType];
  if (objects === undefined) return `by hand: default privileges on objects of type ${JSON.stringify(shown(objectType))} (pg_default_acl.defaclobjtype), which this version does not write statements for`;
  const what = `${grantOption ? 'GRANT OPTION FOR ' : ''}${privileges.join(', ')} ON ${objects}`;
  return sqlFix(names, (o, r, s) => `\`ALTER DEFAULT PRIVILEGES FOR ROLE ${o}${s ? ` IN SCHEMA ${s}` : ''} ${verb} ${what} ${verb === 'GRANT' ? 'TO' : 'FROM'} ${r};\``);
}

/** `GRANT "role" TO "member";` or `REVOKE "role" FROM "member";` */
export function membershipStatement(verb: 'GRANT' | 'REVOKE', role: string, member: string): string {
  return sqlFix([role, member], (r, m) => `\`${verb} ${r} ${verb === 'GRANT' ? 'TO' : 'FROM'} ${m};\``);
}

/** `REVOKE CONNECT ON DATABASE "d" FROM PUBLIC;` */
export function databaseStatement(verb: 'GRANT' | 'REVOKE', database: string, privileges: readonly string[], role: string): string {
  return sqlFix([database, { grantee: role }], (d, r) => `\`${verb} ${privileges.join(', ')} ON DATABASE ${d} ${verb === 'GRANT' ? 'TO' : 'FROM'} ${r};\``);
}

/** `ALTER ROLE "r" NOSUPERUSER;` (`attribute` is one of ours: NOSUPERUSER, NOLOGIN, LOGIN...). */
export function roleStatement(role: string, attribute: string): string {
  return sqlFix([role], (r) => `\`ALTER ROLE ${r} ${attribute};\``);
}

/** `ALTER FUNCTION "s"."f"(args) SECURITY INVOKER;` */
export function securityInvokerStatement(schema: string, name: string, args: string): string {
  const object: SchemaObject = { kind: 'function', name, arguments: args, inExtension: false, ownedByColumn: false, securityDefiner: true };
  const written = objectName(schema, object);
  return written === undefined ? byHand(schema, object) : `\`ALTER FUNCTION ${written} SECURITY INVOKER;\``;
}
