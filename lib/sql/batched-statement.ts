// The statement of a batched data section as the runner runs it, batch by batch: the hand-written
// UPDATE or DELETE with the batch's key range added to its WHERE, as an edit of its parse tree
// (`(<its WHERE>) AND key > $1 AND key <= $2`), written out by the one renderer (deparse.ts),
// parsed again and required to give exactly the edited tree. The bounds are parameters: the keys
// travel as PostgreSQL's own text for them and are never spliced into the SQL.
import { deparseStatement, Unrenderable } from './deparse';
import { quoteIdentifier } from './identifier';
import { forEachNode, parseScript, ParseNode } from './parser';

/** The table a batched section declares and the column its batches follow. */
export interface BatchTarget {
  readonly schema: string;
  readonly table: string;
  /** A unique NOT NULL column of the table. */
  readonly key: string;
}

/** What the runner runs for a batched section (derived where the parser is: at synth, or by the CLI). */
export interface BatchedStatement {
  /** What it was rendered for: the runner's own queries (the next batch's upper key, the estimate of rows) use the same. */
  readonly target: BatchTarget;
  /** The first batch: the statement limited to `key <= $1` (the batch's upper key). */
  readonly first: string;
  /** Every later batch: limited to `key > $1 AND key <= $2` (the last committed key, the batch's upper key). */
  readonly next: string;
}

/** A statement a batched section cannot run: the message says why and what to write instead. */
export class BatchedStatementError extends Error {}

/** The batched statement of `sql` (exactly one UPDATE or DELETE of `target`); throws BatchedStatementError. */
export function batchedStatement(sql: string, target: BatchTarget): BatchedStatement {
  let statements: readonly { stmt?: unknown }[];
  try {
    statements = parseScript(sql).stmts ?? [];
  } catch (error) {
    throw new BatchedStatementError(`it does not parse: ${(error as Error).message}`);
  }
  if (statements.length !== 1) throw new BatchedStatementError(`it holds ${statements.length} statements: a batched section holds exactly one UPDATE or DELETE`);
  const [[kind, node]] = Object.entries(statements[0].stmt as Record<string, Record<string, unknown>>);
  const problem = batchedStatementProblem(kind, node, target);
  if (problem) throw new BatchedStatementError(problem);
  return rendered(kind, node, target);
}

/**
 * What keeps a parsed statement from running in batches of `target`, or undefined. The shape
 * first (one UPDATE or DELETE of the declared table, not changing the key), then whether the
 * renderer writes it back exactly.
 */
export function batchedStatementProblem(kind: string, node: Record<string, unknown>, target: BatchTarget): string | undefined {
  const declared = `${target.schema}.${target.table}`;
  if (kind !== 'UpdateStmt' && kind !== 'DeleteStmt') return `a batched section runs one UPDATE or DELETE of ${declared} (the runner adds the key range to its WHERE); this is ${kind.replace(/Stmt$/, '').toUpperCase()}: put it in a "-- +data" section of its own`;
  const relation = node.relation as Record<string, unknown>;
  const schema = typeof relation.schemaname === 'string' ? relation.schemaname : target.schema;
  if (schema !== target.schema || relation.relname !== target.table) {
    return `it ${kind === 'UpdateStmt' ? 'updates' : 'deletes from'} ${schema}.${String(relation.relname)}, not the declared table ${declared}: declare the table it changes, or change the statement`;
  }
  if (node.withClause !== undefined) return 'a batched statement cannot start with WITH (each batch runs it again): move the query into a sub-select of its WHERE';
  // returningClause in PostgreSQL 18's tree (returningList before it).
  if (node.returningClause !== undefined || node.returningList !== undefined) return 'RETURNING has no use in a batched section (the runner discards what it returns): remove it';
  const setsKey = kind === 'UpdateStmt' && ((node.targetList as { ResTarget?: { name?: string } }[]) ?? []).some((t) => t.ResTarget?.name === target.key);
  if (setsKey) return `it sets the batch key ${target.key}: batches follow the key's order, and a row whose key moves could be run twice or skipped: fill another column, or batch by another unique NOT NULL key`;
  let parameter = false;
  forEachNode(node, (type) => {
    if (type === 'ParamRef') parameter = true;
  });
  if (parameter) return 'it has a parameter ($1): the only parameters of a batched statement are the batch bounds the runner adds; write the value itself';
  try {
    rendered(kind, node, target);
  } catch (error) {
    if (error instanceof BatchedStatementError) return error.message;
    throw error;
  }
  return undefined;
}

function rendered(kind: string, node: Record<string, unknown>, target: BatchTarget): BatchedStatement {
  const relation = node.relation as { relname: string; alias?: { aliasname: string } };
  // The key as the statement's own target names it: by its alias when it has one (`UPDATE t AS k
  // ... FROM u`, where u may have a column of the same name), else by the table's name.
  const qualifier = relation.alias?.aliasname ?? relation.relname;
  const key = `${quoteIdentifier(qualifier)}.${quoteIdentifier(target.key)}`;
  const upTo = predicate(`${key} <= $1`);
  const range = predicate(`${key} > $1 AND ${key} <= $2`) as { BoolExpr: { args: ParseNode[] } };
  const first = withRange(kind, node, [upTo], range);
  const next = withRange(kind, node, range.BoolExpr.args, range);
  return { target: { schema: target.schema, table: target.table, key: target.key }, first: verified(first), next: verified(next) };
}

/** A WHERE clause as PostgreSQL's parser builds it from text the quoting functions wrote. */
function predicate(text: string): ParseNode {
  const select = parseScript(`SELECT WHERE ${text}`).stmts![0].stmt as unknown as { SelectStmt: { whereClause: ParseNode } };
  return select.SelectStmt.whereClause;
}

/**
 * The statement with `bounds` ANDed to its WHERE. The parser flattens `a AND b AND c` into one
 * AND node (a left operand that is an AND takes the next argument), so the edit does the same:
 * a WHERE that is an AND gets the bounds as more arguments; any other WHERE becomes the first
 * argument of a new AND. `shape` is a parsed AND node, so the new one has the parser's fields.
 */
function withRange(kind: string, node: Record<string, unknown>, bounds: readonly ParseNode[], shape: { BoolExpr: Record<string, unknown> }): Record<string, unknown> {
  const where = node.whereClause as ParseNode | undefined;
  const and = (args: readonly unknown[]) => ({ BoolExpr: { ...shape.BoolExpr, args } });
  const isAnd = (value: ParseNode | undefined): value is { BoolExpr: { boolop: string; args: unknown[] } } => (value?.BoolExpr as { boolop?: string } | undefined)?.boolop === 'AND_EXPR';
  const whereClause = where === undefined ? (bounds.length === 1 ? bounds[0] : and(bounds)) : isAnd(where) ? and([...where.BoolExpr.args, ...bounds]) : and([where, ...bounds]);
  return { [kind]: { ...node, whereClause } };
}

/** The statement's text, once parsing it gives back exactly `statement` (positions aside). */
function verified(statement: Record<string, unknown>): string {
  let text: string;
  try {
    text = deparseStatement(statement);
  } catch (error) {
    if (!(error instanceof Unrenderable)) throw error;
    throw new BatchedStatementError(`it uses ${error.what}, which the batch renderer does not write: simplify the statement (e.g. a sub-select in its WHERE), or run it in a "-- +data" section in one transaction`);
  }
  const reparsed = parseScript(text).stmts ?? [];
  if (reparsed.length !== 1 || canonical(reparsed[0].stmt) !== canonical(statement)) {
    throw new BatchedStatementError(`the batch renderer cannot write it back exactly (it wrote ${JSON.stringify(text.length > 200 ? `${text.slice(0, 197)}...` : text)}): simplify the statement, or run it in a "-- +data" section in one transaction, and report it as an issue`);
  }
  return text;
}

/** Positions in the text, which differ between two spellings of one tree. */
const POSITION = /^(location|.*_location|.*list_start|.*list_end)$/;

/** A tree as JSON with its keys sorted and its positions left out. */
function canonical(tree: unknown): string {
  return JSON.stringify(tree, (_key, value: unknown) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([k]) => !POSITION.test(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}
