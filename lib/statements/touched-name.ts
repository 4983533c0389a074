// A name a statement touches, as BEDROCK-S1 judges it: what kind of object, the schema it is
// qualified with, and whether the statement only uses it, changes it or creates it.

export type NameKind =
  | 'relation'
  | 'type'
  | 'function'
  | 'operator'
  | 'collation'
  | 'operator class'
  | 'object'
  /** A schema itself (COMMENT ON SCHEMA, ALTER SCHEMA): the platform's. */
  | 'schema'
  /** The objects of a schema, named by the schema (REINDEX SCHEMA x, SET SCHEMA x). */
  | 'schema contents'
  /** An object outside every schema: a role, the database, an extension, an event trigger, every table at once. */
  | 'database-wide object';

export interface TouchedName {
  readonly kind: NameKind;
  /** The name as written, e.g. ['datahub', 'klines'], or ['klines'] when unqualified. */
  readonly parts: readonly string[];
  /** The schema it is qualified with; undefined when it resolves through search_path. */
  readonly schema?: string;
  /** True when the statement creates, changes or removes it; false when it only reads or calls it. */
  readonly changed: boolean;
  /** True when the statement creates it (in the schema it names, or else in the current schema). */
  readonly created?: boolean;
  /** True for a temporary relation it creates (CREATE TEMP TABLE, SELECT ... INTO TEMP). */
  readonly temporary?: boolean;
  /** How messages show it, when not by its name (e.g. `... SET SCHEMA datahub`, `every table of the database`). */
  readonly shown?: string;
}

/** A name whose schema is `parts[schemaAt]` (by default the part before the last), or unqualified. */
export function named(kind: NameKind, parts: readonly string[], changed: boolean, schemaAt = parts.length - 2): TouchedName {
  return { kind, parts, changed, ...(schemaAt >= 0 && schemaAt < parts.length ? { schema: parts[schemaAt] } : {}) };
}
