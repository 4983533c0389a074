// A snapshot is a file: a hand may have edited it, and what it holds reaches the SQL of the next
// migration (its down recreates what the snapshot says). So it is checked as the constructs
// check a model: names, closed lists, comments, expressions, every reference to a column, and
// nothing outside the service's schema.
import { ServiceSchema, TableModel, IDENTITY_GENERATIONS, INDEX_METHODS, NULLS_ORDERS, REFERENTIAL_ACTIONS, SORT_ORDERS, SqlType, typeSchema } from '../schema/schema-model';
import { identifierError } from '../sql/identifier';
import { nulCharacterProblem } from '../sql/hidden-characters';
import { checkExpressionProblems, indexPredicateProblems } from '../model/expression-checks';
import { expressionTree, forEachNode } from '../sql/parser';
import { refusedFunctionCalls } from '../statements/refused-functions';
import { statementContext } from '../statements/statement-context';

/** A migration's id (see migration-file.ts): where a snapshot names one. */
const MIGRATION_ID = /^\d{8}_\d{6}_[a-z][a-z0-9_]*$/;

const outside = <T extends string>(list: readonly T[], value: string | undefined): boolean => value !== undefined && !list.includes(value as T);

/** Every problem of the snapshot's content, each naming where it is; [] when it is sound. */
export function snapshotProblems(snapshot: ServiceSchema): string[] {
  const problems: string[] = [];
  const name = (what: string, value: string) => {
    const error = identifierError(value);
    if (error) problems.push(`${what} ${JSON.stringify(value)}: ${error}`);
  };
  const comment = (what: string, value: string | undefined) => {
    const nul = value === undefined ? undefined : nulCharacterProblem(value);
    if (nul) problems.push(`the comment of ${what}: ${nul}`);
  };
  twice('table', snapshot.tables.map((t) => t.name), problems);
  twice('enum', snapshot.enums.map((e) => e.name), problems);
  for (const type of snapshot.enums) {
    name('enum', type.name);
    comment(`enum ${type.name}`, type.comment);
    for (const value of type.values) if (nulCharacterProblem(value) || value === '') problems.push(`enum ${type.name}: a label is empty or holds NUL`);
    twice(`label of enum ${type.name}`, type.values, problems);
  }
  for (const table of snapshot.tables) problems.push(...tableProblems(table, snapshot.schema, name, comment));
  for (const released of snapshot.released ?? []) {
    name('released table', released.table);
    name(`service released ${released.table} goes to`, released.service);
    name(`schema released ${released.table} goes to`, released.schema);
    for (const type of released.types) name(`enum released with ${released.table}`, type);
    if (released.schema !== released.service) problems.push(`released table ${released.table}: service ${JSON.stringify(released.service)} but schema ${JSON.stringify(released.schema)}: a service's schema is its name`);
  }
  if (problems.length === 0) problems.push(...expressionReach(snapshot));
  return problems;
}

/**
 * What the statement judge would refuse in the snapshot's expressions (defaults, checks,
 * predicates), said here so the file is named: a function BEDROCK-S2 refuses, or a function or
 * type of another schema. (The expressions were checked to be single expressions first.)
 */
function expressionReach(snapshot: ServiceSchema): string[] {
  const context = statementContext(snapshot.service);
  const expressions = snapshot.tables.flatMap((t) => [
    ...t.columns.flatMap((c) => (c.default?.kind === 'expression' ? [[`${t.name}.${c.name} default`, c.default.sql]] : [])),
    ...t.checks.map((c) => [`${t.name} check ${c.name}`, c.expression]),
    ...t.indexes.flatMap((i) => (i.where !== undefined ? [[`${t.name} index ${i.name} where`, i.where]] : [])),
  ]);
  return expressions.flatMap(([where, sql]) => {
    const node = expressionTree(sql);
    const refused = refusedFunctionCalls({ kind: 'expression', node, label: where, section: 'up', line: 0 }, context);
    const foreign: string[] = [];
    forEachNode(node, (type, child) => {
      const names = ((type === 'FuncCall' ? child.funcname : type === 'TypeName' ? child.names : undefined) ?? []) as { String?: { sval: string } }[];
      const schema = names.length > 1 ? names[0].String?.sval : undefined;
      if (schema !== undefined && schema !== snapshot.schema && schema !== 'pg_catalog') foreign.push(`${where} names schema ${JSON.stringify(schema)}: a service's expressions use its own schema and PostgreSQL's only`);
    });
    return [...refused, ...foreign];
  });
}

function twice(what: string, names: readonly string[], problems: string[]): void {
  for (const repeated of new Set(names.filter((n, i) => names.indexOf(n) !== i))) problems.push(`${what} ${JSON.stringify(repeated)} is listed twice`);
}

function tableProblems(table: TableModel, schema: string, name: (what: string, value: string) => void, comment: (what: string, value: string | undefined) => void): string[] {
  const problems: string[] = [];
  const at = `table ${table.name}`;
  name('table', table.name);
  if (table.renamedFrom !== undefined) name(`renamedFrom of ${at}`, table.renamedFrom);
  if (table.transferredFrom !== undefined) {
    name(`transferredFrom.service of ${at}`, table.transferredFrom.service);
    name(`transferredFrom.schema of ${at}`, table.transferredFrom.schema);
    if (table.transferredFrom.release !== undefined && !MIGRATION_ID.test(table.transferredFrom.release)) problems.push(`${at}: transferredFrom.release ${JSON.stringify(table.transferredFrom.release)} is not a migration id`);
    // A service's schema is named after it (schemaName): any other schema would let an adopt, run as the deploying user, move a table the giver does not own.
    if (table.transferredFrom.schema !== table.transferredFrom.service) problems.push(`${at}: transferredFrom names service ${JSON.stringify(table.transferredFrom.service)} but schema ${JSON.stringify(table.transferredFrom.schema)}: a service's schema is its name`);
  }
  comment(at, table.comment);
  const columns = table.columns.map((c) => c.name);
  twice(`column of ${at}`, columns, problems);
  for (const column of table.columns) {
    name(`column of ${at}`, column.name);
    if (column.renamedFrom !== undefined) name(`renamedFrom of ${at}.${column.name}`, column.renamedFrom);
    comment(`${at}.${column.name}`, column.comment);
    problems.push(...typeProblems(`${at}.${column.name}`, column.type, schema));
    if (outside(IDENTITY_GENERATIONS, column.identity)) problems.push(`${at}.${column.name}: identity ${JSON.stringify(column.identity)} is not one of ${IDENTITY_GENERATIONS.join(', ')}`);
  }
  const known = (what: string, list: readonly string[]) => {
    for (const column of list) if (!columns.includes(column)) problems.push(`${at}: ${what} names column ${JSON.stringify(column)}, which the table does not have`);
  };
  const expressionTable = { name: table.name, columns };
  const keys = [...(table.primaryKey ? [table.primaryKey] : []), ...table.uniques];
  for (const key of keys) {
    name(`constraint of ${at}`, key.name);
    known(`key ${key.name}`, key.columns);
  }
  for (const check of table.checks) {
    name(`constraint of ${at}`, check.name);
    problems.push(...checkExpressionProblems(check.expression, expressionTable).map((p) => `${at}: check ${check.name}: ${p}`));
  }
  for (const index of table.indexes) {
    name(`index of ${at}`, index.name);
    if (outside(INDEX_METHODS, index.method)) problems.push(`${at}: index ${index.name}: method ${JSON.stringify(index.method)} is not one of ${INDEX_METHODS.join(', ')}`);
    for (const column of index.columns) {
      if (outside(SORT_ORDERS, column.order) || outside(NULLS_ORDERS, column.nulls)) problems.push(`${at}: index ${index.name}: the order or nulls of column ${JSON.stringify(column.column)} is not one of asc, desc / first, last`);
      if (column.opclass !== undefined) name(`operator class in ${at}`, column.opclass);
    }
    known(`index ${index.name}`, [...index.columns.map((c) => c.column), ...(index.include ?? [])]);
    if (index.where !== undefined) problems.push(...indexPredicateProblems(index.where, expressionTable).map((p) => `${at}: index ${index.name} where: ${p}`));
  }
  for (const fk of table.foreignKeys) {
    name(`constraint of ${at}`, fk.name);
    known(`foreign key ${fk.name}`, fk.columns);
    if (fk.references.schema !== schema) problems.push(`${at}: foreign key ${fk.name} references schema ${JSON.stringify(fk.references.schema)}: foreign keys never leave the service's schema ${schema}`);
    name(`table referenced by ${at}`, fk.references.table);
    for (const column of fk.references.columns) name(`column referenced by ${at}`, column);
    if (outside(REFERENTIAL_ACTIONS, fk.onDelete) || outside(REFERENTIAL_ACTIONS, fk.onUpdate)) problems.push(`${at}: foreign key ${fk.name}: onDelete and onUpdate must be one of ${REFERENTIAL_ACTIONS.join(', ')}`);
  }
  return problems;
}

/** A type from the file names a valid type of PostgreSQL's or of this schema. */
function typeProblems(at: string, type: SqlType, schema: string): string[] {
  const names = type.kind === 'builtin' ? [] : type.kind === 'enum' ? [type.schema, type.name] : type.names;
  const problems = names.flatMap((part) => (identifierError(part) ? [`${at}: the type name part ${JSON.stringify(part)} is not a valid name`] : []));
  const named = typeSchema(type);
  if (named !== undefined && named !== schema && named !== 'pg_catalog') problems.push(`${at}: the type is in schema ${JSON.stringify(named)}: a service's columns use PostgreSQL's types and its own enums only`);
  return problems;
}
