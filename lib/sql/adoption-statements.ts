// The statements of an adoption (lib/adopt/): moving legacy objects into a service's schema,
// giving them to its owner role, keeping the legacy roles working. Written here, with the other
// DDL, so every identifier goes through quoteIdentifier.
import { qualifiedName, quoteIdentifier } from './identifier';

/** A role name in GRANT, or PUBLIC (the keyword) for null: a role named "PUBLIC" is quoted like any other. */
const grantee = (role: string | null): string => (role === null ? 'PUBLIC' : quoteIdentifier(role));

export const lockTables = (schema: string, tables: readonly string[]): string => `LOCK TABLE ${tables.map((t) => qualifiedName(schema, t)).join(', ')} IN ACCESS EXCLUSIVE MODE`;

export const dropConstraint = (schema: string, table: string, name: string): string => `ALTER TABLE ${qualifiedName(schema, table)} DROP CONSTRAINT ${quoteIdentifier(name)}`;

export const setSchema = (kind: 'TABLE' | 'TYPE', schema: string, name: string, to: string): string => `ALTER ${kind} ${qualifiedName(schema, name)} SET SCHEMA ${quoteIdentifier(to)}`;

export const ownerTo = (kind: 'TABLE' | 'TYPE', schema: string, name: string, owner: string): string => `ALTER ${kind} ${qualifiedName(schema, name)} OWNER TO ${quoteIdentifier(owner)}`;

/** `privileges` are keywords (SELECT, USAGE, ...) from the catalog or the caller, checked here. */
export function grantOn(kind: 'TABLE' | 'SEQUENCE', schema: string, name: string, privileges: readonly string[], role: string | null): string {
  const bad = privileges.find((p) => !/^[A-Z]+( [A-Z]+)?$/.test(p));
  if (bad !== undefined) throw new Error(`not a privilege: ${JSON.stringify(bad)}`);
  return `GRANT ${privileges.join(', ')} ON ${kind} ${qualifiedName(schema, name)} TO ${grantee(role)}`;
}

/** Takes back every privilege `role` (PUBLIC for null) holds on the object. */
export const revokeAllOn = (kind: 'TABLE' | 'SEQUENCE', schema: string, name: string, role: string | null): string => `REVOKE ALL ON ${kind} ${qualifiedName(schema, name)} FROM ${grantee(role)}`;

export const grantSchemaUsage = (schema: string, role: string): string => `GRANT USAGE ON SCHEMA ${quoteIdentifier(schema)} TO ${grantee(role)}`;

/** `path` is a list of already quoted or plain identifiers (searchPathWith checks each item). */
export const setRoleSearchPath = (role: string, database: string, path: string): string => `ALTER ROLE ${quoteIdentifier(role)} IN DATABASE ${quoteIdentifier(database)} SET search_path = ${path}`;

export const dropTable = (schema: string, table: string): string => `DROP TABLE ${qualifiedName(schema, table)}`;

/**
 * The scratch statements that read an expression back as PostgreSQL prints it
 * (lib/catalog/equivalent-expressions.ts): a temporary copy of a table's columns, and the
 * check, default or partial index to read. `expression` is SQL text the catalog printed or the
 * model holds (checked by the parser before it got there); it runs only in a savepoint that is
 * always rolled back.
 */
export const scratchCopy = (scratch: string, schema: string, table: string): string => `CREATE TEMPORARY TABLE ${quoteIdentifier(scratch)} (LIKE ${qualifiedName(schema, table)})`;
export const scratchCheck = (scratch: string, expression: string): string => `ALTER TABLE pg_temp.${quoteIdentifier(scratch)} ADD CONSTRAINT ${quoteIdentifier(scratch)} CHECK (${expression})`;
export const scratchDefault = (scratch: string, column: string, expression: string): string => `ALTER TABLE pg_temp.${quoteIdentifier(scratch)} ALTER COLUMN ${quoteIdentifier(column)} SET DEFAULT ${expression}`;
export const scratchPartialIndex = (scratch: string, column: string, predicate: string): string => `CREATE INDEX ${quoteIdentifier(scratch)} ON pg_temp.${quoteIdentifier(scratch)} (${quoteIdentifier(column)}) WHERE ${predicate}`;
