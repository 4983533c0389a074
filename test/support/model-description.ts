// A service's model as plain data that a property test can edit, copy and replay, and its
// translation into the real constructs (EnumType, Table, column functions) through schemaOf:
// the differ under test only ever sees models the public API built.
import { bigint, boolean, Column, EnumType, integer, IntegerColumn, jsonb, numeric, ServiceStack, Table, TableReference, text, timestamptz, varchar } from '../../lib';
import { ServiceSchema } from '../../lib/migrations/service-schema';
import { schemaOf } from './schema-state';

export const SERVICE = 'portfolio';

export type ScalarType =
  | { readonly kind: 'varchar'; readonly length: number }
  | { readonly kind: 'text' }
  | { readonly kind: 'integer' }
  | { readonly kind: 'bigint' }
  | { readonly kind: 'numeric'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'timestamptz' }
  | { readonly kind: 'jsonb' }
  | { readonly kind: 'enum'; readonly enum: string };

/** A column's type: a scalar, or an array of one (varchar(n)[], integer[], bigint[]). */
export type ColumnType = ScalarType & { readonly array?: boolean };

export type DefaultDesc = { readonly kind: 'literal'; readonly value: unknown } | { readonly kind: 'sql'; readonly sql: string };

/** A row condition on one column, used by checks and partial indexes; rendered with the column's current name. */
export interface Predicate {
  column: string;
  readonly op: 'positive' | 'nonEmpty' | 'isLabel' | 'notLabel' | 'notNull';
  readonly label?: string;
}

export interface ColumnDesc {
  name: string;
  type: ColumnType;
  notNull: boolean;
  default?: DefaultDesc;
  comment?: string;
  /** integer and bigint only; such a column gets no default and no values from the rows. */
  identity?: 'always' | 'by default';
  /** Within one edit: the name the column had before it (declared rename). */
  renamedFrom?: string;
  /** Within one edit: the column is new (so a rename does not make it a renamedFrom). */
  added?: boolean;
}

/** `id` is the test's own handle (stable across renames); `name` undefined means the library's default name. */
export interface UniqueDesc {
  readonly id: string;
  readonly name?: string;
  columns: string[];
  readonly nullsNotDistinct?: boolean;
}
export interface CheckDesc {
  readonly id: string;
  readonly name: string;
  readonly predicate: Predicate;
}
export interface IndexDesc {
  readonly id: string;
  readonly name?: string;
  columns: string[];
  readonly unique?: boolean;
  readonly where?: Predicate;
  /** The first column sorted descending. */
  readonly descending?: boolean;
  include?: string[];
}
export interface ForeignKeyDesc {
  readonly id: string;
  readonly name?: string;
  columns: string[];
  table: string;
  refColumns: string[];
  onDelete: 'no action' | 'cascade';
}

export interface TableDesc {
  name: string;
  renamedFrom?: string;
  added?: boolean;
  comment?: string;
  columns: ColumnDesc[];
  primaryKey?: string[];
  uniques: UniqueDesc[];
  checks: CheckDesc[];
  indexes: IndexDesc[];
  foreignKeys: ForeignKeyDesc[];
}

export interface EnumDesc {
  readonly name: string;
  values: string[];
  comment?: string;
}

/** Tables in construction order: a foreign key's target comes before its table. */
export interface ModelDesc {
  enums: EnumDesc[];
  tables: TableDesc[];
}

export const emptyModel = (): ModelDesc => ({ enums: [], tables: [] });

/** The state after an edit, as the next edit starts from it: no rename hints left. */
export function settled(model: ModelDesc): ModelDesc {
  const copy = structuredClone(model);
  for (const table of copy.tables) {
    delete table.renamedFrom;
    delete table.added;
    for (const column of table.columns) {
      delete column.renamedFrom;
      delete column.added;
    }
  }
  return copy;
}

export function typeName(type: ColumnType): string {
  const scalar =
    type.kind === 'varchar' ? `varchar(${type.length})` : type.kind === 'numeric' ? `numeric(${type.precision},${type.scale})` : type.kind === 'enum' ? type.enum : type.kind;
  return type.array ? `${scalar}[]` : scalar;
}

export const sameType = (a: ColumnType, b: ColumnType): boolean => typeName(a) === typeName(b);

/** The SQL of a predicate; column names are generated plain identifiers, labels plain words. */
export function predicateSql(p: Predicate): string {
  switch (p.op) {
    case 'positive':
      return `${p.column} > 0`;
    case 'nonEmpty':
      return `${p.column} <> ''`;
    case 'isLabel':
      return `${p.column} = '${p.label}'`;
    case 'notLabel':
      return `${p.column} <> '${p.label}'`;
    case 'notNull':
      return `${p.column} IS NOT NULL`;
  }
}

function columnBuilder(column: ColumnDesc, enums: ReadonlyMap<string, EnumType>): Column {
  const t = column.type;
  const scalar = (): Column => {
    switch (t.kind) {
      case 'varchar':
        return varchar(t.length);
      case 'text':
        return text();
      case 'integer':
      case 'bigint': {
        const built: IntegerColumn = t.kind === 'integer' ? integer() : bigint();
        if (column.identity === 'always') return built.generatedAlwaysAsIdentity();
        return column.identity === 'by default' ? built.generatedByDefaultAsIdentity() : built;
      }
      case 'numeric':
        return numeric(t.precision, t.scale);
      case 'boolean':
        return boolean();
      case 'timestamptz':
        return timestamptz();
      case 'jsonb':
        return jsonb();
      case 'enum': {
        const type = enums.get(t.enum);
        if (!type) throw new Error(`model description: enum ${t.enum} is not defined`);
        return type.column();
      }
    }
  };
  // array() copies the settings made so far, so it comes first.
  let built = t.array ? scalar().array() : scalar();
  if (column.notNull) built = built.notNull();
  if (column.default?.kind === 'literal') built = built.default(column.default.value);
  if (column.default?.kind === 'sql') built = built.defaultSql(column.default.sql);
  if (column.comment !== undefined) built = built.comment(column.comment);
  if (column.renamedFrom !== undefined) built = built.renamedFrom(column.renamedFrom);
  return built;
}

/** Defines the described enums and tables in a service stack, with the real constructs. */
export function defineModel(model: ModelDesc): (stack: ServiceStack) => void {
  return (stack) => {
    const enums = new Map(model.enums.map((e) => [e.name, new EnumType(stack, `enum_${e.name}`, { name: e.name, values: e.values, ...(e.comment !== undefined ? { comment: e.comment } : {}) })]));
    const tables = new Map<string, Table>();
    for (const t of model.tables) {
      const reference = (fk: ForeignKeyDesc): TableReference => {
        const target = tables.get(fk.table);
        if (!target) throw new Error(`model description: foreign key ${fk.id} of ${t.name} references ${fk.table}, not defined before it`);
        return target.ref(...fk.refColumns);
      };
      const table = new Table(stack, `table_${t.name}`, {
        name: t.name,
        ...(t.renamedFrom !== undefined ? { renamedFrom: t.renamedFrom } : {}),
        ...(t.comment !== undefined ? { comment: t.comment } : {}),
        columns: Object.fromEntries(t.columns.map((c) => [c.name, columnBuilder(c, enums)])),
        ...(t.primaryKey ? { primaryKey: t.primaryKey } : {}),
        uniques: t.uniques.map((u) => ({ ...(u.name ? { name: u.name } : {}), columns: u.columns, ...(u.nullsNotDistinct ? { nullsNotDistinct: true } : {}) })),
        checks: t.checks.map((c) => ({ name: c.name, expression: predicateSql(c.predicate) })),
        indexes: t.indexes.map((i) => ({
          ...(i.name ? { name: i.name } : {}),
          columns: i.columns.map((column, k) => (k === 0 && i.descending ? { column, order: 'desc' as const } : column)),
          ...(i.unique ? { unique: true } : {}),
          ...(i.where ? { where: predicateSql(i.where) } : {}),
          ...(i.include ? { include: i.include } : {}),
        })),
        foreignKeys: t.foreignKeys.map((fk) => ({ ...(fk.name ? { name: fk.name } : {}), columns: fk.columns, references: reference(fk), onDelete: fk.onDelete })),
      });
      tables.set(t.name, table);
    }
  };
}

/** The ServiceSchema the constructs resolve the description to (throws ModelError when refused). */
export function schemaOfModel(model: ModelDesc, postgresVersion: number): ServiceSchema {
  return schemaOf(SERVICE, defineModel(model), postgresVersion);
}
