// The Table construct: one PostgreSQL table, owned by the service whose stack defines it.
// Column references in keys and indexes are typed: naming a column that does not exist
// does not compile.
import { Construct } from 'constructs';
import { Column, ColumnModel } from './column';
import { ModelError } from './model-error';
import { findSchemaScope } from './schema-scope';
import {
  CheckModel,
  ForeignKeyModel,
  IndexColumnModel,
  IndexMethod,
  IndexModel,
  KeyModel,
  NullsOrder,
  ReferentialAction,
  SortOrder,
  TableModel,
} from './table-model';
import { identifierProblem, MAX_IDENTIFIER_BYTES } from '../sql/identifier';
import { expressionProblem } from '../sql/parser';

/** The columns of a table, keyed by column name. */
export type Columns = Record<string, Column>;

/** The name of one of the columns `C`. */
export type ColumnName<C extends Columns> = Extract<keyof C, string>;

/** One column of an index, with its sort order and operator class when not the default. */
export interface IndexColumn<N extends string> {
  readonly column: N;
  /** @default 'asc' */
  readonly order?: SortOrder;
  /** @default 'last' for asc, 'first' for desc */
  readonly nulls?: NullsOrder;
  /** An operator class, e.g. `jsonb_path_ops` for a GIN index on jsonb. */
  readonly opclass?: string;
}

export interface IndexProps<N extends string> {
  /** @default `<table>_<columns>_idx` */
  readonly name?: string;
  readonly columns: readonly (N | IndexColumn<N>)[];
  /** @default false */
  readonly unique?: boolean;
  /** @default 'btree' */
  readonly method?: IndexMethod;
  /** A partial index's predicate, as an SQL expression, e.g. `status = 'open'`. */
  readonly where?: string;
  /** Extra columns stored in the index (INCLUDE), btree and gist only. */
  readonly include?: readonly N[];
}

export interface UniqueProps<N extends string> {
  /** @default `<table>_<columns>_key` */
  readonly name?: string;
  readonly columns: readonly N[];
  /**
   * Treat NULLs as equal (UNIQUE NULLS NOT DISTINCT). Needs PostgreSQL 15.
   * @default false
   */
  readonly nullsNotDistinct?: boolean;
}

export interface CheckProps {
  /** The constraint's name, e.g. `klines_high_gte_low`. */
  readonly name: string;
  /** An SQL boolean expression over the table's columns, e.g. `high >= low`. */
  readonly expression: string;
}

/** The target of a foreign key: made by `table.ref('column', ...)`, so it is typed too. */
export interface TableReference {
  readonly table: Table<Columns>;
  readonly columns: readonly string[];
}

export interface ForeignKeyProps<N extends string> {
  /** @default `<table>_<columns>_fkey` */
  readonly name?: string;
  readonly columns: readonly N[];
  /** The referenced table and columns: `positions.ref('id')`. */
  readonly references: TableReference;
  /** @default 'no action' */
  readonly onDelete?: ReferentialAction;
  /** @default 'no action' */
  readonly onUpdate?: ReferentialAction;
}

export interface TableProps<C extends Columns> {
  /**
   * The table's name in PostgreSQL (snake_case, at most 63 bytes, not a reserved word).
   * @default the construct id
   */
  readonly name?: string;
  /** The columns, keyed by name, built with integer(), text(), ... */
  readonly columns: C;
  /** The primary key's columns, in key order. */
  readonly primaryKey?: readonly NoInfer<ColumnName<C>>[];
  /** @default `<table>_pkey` */
  readonly primaryKeyName?: string;
  readonly uniques?: readonly UniqueProps<NoInfer<ColumnName<C>>>[];
  readonly checks?: readonly CheckProps[];
  readonly indexes?: readonly IndexProps<NoInfer<ColumnName<C>>>[];
  readonly foreignKeys?: readonly ForeignKeyProps<NoInfer<ColumnName<C>>>[];
  /** What the table holds (COMMENT ON TABLE). */
  readonly comment?: string;
}

const INDEX_METHODS: readonly IndexMethod[] = ['btree', 'hash', 'gin', 'gist', 'brin'];
const ACTIONS: readonly ReferentialAction[] = ['no action', 'restrict', 'cascade', 'set null', 'set default'];

/** A PostgreSQL table owned by the service of the ServiceStack it is defined in. */
export class Table<C extends Columns = Columns> extends Construct {
  /** The table's name in PostgreSQL. */
  readonly name: string;
  /** The PostgreSQL schema (the owning service's). */
  readonly schema: string;
  /** The owning service. */
  readonly service: string;
  /** The column builders, by name. */
  readonly columns: C;
  private readonly model: TableModel;

  constructor(scope: Construct, id: string, props: TableProps<C>) {
    super(scope, id);
    this.name = props.name ?? id;
    this.columns = props.columns;
    const owner = findSchemaScope(this);
    if (!owner) throw new ModelError(this, ['a Table must be defined inside a ServiceStack (the service that owns it)']);
    this.schema = owner.schemaName;
    this.service = owner.service;
    const problems: string[] = [];
    this.model = buildModel(this as unknown as Table<Columns>, props as unknown as TableProps<Columns>, owner.postgresVersion, problems);
    ModelError.throwIfAny(this, problems);
  }

  /** `schema.table`, e.g. `portfolio.trades`. */
  get qualifiedName(): string {
    return `${this.schema}.${this.name}`;
  }

  /** A typed reference to columns of this table, for a foreign key: `positions.ref('id')`. */
  ref(...columns: ColumnName<C>[]): TableReference {
    return { table: this as unknown as Table<Columns>, columns };
  }

  /** The resolved model of the table (validated at construction). */
  toModel(): TableModel {
    return this.model;
  }
}

/** Resolves props into a TableModel, collecting every problem instead of stopping at the first. */
function buildModel(table: Table<Columns>, props: TableProps<Columns>, postgresVersion: number, problems: string[]): TableModel {
  const name = table.name;
  const nameProblem = identifierProblem(name);
  if (nameProblem) problems.push(`table name: ${nameProblem}`);

  const columns: ColumnModel[] = [];
  const columnNames = Object.keys(props.columns ?? {});
  if (columnNames.length === 0) problems.push('a table needs at least one column: add one under `columns`');
  for (const columnName of columnNames) {
    const columnProblem = identifierProblem(columnName);
    if (columnProblem) {
      problems.push(`column name: ${columnProblem}`);
      continue;
    }
    const column = props.columns[columnName];
    if (!(column instanceof Column)) {
      problems.push(`column "${columnName}": expected a column builder such as text() or bigint()`);
      continue;
    }
    const resolved = column.resolve(columnName);
    problems.push(...resolved.problems.map((p) => `column "${columnName}": ${p}`));
    columns.push(resolved.model);
  }
  const known = new Set(columns.map((c) => c.name));
  const checkColumns = (what: string, list: readonly string[] | undefined): readonly string[] => {
    const names = [...(list ?? [])];
    if (names.length === 0) problems.push(`${what}: list at least one column`);
    for (const column of names) {
      if (!known.has(column)) problems.push(`${what}: there is no column "${column}" (columns: ${[...known].join(', ')})`);
    }
    const repeated = names.filter((column, i) => names.indexOf(column) !== i);
    if (repeated.length > 0) problems.push(`${what}: column "${repeated[0]}" is listed twice`);
    return names;
  };
  const constraintName = (what: string, given: string | undefined, fallback: string): string => {
    const chosen = given ?? fallback;
    const problem = identifierProblem(chosen);
    if (problem) problems.push(given ? `${what} name: ${problem}` : `${what}: the default name "${chosen}" is invalid (${problem}); give it a \`name\``);
    return chosen;
  };

  let primaryKey: KeyModel | undefined;
  if (props.primaryKey) {
    const keyColumns = checkColumns('primary key', props.primaryKey);
    primaryKey = { name: constraintName('primary key', props.primaryKeyName, `${name}_pkey`), columns: keyColumns };
  }

  const uniques: KeyModel[] = (props.uniques ?? []).map((unique, i) => {
    const keyColumns = checkColumns(`unique constraint ${unique.name ?? i + 1}`, unique.columns);
    if (unique.nullsNotDistinct && postgresVersion < 15) {
      problems.push(`unique constraint ${unique.name ?? i + 1}: nullsNotDistinct needs PostgreSQL 15, and this environment targets ${postgresVersion}: raise the environment's postgresVersion or drop nullsNotDistinct`);
    }
    return {
      name: constraintName('unique constraint', unique.name, `${name}_${keyColumns.join('_')}_key`),
      columns: keyColumns,
      ...(unique.nullsNotDistinct ? { nullsNotDistinct: true } : {}),
    };
  });

  const checks: CheckModel[] = (props.checks ?? []).map((check) => {
    const checkName = constraintName('check constraint', check.name, '');
    const problem = expressionProblem(check.expression ?? '');
    if (problem) problems.push(`check constraint "${checkName}": ${problem}`);
    return { name: checkName, expression: (check.expression ?? '').trim() };
  });

  const columnTypes = new Map(columns.map((c) => [c.name, c.type]));
  const indexes: IndexModel[] = (props.indexes ?? []).map((index, i) => {
    const indexColumns: IndexColumnModel[] = (index.columns ?? []).map((entry) => (typeof entry === 'string' ? { column: entry } : { ...entry }));
    const label = `index ${index.name ?? i + 1}`;
    checkColumns(label, indexColumns.map((c) => c.column));
    const method = index.method ?? 'btree';
    if (!INDEX_METHODS.includes(method)) problems.push(`${label}: method "${method}" is not one of ${INDEX_METHODS.join(', ')}`);
    if (index.unique && method !== 'btree') problems.push(`${label}: only btree indexes can be unique`);
    if (method === 'hash' && indexColumns.length > 1) problems.push(`${label}: a hash index covers one column; use btree for several`);
    if (index.include && method !== 'btree' && method !== 'gist') problems.push(`${label}: include is supported by btree and gist indexes only`);
    if (index.include) checkColumns(`${label} include`, index.include);
    for (const column of indexColumns) {
      if ((column.order || column.nulls) && method !== 'btree') problems.push(`${label}: sort order applies to btree indexes only`);
      if (column.opclass !== undefined) {
        const problem = identifierProblem(column.opclass);
        if (problem) problems.push(`${label}: operator class: ${problem}`);
      }
      const type = columnTypes.get(column.column) ?? '';
      if (method === 'gin' && !column.opclass && !type.endsWith('[]') && type !== 'jsonb') {
        problems.push(`${label}: a GIN index needs a jsonb or array column, or an opclass (e.g. gin_trgm_ops): "${column.column}" is ${type}`);
      }
    }
    if (index.where !== undefined) {
      const problem = expressionProblem(index.where);
      if (problem) problems.push(`${label} where: ${problem}`);
    }
    const fallback = `${name}_${indexColumns.map((c) => c.column).join('_')}_idx`;
    return {
      name: constraintName('index', index.name, fallback),
      columns: indexColumns,
      unique: index.unique === true,
      method,
      ...(index.where !== undefined ? { where: index.where.trim() } : {}),
      ...(index.include ? { include: [...index.include] } : {}),
    };
  });

  const foreignKeys = (props.foreignKeys ?? []).map((fk, i): ForeignKeyModel | undefined => {
    const label = `foreign key ${fk.name ?? i + 1}`;
    const fkColumns = checkColumns(label, fk.columns);
    const target = fk.references?.table;
    if (!(target instanceof Table)) {
      problems.push(`${label}: references must be made with table.ref('column'), e.g. positions.ref('id')`);
      return undefined;
    }
    const targetModel = target.toModel();
    problems.push(...referenceProblems(label, fkColumns, fk.references.columns, columns, targetModel));
    for (const action of [fk.onDelete, fk.onUpdate]) {
      if (action !== undefined && !ACTIONS.includes(action)) problems.push(`${label}: "${action}" is not one of ${ACTIONS.join(', ')}`);
    }
    return {
      name: constraintName('foreign key', fk.name, `${name}_${fkColumns.join('_')}_fkey`),
      columns: fkColumns,
      references: { schema: target.schema, table: target.name, columns: [...fk.references.columns] },
      onDelete: fk.onDelete ?? 'no action',
      onUpdate: fk.onUpdate ?? 'no action',
    };
  }).filter((fk): fk is ForeignKeyModel => fk !== undefined);

  const owned = [primaryKey?.name, ...uniques.map((u) => u.name), ...checks.map((c) => c.name), ...indexes.map((x) => x.name), ...foreignKeys.map((f) => f.name)];
  const twice = owned.filter((n, i) => n !== undefined && owned.indexOf(n) !== i);
  for (const duplicate of new Set(twice)) problems.push(`the name "${duplicate}" is used by two constraints or indexes: give one of them another \`name\``);
  for (const column of columns) {
    if ((column.identity || column.serial) && Buffer.byteLength(`${name}_${column.name}_seq`) > MAX_IDENTIFIER_BYTES) {
      problems.push(`column "${column.name}": its sequence name "${name}_${column.name}_seq" would exceed ${MAX_IDENTIFIER_BYTES} bytes: shorten the table or column name`);
    }
  }
  if (props.comment !== undefined && props.comment.trim() === '') problems.push('the table comment is empty: say what the table holds, or leave it out');

  return {
    schema: table.schema,
    name,
    ...(props.comment !== undefined ? { comment: props.comment } : {}),
    columns,
    ...(primaryKey ? { primaryKey } : {}),
    uniques,
    checks,
    indexes,
    foreignKeys,
  };
}

/** Serial columns hold plain integers, so a key referencing one uses the integer type. */
function storageType(column: ColumnModel): string {
  if (column.type === 'serial') return 'integer';
  if (column.type === 'bigserial') return 'bigint';
  return column.type;
}

function referenceProblems(label: string, columns: readonly string[], targetColumns: readonly string[], own: readonly ColumnModel[], target: TableModel): string[] {
  const problems: string[] = [];
  const targetName = `${target.schema}.${target.name}`;
  if (columns.length !== targetColumns.length) {
    return [`${label}: ${columns.length} column(s) reference ${targetColumns.length} column(s) of ${targetName}; the counts must match`];
  }
  columns.forEach((column, i) => {
    const mine = own.find((c) => c.name === column);
    const theirs = target.columns.find((c) => c.name === targetColumns[i]);
    if (!theirs) problems.push(`${label}: ${targetName} has no column "${targetColumns[i]}"`);
    else if (mine && storageType(mine) !== storageType(theirs)) {
      problems.push(`${label}: "${column}" is ${mine.type} but ${targetName}.${theirs.name} is ${storageType(theirs)}; make the types equal`);
    }
  });
  const sameSet = (key: readonly string[]) => key.length === targetColumns.length && key.every((c) => targetColumns.includes(c));
  const keys = [target.primaryKey?.columns, ...target.uniques.map((u) => u.columns)].filter((k): k is readonly string[] => k !== undefined);
  if (problems.length === 0 && !keys.some(sameSet)) {
    problems.push(`${label}: ${targetName}(${targetColumns.join(', ')}) is neither its primary key nor a unique constraint; PostgreSQL requires one of them`);
  }
  return problems;
}
