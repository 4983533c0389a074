// The schema model: a service's tables, columns and enum types as plain, serializable data.
// It is what the constructs resolve to, what snapshots store and what the differ compares.
// A leaf: it imports nothing else of the library, so its meaning never depends on how SQL is
// written. Types and defaults are data here (a type name with parameters, a literal or an
// expression); lib/sql/ alone turns them into SQL.

// Each union is also a list, so values from untyped callers can be checked against it.
export const INDEX_METHODS = ['btree', 'hash', 'gin', 'gist', 'brin'] as const;
export const REFERENTIAL_ACTIONS = ['no action', 'restrict', 'cascade', 'set null', 'set default'] as const;
export const SORT_ORDERS = ['asc', 'desc'] as const;
export const NULLS_ORDERS = ['first', 'last'] as const;
export const IDENTITY_GENERATIONS = ['always', 'by default'] as const;

export type IndexMethod = (typeof INDEX_METHODS)[number];
export type ReferentialAction = (typeof REFERENTIAL_ACTIONS)[number];
export type SortOrder = (typeof SORT_ORDERS)[number];
export type NullsOrder = (typeof NULLS_ORDERS)[number];
/** How an identity column generates values. */
export type IdentityGeneration = (typeof IDENTITY_GENERATIONS)[number];

/**
 * A column's data type.
 * - builtin: one of PostgreSQL's types under its SQL name (`character varying`, `numeric`,
 *   `timestamp with time zone`), with its parameters (`(20,8)`).
 * - enum: an enum type of the service, by schema and name.
 * - named: any other type, by its (possibly schema-qualified) name, e.g. a type from an extension.
 */
export type SqlType =
  | { readonly kind: 'builtin'; readonly name: string; readonly params?: readonly number[]; readonly array?: true }
  | { readonly kind: 'enum'; readonly schema: string; readonly name: string; readonly array?: true }
  | { readonly kind: 'named'; readonly names: readonly string[]; readonly params?: readonly (number | string)[]; readonly array?: true };

/**
 * A constant: a bare number (kept as written, `12.50`), true or false, NULL, a string constant
 * (`'x'`) or an ARRAY[...] of constants, each optionally cast to a type (`'x'::text`).
 */
export type Literal =
  | { readonly kind: 'number'; readonly text: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'string'; readonly text: string; readonly cast?: SqlType }
  | { readonly kind: 'array'; readonly elements: readonly Literal[]; readonly cast?: SqlType };

/** A column default: a constant, or an SQL expression (checked by the parser before it got here). */
export type DefaultValue = { readonly kind: 'literal'; readonly value: Literal } | { readonly kind: 'expression'; readonly sql: string };

export interface ColumnModel {
  readonly name: string;
  readonly type: SqlType;
  /** As declared. A primary-key column is NOT NULL whatever this says: see isNotNull. */
  readonly notNull: boolean;
  readonly default?: DefaultValue;
  readonly identity?: IdentityGeneration;
  readonly comment?: string;
  /** Set for serial / bigserial: the default is the column's own sequence. */
  readonly serial?: boolean;
  /** The column's previous name, when a migration should rename it (never guessed). */
  readonly renamedFrom?: string;
}

export interface IndexColumnModel {
  readonly column: string;
  readonly order?: SortOrder;
  readonly nulls?: NullsOrder;
  readonly opclass?: string;
}

export interface IndexModel {
  readonly name: string;
  readonly columns: readonly IndexColumnModel[];
  readonly unique: boolean;
  readonly method: IndexMethod;
  /** The partial index's predicate, an SQL expression. */
  readonly where?: string;
  readonly include?: readonly string[];
}

export interface KeyModel {
  readonly name: string;
  readonly columns: readonly string[];
  /** UNIQUE NULLS NOT DISTINCT (PostgreSQL 15+). */
  readonly nullsNotDistinct?: boolean;
}

export interface CheckModel {
  readonly name: string;
  /** An SQL expression. */
  readonly expression: string;
}

export interface ForeignKeyModel {
  readonly name: string;
  readonly columns: readonly string[];
  readonly references: { readonly schema: string; readonly table: string; readonly columns: readonly string[] };
  readonly onDelete: ReferentialAction;
  readonly onUpdate: ReferentialAction;
}

export interface TableModel {
  readonly schema: string;
  readonly name: string;
  readonly comment?: string;
  readonly columns: readonly ColumnModel[];
  readonly primaryKey?: KeyModel;
  readonly uniques: readonly KeyModel[];
  readonly checks: readonly CheckModel[];
  readonly indexes: readonly IndexModel[];
  readonly foreignKeys: readonly ForeignKeyModel[];
  /** The table's previous name, when a migration should rename it (never guessed). */
  readonly renamedFrom?: string;
  /**
   * The service this table was adopted from (`transferredFrom`), kept in snapshots as rename hints
   * are: the transition that adds it to this service's schema moves it here with its rows instead
   * of creating it. `release`: the other service's migration that released it (set by generate);
   * the adopt runs only once that one is applied.
   */
  readonly transferredFrom?: TableOrigin;
}

/** Where an adopted table came from. */
export interface TableOrigin {
  readonly service: string;
  readonly schema: string;
  readonly release?: string;
}

/**
 * A table this service gives to another (which declares it with `transferredFrom`): the
 * transition that takes it out of this service's schema releases it (its rows stay) instead of
 * dropping it. `types`: this service's enums that go with it (no other table of the service uses them).
 */
export interface ReleasedTable {
  readonly table: string;
  readonly service: string;
  readonly schema: string;
  readonly types: readonly string[];
}

export interface EnumModel {
  readonly schema: string;
  readonly name: string;
  readonly values: readonly string[];
  readonly comment?: string;
}

/** A service's whole schema: what snapshots store and the differ compares. */
export interface ServiceSchema {
  readonly service: string;
  readonly schema: string;
  readonly enums: readonly EnumModel[];
  readonly tables: readonly TableModel[];
  /** Tables given to other services (see ReleasedTable), in table order. */
  readonly released?: readonly ReleasedTable[];
}

/**
 * Whether PostgreSQL keeps NULL out of the column: declared NOT NULL, an identity or serial
 * column, or part of the primary key (which implies NOT NULL whatever the column says).
 */
export function isNotNull(table: TableModel, column: ColumnModel): boolean {
  return column.notNull || column.identity !== undefined || column.serial === true || (table.primaryKey?.columns.includes(column.name) ?? false);
}

/** Whether two types are the same type. */
export function sameType(a: SqlType, b: SqlType): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The schema a type is named in (an enum's, a qualified named type's); undefined for built-in and unqualified types. */
export function typeSchema(type: SqlType): string | undefined {
  if (type.kind === 'enum') return type.schema;
  return type.kind === 'named' && type.names.length > 1 ? type.names[0] : undefined;
}

/** The type of one element of an array type, or the type itself. */
export function elementType(type: SqlType): SqlType {
  if (!type.array) return type;
  const { array: _array, ...element } = type;
  return element as SqlType;
}
