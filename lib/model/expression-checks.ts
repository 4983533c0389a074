// SQL expressions written in the model (check constraints, index predicates, defaults) are
// spliced into DDL as written, so they are checked when the table is built, with PostgreSQL's
// own parser: what a reviewer sees is what runs (no hidden characters), they are one
// expression, and they use only what PostgreSQL accepts there, so a mistake is a message at
// synth instead of a failed migration at apply.
import { cached, expressionProblem, expressionTree, forEachNode, ParseNode, parseTypeName, readsSameAsDefault } from '../sql/parser';
import { hiddenCharacterProblem } from '../sql/hidden-characters';
import { isPlainNumber } from '../sql/default-value';

/** The table an expression belongs to: the only columns it may name. */
export interface ExpressionTable {
  readonly name: string;
  readonly columns: readonly string[];
}

/** Where an expression is used, and how to say what it may use there. */
interface Position {
  readonly refusedIn: string;
  readonly fix: string;
}

const CHECK: Position = { refusedIn: 'CHECK constraints', fix: "a check sees only the row being written: use this row's columns (a rule across rows or tables needs a foreign key)" };
const PREDICATE: Position = { refusedIn: 'index predicates', fix: "an index predicate sees only the row being indexed: use this row's columns" };
const DEFAULT: Position = { refusedIn: 'DEFAULT expressions', fix: 'a default is computed before the row exists: use a constant or a function call such as now()' };

// Built-in functions PostgreSQL refuses wherever a single row is evaluated.
const AGGREGATES = new Set([
  'any_value', 'array_agg', 'avg', 'bit_and', 'bit_or', 'bit_xor', 'bool_and', 'bool_or', 'count', 'every', 'json_agg', 'json_agg_strict',
  'json_object_agg', 'json_object_agg_strict', 'json_object_agg_unique', 'json_object_agg_unique_strict', 'jsonb_agg', 'jsonb_agg_strict',
  'jsonb_object_agg', 'jsonb_object_agg_strict', 'jsonb_object_agg_unique', 'jsonb_object_agg_unique_strict', 'max', 'min', 'range_agg',
  'range_intersect_agg', 'string_agg', 'sum', 'xmlagg', 'corr', 'covar_pop', 'covar_samp', 'regr_avgx', 'regr_avgy', 'regr_count',
  'regr_intercept', 'regr_r2', 'regr_slope', 'regr_sxx', 'regr_sxy', 'regr_syy', 'stddev', 'stddev_pop', 'stddev_samp', 'variance',
  'var_pop', 'var_samp', 'mode', 'percentile_cont', 'percentile_disc', 'rank', 'dense_rank', 'percent_rank', 'cume_dist',
]);
const WINDOW_FUNCTIONS = new Set(['row_number', 'ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value']);
const SET_RETURNING = new Set([
  'generate_series', 'generate_subscripts', 'unnest', 'json_array_elements', 'json_array_elements_text', 'jsonb_array_elements',
  'jsonb_array_elements_text', 'json_each', 'json_each_text', 'jsonb_each', 'jsonb_each_text', 'json_object_keys', 'jsonb_object_keys',
  'json_populate_recordset', 'jsonb_populate_recordset', 'json_to_recordset', 'jsonb_to_recordset', 'jsonb_path_query',
  'regexp_matches', 'regexp_split_to_table', 'string_to_table',
]);

/** A CHECK expression: one expression, over this table's columns only. */
export function checkExpressionProblems(sql: string, table: ExpressionTable): string[] {
  return rowExpressionProblems(sql, table, CHECK);
}

/** A partial index's WHERE: one expression, over this table's columns only. */
export function indexPredicateProblems(sql: string, table: ExpressionTable): string[] {
  return rowExpressionProblems(sql, table, PREDICATE);
}

/** A default written as SQL: one expression, naming no column, that reads the same after DEFAULT. */
export function defaultExpressionProblems(sql: string): string[] {
  const facts = expressionFacts(sql);
  if (typeof facts === 'string') return [facts];
  const problems = [...forbiddenProblems(facts, DEFAULT), ...facts.references.map((r) => `a default cannot name a column (${r.text}): ${DEFAULT.fix}`), ...numberProblems(sql)];
  if (problems.length === 0 && !readsSameAsDefault(sql)) {
    problems.push(
      'PostgreSQL reads it differently after DEFAULT, where only a simple expression may stand (no AND, OR, NOT, IS NULL, IN, LIKE, BETWEEN, AT TIME ZONE or COLLATE): ' +
        `wrap it in parentheses, e.g. defaultSql(${JSON.stringify(`(${sql.trim()})`)})`,
    );
  }
  return unique(problems);
}

function rowExpressionProblems(sql: string, table: ExpressionTable, position: Position): string[] {
  const facts = expressionFacts(sql);
  if (typeof facts === 'string') return [facts];
  const problems = [...forbiddenProblems(facts, position), ...columnReferenceProblems(facts, table, position)];
  // Only when nothing else is wrong: a subquery is the problem, not that it names no column.
  return unique(problems.length > 0 ? problems : constantProblems(facts));
}

/** What an expression uses, read from its parse tree once per distinct text (apps repeat them). */
interface ExpressionFacts {
  /** Nodes refused wherever one row is evaluated, each described. */
  readonly forbidden: readonly { readonly what: string; readonly refused: boolean }[];
  /** Every column reference: its parts (undefined for `*`) and how it was written. */
  readonly references: readonly { readonly parts: readonly (string | undefined)[]; readonly text: string }[];
}

/** The facts, or the problem that prevents parsing the expression faithfully. */
const expressionFacts = cached((sql: string): ExpressionFacts | string => {
  // Checked before parsing: the parser reads a NUL as the end of the text.
  const problem = hiddenCharacterProblem(sql) ?? expressionProblem(sql);
  if (problem) return problem;
  const forbidden: { what: string; refused: boolean }[] = [];
  const references: { parts: (string | undefined)[]; text: string }[] = [];
  forEachNode(expressionTree(sql), (type, node) => {
    if (type === 'SubLink') forbidden.push({ what: 'it contains a subquery (SELECT, EXISTS or IN (SELECT ...))', refused: true });
    else if (type === 'GroupingFunc') forbidden.push({ what: 'GROUPING() is an aggregate expression', refused: true });
    else if (type === 'ParamRef') forbidden.push({ what: `$${node.number} is a query parameter, which has no value in DDL: write the value itself`, refused: false });
    else if (type === 'FuncCall') {
      const kind = functionKind(node);
      if (kind) forbidden.push({ what: `${functionName(node)}() is ${kind}`, refused: true });
    } else if (type === 'ColumnRef') {
      references.push({ parts: (node.fields as { String?: { sval?: string } }[]).map((f) => f.String?.sval), text: referenceText(node) });
    }
  });
  return { forbidden, references };
});

/**
 * An expression that names no column is a constant: it holds for every row or for none (and
 * `''` or `1` only fail at apply, when PostgreSQL casts them to boolean). Refused with the fix.
 */
function constantProblems(facts: ExpressionFacts): string[] {
  return facts.references.length > 0 ? [] : ['it names no column, so it holds for every row or for none: write it over this table\'s columns, e.g. "quantity >= 0"'];
}

function forbiddenProblems(facts: ExpressionFacts, position: Position): string[] {
  return facts.forbidden.map(({ what, refused }) => (refused ? `${what}, which PostgreSQL refuses in ${position.refusedIn}: ${position.fix}` : what));
}

function functionKind(call: ParseNode): string | undefined {
  if (call.over !== undefined) return 'a window function';
  if (call.agg_star || call.agg_distinct || call.agg_order || call.agg_filter || call.agg_within_group) return 'an aggregate function';
  const names = (call.funcname as { String?: { sval?: string } }[]).map((n) => n.String?.sval ?? '');
  // A function qualified with another schema is the user's own, whatever its name.
  if (names.length > 1 && names[0] !== 'pg_catalog') return undefined;
  const name = names[names.length - 1];
  if (AGGREGATES.has(name)) return 'an aggregate function';
  if (WINDOW_FUNCTIONS.has(name)) return 'a window function';
  if (SET_RETURNING.has(name)) return 'a set-returning function';
  return undefined;
}

function functionName(call: ParseNode): string {
  return (call.funcname as { String?: { sval?: string } }[]).map((n) => n.String?.sval ?? '?').join('.');
}

/**
 * A one-part reference must be one of the table's columns, a two-part one `<table>.<column>`;
 * anything else (another table, schema-qualified, `*`) is refused.
 */
function columnReferenceProblems(facts: ExpressionFacts, table: ExpressionTable, position: Position): string[] {
  const columns = `(columns: ${table.columns.join(', ')})`;
  return facts.references.flatMap(({ parts, text }) => {
    const column = parts[parts.length - 1];
    if (parts.some((p) => p === undefined)) return [`${text} names no single column: name the columns one by one ${columns}`];
    if (parts.length > 2) return [`${text}: write the column alone, e.g. "${column}"`];
    if (parts.length === 2 && parts[0] !== table.name) return [`${text} names another table: ${position.fix} ${columns}`];
    if (!table.columns.includes(column!)) return [`there is no column "${column}" in table ${table.name} ${columns}`];
    return [];
  });
}

/** A column reference as the user wrote it, e.g. `"positions.id"` or `"*"`. */
function referenceText(node: ParseNode): string {
  return JSON.stringify((node.fields as { String?: { sval?: string } }[]).map((f) => f.String?.sval ?? '*').join('.'));
}

const unique = (problems: string[]): string[] => [...new Set(problems)];

/**
 * Numbers PostgreSQL 16 reads but 14 and 15 do not (1_000, 0x1F, 0o17, 0b101): the project
 * targets 14, so they are written as plain decimals.
 */
function numberProblems(sql: string): string[] {
  const problems: string[] = [];
  forEachNode(expressionTree(sql), (type, node) => {
    const text = type === 'A_Const' ? (node.fval as { fval?: string } | undefined)?.fval : undefined;
    if (text !== undefined && !isPlainNumber(text)) problems.push(`write the number ${text} as a plain decimal: PostgreSQL 14 and 15 do not read underscores or hexadecimal, octal and binary numbers`);
  });
  return problems;
}

// Functions that take a relation's name as text, and the types a text names a relation by.
const RELATION_FUNCTIONS = new Set(['nextval', 'currval', 'setval']);
const RELATION_TYPES = new Set(['regclass']);

/**
 * The schemas of relations an expression names inside strings (`nextval('s.seq')`,
 * `'s.t'::regclass`), which no parse tree shows as names: a default must not reach another
 * service's sequence or table that way either.
 */
export function schemasNamedInStrings(sql: string): string[] {
  const schemas: string[] = [];
  const named = (text: string | undefined) => {
    if (text === undefined) return;
    const parsed = parseTypeName(text);
    if ('names' in parsed && parsed.names.length > 1) schemas.push(parsed.names[0]);
  };
  const stringOf = (node: unknown) => ((node as ParseNode | undefined)?.A_Const as { sval?: { sval?: string } } | undefined)?.sval?.sval;
  forEachNode(expressionTree(sql), (type, node) => {
    if (type === 'FuncCall') {
      const names = (node.funcname as { String?: { sval: string } }[]).map((n) => n.String?.sval);
      if (RELATION_FUNCTIONS.has(names[names.length - 1] ?? '')) named(stringOf(((node.args ?? []) as unknown[])[0]));
    }
    if (type === 'TypeCast') {
      const names = (((node.typeName as ParseNode).names ?? []) as { String?: { sval: string } }[]).map((n) => n.String?.sval);
      if (RELATION_TYPES.has(names[names.length - 1] ?? '')) named(stringOf(node.arg));
    }
  });
  return schemas;
}
