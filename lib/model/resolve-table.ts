// Turns a Table's props into its TableModel, collecting every problem (each a sentence with its
// fix) instead of stopping at the first, so one synth shows everything wrong with a table.
// Runs after tablePropsProblems (table-props-shape.ts): every prop has its declared JavaScript type.
import { Column, ColumnModel } from './column';
import { CheckModel, ForeignKeyModel, IndexColumnModel, IndexMethod, IndexModel, KeyModel, TableModel } from './table-model';
import type { AppReferenceProps, Columns, ForeignKeyProps, IndexColumn, IndexProps, TableProps, UniqueProps } from './table';
import { identifierError, identifierProblem, MAX_IDENTIFIER_BYTES, reservedWordProblem, snakeCaseProblem } from '../sql/identifier';
import { checkExpressionProblems, ExpressionTable, indexPredicateProblems } from './expression-checks';
import { nulCharacterProblem } from '../sql/hidden-characters';
import { limitProblems } from './limits';
import { ISchemaScope } from './schema-scope';
import { typeOwnershipProblems } from './type-ownership';
import { sameType, SqlType } from '../schema/schema-model';
import { foreignKeyName, indexName, primaryKeyName, sequenceName, uniqueName } from '../schema/naming';
import { renderType } from '../sql/sql-type';

/** A name off Bedrock's naming convention: reported by the rule pack unless acknowledged. */
export interface NamingFinding {
  readonly rule: 'snake-case' | 'reserved-word';
  /** e.g. `column name "openTime"` */
  readonly subject: string;
  readonly message: string;
}

export function resolveTable(name: string, owner: ISchemaScope, props: TableProps<Columns>): { model: TableModel; problems: string[]; naming: NamingFinding[] } {
  const schema = owner.schemaName;
  const resolver = new TableResolver(name, schema, owner.postgresVersion);
  const columns = resolver.withReferenceComments(resolver.columns(props.columns), props.appReferences ?? []);
  const primaryKey = props.primaryKey ? resolver.primaryKey(props.primaryKey, props.primaryKeyName) : undefined;
  const model: TableModel = {
    schema,
    name,
    ...(props.comment !== undefined ? { comment: props.comment } : {}),
    columns,
    ...(primaryKey ? { primaryKey } : {}),
    uniques: (props.uniques ?? []).map((unique, i) => resolver.unique(unique, i)),
    checks: (props.checks ?? []).map((check) => resolver.check(check.name, check.expression)),
    indexes: (props.indexes ?? []).map((index, i) => resolver.index(index, i)),
    foreignKeys: (props.foreignKeys ?? []).map((fk, i) => resolver.foreignKey(fk, i)).filter((fk): fk is ForeignKeyModel => fk !== undefined),
    ...(props.renamedFrom !== undefined ? { renamedFrom: props.renamedFrom } : {}),
    // The giving service's schema is named after it, as every service's is (schemaName).
    ...(props.transferredFrom !== undefined ? { transferredFrom: { service: props.transferredFrom.service, schema: props.transferredFrom.service } } : {}),
  };
  if (props.renamedFrom !== undefined && (identifierError(props.renamedFrom) || props.renamedFrom === name)) {
    resolver.problems.push(`renamedFrom "${props.renamedFrom}": give the table's previous, valid name (or remove renamedFrom)`);
  }
  resolver.checkTable(model);
  resolver.problems.push(...limitProblems(model), ...typeOwnershipProblems(props.columns, model.columns, owner));
  return { model, problems: resolver.problems, naming: resolver.naming };
}

class TableResolver {
  readonly problems: string[] = [];
  readonly naming: NamingFinding[] = [];
  private known: readonly ColumnModel[] = [];

  constructor(
    private readonly name: string,
    readonly schema: string,
    private readonly postgresVersion: number,
  ) {
    this.checkName('table name', name);
  }

  /**
   * A name PostgreSQL cannot hold is a problem; one off the convention (not snake_case, a
   * reserved word) is a finding for the rule pack, which a construct may acknowledge.
   * Returns false when the name is unusable.
   */
  private checkName(what: string, name: string): boolean {
    const error = identifierError(name);
    if (error) {
      this.problems.push(`${what}: ${error}`);
      return false;
    }
    const snake = snakeCaseProblem(name);
    if (snake) this.naming.push({ rule: 'snake-case', subject: `${what} "${name}"`, message: `${what}: ${snake}` });
    const reserved = reservedWordProblem(name);
    if (reserved) this.naming.push({ rule: 'reserved-word', subject: `${what} "${name}"`, message: `${what}: ${reserved}` });
    return true;
  }

  columns(columns: Columns | undefined): ColumnModel[] {
    const names = Object.keys(columns ?? {});
    if (names.length === 0) this.problems.push('a table needs at least one column: add one under `columns`');
    const resolved: ColumnModel[] = [];
    for (const name of names) {
      const column = columns![name];
      if (!this.checkName('column name', name)) continue;
      if (!(column instanceof Column)) this.problems.push(`column "${name}": expected a column builder such as text() or bigint()`);
      else {
        const { model, problems } = column.resolve(name, this.schema);
        this.problems.push(...problems.map((p) => `column "${name}": ${p}`));
        resolved.push(model);
      }
    }
    this.known = resolved;
    return resolved;
  }

  /**
   * Checks the application-level references' own columns, and documents each in its column's
   * comment when the column has none (the reviewer sees it in the catalog).
   */
  withReferenceComments(columns: ColumnModel[], references: readonly AppReferenceProps<string>[]): ColumnModel[] {
    const comments = new Map<string, string>();
    references.forEach((reference, i) => {
      const label = `application-level reference ${i + 1} (to ${reference.table})`;
      this.columnList(label, reference.columns);
      if (!/^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/.test(reference.table ?? '')) this.problems.push(`${label}: write the table as <service>.<table>, e.g. mlops.ml_models`);
      if ((reference.targetColumns ?? []).length !== reference.columns.length) this.problems.push(`${label}: give as many targetColumns as columns`);
      for (const target of reference.targetColumns ?? []) {
        const error = identifierError(target);
        if (error) this.problems.push(`${label}: target column: ${error}`);
      }
      for (const column of reference.columns) {
        comments.set(column, `Application-level reference to ${reference.table}(${(reference.targetColumns ?? []).join(', ')}); no foreign key: services do not constrain each other's tables`);
      }
    });
    return columns.map((c) => (c.comment === undefined && comments.has(c.name) ? { ...c, comment: comments.get(c.name) } : c));
  }

  primaryKey(columns: readonly string[], name: string | undefined): KeyModel {
    return { name: this.constraintName('primary key', name, primaryKeyName(this.name)), columns: this.columnList('primary key', columns) };
  }

  unique(unique: UniqueProps<string>, index: number): KeyModel {
    const label = `unique constraint ${unique.name ?? index + 1}`;
    const columns = this.columnList(label, unique.columns);
    if (unique.nullsNotDistinct && this.postgresVersion < 15) {
      this.problems.push(`${label}: nullsNotDistinct needs PostgreSQL 15, and this environment targets ${this.postgresVersion}: raise the environment's postgresVersion or drop nullsNotDistinct`);
    }
    return {
      name: this.constraintName('unique constraint', unique.name, uniqueName(this.name, columns)),
      columns,
      ...(unique.nullsNotDistinct ? { nullsNotDistinct: true } : {}),
    };
  }

  check(name: string, expression: string): CheckModel {
    const checkName = this.constraintName('check constraint', name, '');
    this.problems.push(...checkExpressionProblems(expression, this.expressionTable()).map((p) => `check constraint "${checkName}": ${p}`));
    return { name: checkName, expression: expression.trim() };
  }

  index(index: IndexProps<string>, position: number): IndexModel {
    const label = `index ${index.name ?? position + 1}`;
    const columns = index.columns.map(indexColumn);
    this.columnList(label, columns.map((c) => c.column));
    const method = index.method ?? 'btree';
    this.indexMethodProblems(label, index, method, columns);
    if (index.include) this.columnList(`${label} include`, index.include);
    if (index.where !== undefined) this.problems.push(...indexPredicateProblems(index.where, this.expressionTable()).map((p) => `${label} where: ${p}`));
    return {
      name: this.constraintName('index', index.name, indexName(this.name, columns.map((c) => c.column))),
      columns,
      unique: index.unique === true,
      method,
      ...(index.where !== undefined ? { where: index.where.trim() } : {}),
      ...(index.include ? { include: [...index.include] } : {}),
    };
  }

  foreignKey(fk: ForeignKeyProps<string>, position: number): ForeignKeyModel | undefined {
    const label = `foreign key ${fk.name ?? position + 1}`;
    const columns = this.columnList(label, fk.columns);
    const target = fk.references?.table;
    if (typeof target?.toModel !== 'function') {
      this.problems.push(`${label}: references must be made with table.ref('column'), e.g. positions.ref('id')`);
      return undefined;
    }
    this.problems.push(...referenceProblems(label, columns, fk.references.columns, this.known, target.toModel()));
    return {
      name: this.constraintName('foreign key', fk.name, foreignKeyName(this.name, columns)),
      columns,
      references: { schema: target.schema, table: target.name, columns: [...fk.references.columns] },
      onDelete: fk.onDelete ?? 'no action',
      onUpdate: fk.onUpdate ?? 'no action',
    };
  }

  /** Checks across the whole table: names used twice, sequence names, the comment. */
  checkTable(model: TableModel): void {
    const names = [model.primaryKey?.name, ...model.uniques.map((u) => u.name), ...model.checks.map((c) => c.name), ...model.indexes.map((x) => x.name), ...model.foreignKeys.map((f) => f.name)];
    const twice = new Set(names.filter((n, i) => n !== undefined && names.indexOf(n) !== i));
    for (const duplicate of twice) this.problems.push(`the name "${duplicate}" is used by two constraints or indexes: give one of them another \`name\``);
    this.redundantUniques(model);
    for (const column of model.columns) {
      const sequence = sequenceName(model.name, column.name);
      if ((column.identity || column.serial) && Buffer.byteLength(sequence) > MAX_IDENTIFIER_BYTES) {
        this.problems.push(`column "${column.name}": its sequence name "${sequence}" would exceed ${MAX_IDENTIFIER_BYTES} bytes: shorten the table or column name`);
      }
    }
    if (model.comment !== undefined && model.comment.trim() === '') this.problems.push('the table comment is empty: say what the table holds, or leave it out');
    const nul = model.comment === undefined ? undefined : nulCharacterProblem(model.comment);
    if (nul) this.problems.push(`the table comment: ${nul}`);
  }

  /**
   * CREATE TABLE leaves out a unique constraint on exactly the primary key's columns, or on the
   * columns of an earlier one, while ALTER TABLE ADD CONSTRAINT keeps it: a fresh create and a
   * migration would disagree. Such a constraint adds nothing, so it is refused.
   */
  private redundantUniques(model: TableModel): void {
    const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((c, i) => c === b[i]);
    model.uniques.forEach((unique, i) => {
      if (model.primaryKey && same(unique.columns, model.primaryKey.columns)) {
        this.problems.push(`unique constraint "${unique.name}": its columns (${unique.columns.join(', ')}) are the primary key's, which already keeps them unique: remove it`);
        return;
      }
      const earlier = model.uniques.slice(0, i).find((u) => same(u.columns, unique.columns) && Boolean(u.nullsNotDistinct) === Boolean(unique.nullsNotDistinct));
      if (earlier) this.problems.push(`unique constraint "${unique.name}": unique constraint "${earlier.name}" has the same columns (${unique.columns.join(', ')}): remove one of them`);
    });
  }

  /** What check and index expressions may name: this table and its columns. */
  private expressionTable(): ExpressionTable {
    return { name: this.name, columns: this.known.map((c) => c.name) };
  }

  private indexMethodProblems(label: string, index: IndexProps<string>, method: IndexMethod, columns: readonly IndexColumnModel[]): void {
    const problems = this.problems;
    if (index.unique && method !== 'btree') problems.push(`${label}: only btree indexes can be unique`);
    if (method === 'hash' && columns.length > 1) problems.push(`${label}: a hash index covers one column; use btree for several`);
    if (index.include && method !== 'btree' && method !== 'gist') problems.push(`${label}: include is supported by btree and gist indexes only`);
    for (const column of columns) {
      if ((column.order || column.nulls) && method !== 'btree') problems.push(`${label}: sort order applies to btree indexes only`);
      if (column.opclass !== undefined) {
        const problem = identifierProblem(column.opclass);
        if (problem) problems.push(`${label}: operator class: ${problem}`);
      }
      const type = this.known.find((c) => c.name === column.column)?.type;
      const jsonb = type?.kind === 'builtin' && type.name === 'jsonb' && !type.array;
      if (type && method === 'gin' && !column.opclass && !type.array && !jsonb) {
        problems.push(`${label}: a GIN index needs a jsonb or array column, or an opclass (e.g. gin_trgm_ops): "${column.column}" is ${renderType(type)}`);
      }
    }
  }

  /** Checks that `columns` is a non-empty list of this table's columns, each named once. */
  private columnList(what: string, list: readonly string[] | undefined): readonly string[] {
    const names = [...(list ?? [])];
    if (names.length === 0) this.problems.push(`${what}: list at least one column`);
    const known = this.known.map((c) => c.name);
    for (const column of names) {
      if (!known.includes(column)) this.problems.push(`${what}: there is no column "${column}" (columns: ${known.join(', ')})`);
    }
    const repeated = names.find((column, i) => names.indexOf(column) !== i);
    if (repeated !== undefined) this.problems.push(`${what}: column "${repeated}" is listed twice`);
    return names;
  }

  /**
   * The given name, or PostgreSQL's default one. A default name only has to be usable: its
   * style follows from the table and column names it is made of.
   */
  private constraintName(what: string, given: string | undefined, fallback: string): string {
    if (given !== undefined) {
      this.checkName(`${what} name`, given);
      return given;
    }
    const problem = identifierError(fallback);
    if (problem) this.problems.push(`${what}: the default name "${fallback}" is invalid (${problem}); give it a \`name\``);
    return fallback;
  }
}

/** Only the known fields of an index column reach the model (and so the SQL). */
function indexColumn(entry: string | IndexColumn<string>): IndexColumnModel {
  if (typeof entry === 'string') return { column: entry };
  const { column, order, nulls, opclass } = entry;
  return { column, ...(order !== undefined ? { order } : {}), ...(nulls !== undefined ? { nulls } : {}), ...(opclass !== undefined ? { opclass } : {}) };
}

/** Serial columns hold plain integers, so a key referencing one uses the integer type. */
function storageType(column: ColumnModel): SqlType {
  const type = column.type;
  if (type.kind === 'builtin' && (type.name === 'serial' || type.name === 'bigserial')) return { ...type, name: type.name === 'serial' ? 'integer' : 'bigint' };
  return type;
}

function referenceProblems(label: string, columns: readonly string[], targetColumns: readonly string[], own: readonly ColumnModel[], target: TableModel): string[] {
  const targetName = `${target.schema}.${target.name}`;
  if (columns.length !== targetColumns.length) {
    return [`${label}: ${columns.length} column(s) reference ${targetColumns.length} column(s) of ${targetName}; the counts must match`];
  }
  const problems: string[] = [];
  columns.forEach((column, i) => {
    const mine = own.find((c) => c.name === column);
    const theirs = target.columns.find((c) => c.name === targetColumns[i]);
    if (!theirs) problems.push(`${label}: ${targetName} has no column "${targetColumns[i]}"`);
    else if (mine && !sameType(storageType(mine), storageType(theirs))) {
      problems.push(`${label}: "${column}" is ${renderType(mine.type)} but ${targetName}.${theirs.name} is ${renderType(storageType(theirs))}; make the types equal`);
    }
  });
  const sameSet = (key: readonly string[]) => key.length === targetColumns.length && key.every((c) => targetColumns.includes(c));
  const keys = [target.primaryKey?.columns, ...target.uniques.map((u) => u.columns)].filter((k): k is readonly string[] => k !== undefined);
  if (problems.length === 0 && !keys.some(sameSet)) {
    problems.push(`${label}: ${targetName}(${targetColumns.join(', ')}) is neither its primary key nor a unique constraint; PostgreSQL requires one of them`);
  }
  return problems;
}
