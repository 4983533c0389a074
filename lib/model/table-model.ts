// The resolved, serializable form of a table: what DDL is rendered from and (later) what
// snapshots and diffs compare. Plain data, no constructs.
import { ColumnModel } from './column';

// Each union is also a list, so values from untyped callers can be checked against it.
export const INDEX_METHODS = ['btree', 'hash', 'gin', 'gist', 'brin'] as const;
export const REFERENTIAL_ACTIONS = ['no action', 'restrict', 'cascade', 'set null', 'set default'] as const;
export const SORT_ORDERS = ['asc', 'desc'] as const;
export const NULLS_ORDERS = ['first', 'last'] as const;

export type IndexMethod = (typeof INDEX_METHODS)[number];
export type ReferentialAction = (typeof REFERENTIAL_ACTIONS)[number];
export type SortOrder = (typeof SORT_ORDERS)[number];
export type NullsOrder = (typeof NULLS_ORDERS)[number];

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
}

export interface EnumModel {
  readonly schema: string;
  readonly name: string;
  readonly values: readonly string[];
  readonly comment?: string;
}
