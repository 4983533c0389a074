// PostgreSQL's own parser (libpg-query, the PostgreSQL 18 grammar compiled to WASM), used to
// check SQL expressions before they reach a plan. Loading it is asynchronous (~20 ms), so the
// app loads it once before tables are defined.
import * as pgQuery from 'libpg-query';

let loaded = false;

/** Loads the parser. Call once, before building tables (createApp does it for you). */
export async function loadSqlParser(): Promise<void> {
  if (!loaded) {
    await pgQuery.loadModule();
    loaded = true;
  }
}

function requireParser(): void {
  if (!loaded) {
    throw new Error(
      'The SQL parser is not loaded. Create the app with `await createApp()` ' +
        '(or call `await loadSqlParser()`) before defining tables.',
    );
  }
}

/**
 * Checks that `sql` is exactly one scalar SQL expression (no second statement, no clause),
 * returning a message when it is not. A parse error is reported in PostgreSQL's words.
 */
export function expressionProblem(sql: string): string | undefined {
  // Apps repeat the same few expressions (now(), gen_random_uuid()) in many tables.
  if (!checkedExpressions.has(sql)) checkedExpressions.set(sql, findExpressionProblem(sql));
  return checkedExpressions.get(sql);
}

const checkedExpressions = new Map<string, string | undefined>();

function findExpressionProblem(sql: string): string | undefined {
  requireParser();
  if (sql.trim() === '') return 'the expression is empty';
  // A comment could swallow the SQL that follows the expression where it is spliced in.
  const tokens = scanTokens(sql);
  if (!tokens) return DOES_NOT_SCAN;
  if (tokens.some(isCommentToken)) return 'remove the comment from the expression (put the explanation in a column or table comment)';
  const layout = lineBreakProblem(sql, tokens) ?? unopenedParenthesisProblem(sql, tokens);
  if (layout) return layout;
  let result: pgQuery.ParseResult;
  try {
    // The newline ends any trailing `--` comment, so it cannot swallow the closing paren.
    result = pgQuery.parseSync(`SELECT (${sql}\n)`);
  } catch (error) {
    return `it is not a valid SQL expression (${(error as Error).message})`;
  }
  const statements = result.stmts ?? [];
  const select = statements.length === 1 ? (statements[0].stmt as { SelectStmt?: Record<string, unknown> }).SelectStmt : undefined;
  const clauses = select ? Object.keys(select).filter((key) => key !== 'targetList' && key !== 'limitOption' && key !== 'op') : [];
  if (!select || clauses.length > 0 || (select.targetList as unknown[]).length !== 1) {
    return 'it must be a single SQL expression, not a statement or a list';
  }
  return undefined;
}

/**
 * A raw line break inside one token (a string constant, a quoted name, a bit string) would
 * put the token's later lines into the migration file as lines of their own: a line reading
 * `-- +down` inside a string would look like the marker to a reviewer (and the file parser
 * refuses it). Line breaks between tokens are layout, and stay allowed.
 */
function lineBreakProblem(sql: string, tokens: readonly pgQuery.ScanToken[]): string | undefined {
  const token = tokens.find((t) => /[\n\r]/.test(t.text));
  if (!token) return undefined;
  const at = `at character ${characterPosition(sql, token.start)}`;
  if (token.tokenName === 'SCONST' || /^u&'/i.test(token.text)) {
    return `the string constant ${at} holds a raw line break, which would split it over lines of the migration file: write the line break as \\n inside an E'' literal (E'a\\nb')`;
  }
  const kind = /^(u&)?"/i.test(token.text) ? 'quoted name' : 'bit string constant';
  return `the ${kind} ${at} holds a raw line break, which would split it over lines of the migration file: write it on one line`;
}

/**
 * The expression is spliced inside parentheses (`CHECK (<sql>)`, and `SELECT (<sql>)` to parse
 * it here), so `a <> '') OR (a IS NULL` would borrow the wrapper's parentheses: it would parse
 * here, then fail at generate or apply as a confusing error about the whole statement. So the
 * depth of its own parentheses and brackets may never go below 0. (That it ends at 0, and that
 * each ")" and "]" closes its own kind, the parse checks: one pair around it cannot make up for
 * a "(" left open.)
 */
function unopenedParenthesisProblem(sql: string, tokens: readonly pgQuery.ScanToken[]): string | undefined {
  let depth = 0;
  for (const token of tokens) {
    if (token.text === '(' || token.text === '[') depth += 1;
    if (token.text !== ')' && token.text !== ']') continue;
    if (depth === 0) {
      const opening = token.text === ')' ? '(' : '[';
      return `its parentheses do not balance: the "${token.text}" at character ${characterPosition(sql, token.start)} closes nothing the expression opened: remove it or add the matching "${opening}" before it`;
    }
    depth -= 1;
  }
  return undefined;
}

/** The 1-based character position of a token the scanner located by byte offset. */
function characterPosition(sql: string, byteOffset: number): number {
  return [...Buffer.from(sql, 'utf8').subarray(0, byteOffset).toString('utf8')].length + 1;
}

/** Memoizes a function of SQL text: apps repeat the same few expressions and types in many tables. */
export function cached<T>(compute: (sql: string) => T): (sql: string) => T {
  const results = new Map<string, T>();
  return (sql) => {
    if (!results.has(sql)) results.set(sql, compute(sql));
    return results.get(sql)!;
  };
}

/** A node of libpg-query's parse tree: `{ ColumnRef: { fields: [...] } }` is type ColumnRef. */
export type ParseNode = Record<string, unknown>;

// Both prefixes are the same length, so the two parses of one expression carry the same
// locations and their trees can be compared as JSON.
const DEFAULT_PREFIX = 'CREATE TABLE t (c int DEFAULT ';
const SELECT_PREFIX = 'SELECT ('.padStart(DEFAULT_PREFIX.length);

/**
 * The parse tree of an expression that `expressionProblem` accepted (raw, before name
 * resolution: column references are ColumnRef nodes, function calls FuncCall nodes).
 */
export const expressionTree = cached((sql: string): ParseNode => {
  requireParser();
  const select = pgQuery.parseSync(`${SELECT_PREFIX}${sql}\n)`).stmts![0].stmt as unknown as { SelectStmt: { targetList: { ResTarget: { val: ParseNode } }[] } };
  return select.SelectStmt.targetList[0].ResTarget.val;
});

/**
 * Calls `visit` for every node under `tree` (depth first). Node types start with a capital
 * letter in libpg-query's JSON (ColumnRef, FuncCall, SubLink); field names do not.
 */
export function forEachNode(tree: unknown, visit: (type: string, node: ParseNode) => void): void {
  if (Array.isArray(tree)) {
    for (const item of tree) forEachNode(item, visit);
    return;
  }
  if (tree === null || typeof tree !== 'object') return;
  for (const [key, value] of Object.entries(tree)) {
    if (/^[A-Z]/.test(key) && value !== null && typeof value === 'object' && !Array.isArray(value)) visit(key, value as ParseNode);
    forEachNode(value, visit);
  }
}

/**
 * True when `sql`, an expression `expressionProblem` accepted, reads the same after DEFAULT in
 * a column definition. DEFAULT takes a restricted expression (b_expr): `true AND false` does
 * not parse there, and `1 COLLATE "C"` would set the column's collation instead.
 */
export const readsSameAsDefault = cached((sql: string): boolean => {
  requireParser();
  let statements: pgQuery.ParseResult['stmts'];
  try {
    statements = pgQuery.parseSync(`${DEFAULT_PREFIX}${sql}\n)`).stmts ?? [];
  } catch {
    return false;
  }
  const column = onlyColumnDefinition(statements);
  const constraints = (column?.constraints ?? []) as { Constraint?: { contype?: string; raw_expr?: unknown } }[];
  const onlyDefault = column !== undefined && column.collClause === undefined && constraints.length === 1 && constraints[0].Constraint?.contype === 'CONSTR_DEFAULT';
  return onlyDefault && JSON.stringify(constraints[0].Constraint!.raw_expr) === JSON.stringify(expressionTree(sql));
});

/**
 * Reads `sql` as a column's data type: exactly one type name (as `integer` or
 * `"datahub"."side"[]`), with no constraint, collation, comment or second statement.
 * Returns the type's qualified name parts (e.g. ['pg_catalog', 'int4']) and its TypeName node,
 * or the problem.
 */
export const parseTypeName = cached((sql: string): { names: string[]; node: ParseNode } | { problem: string } => {
  requireParser();
  if (typeof sql !== 'string' || sql.trim() === '' || sql.includes('\u0000')) return { problem: 'the type is empty or not text' };
  const tokens = scanTokens(sql);
  if (!tokens) return { problem: DOES_NOT_SCAN };
  if (tokens.some(isCommentToken)) return { problem: 'the type contains a comment' };
  let statements: pgQuery.ParseResult['stmts'];
  try {
    statements = pgQuery.parseSync(`CREATE TABLE t (c ${sql}\n)`).stmts ?? [];
  } catch (error) {
    return { problem: `it is not a type name (${(error as Error).message})` };
  }
  const column = onlyColumnDefinition(statements);
  const extra = column ? Object.keys(column).filter((key) => !['colname', 'typeName', 'is_local', 'location'].includes(key)) : ['statement'];
  if (extra.length > 0) return { problem: 'it is not a single type name' };
  const node = column!.typeName as ParseNode;
  const names = (node.names as { String: { sval: string } }[]).map((n) => n.String.sval);
  return { names, node };
});

/** The column definition of `CREATE TABLE t (<one column>)`, or undefined for anything else. */
function onlyColumnDefinition(statements: pgQuery.ParseResult['stmts']): ParseNode | undefined {
  const list = statements ?? [];
  const create = list.length === 1 ? (list[0].stmt as unknown as { CreateStmt?: { tableElts?: { ColumnDef?: ParseNode }[] } }).CreateStmt : undefined;
  return create?.tableElts?.length === 1 ? create.tableElts[0].ColumnDef : undefined;
}

/**
 * Splits SQL text into its statements, using PostgreSQL's own grammar (so semicolons in
 * strings, comments and dollar quotes are handled). For migrations that must run outside a
 * transaction, one statement at a time.
 */
export function splitStatements(sql: string): string[] {
  return [...splitCached(sql)];
}

/**
 * PostgreSQL's parse of a whole script, once per text: synth splits each migration (for the
 * runner) and judges it (the statement rules) in every environment. Throws on a syntax error.
 */
export const parseScript = cached((sql: string): pgQuery.ParseResult => {
  requireParser();
  return pgQuery.parseSync(sql);
});

const splitCached = cached((sql: string): readonly string[] => {
  const statements = parseScript(sql).stmts ?? [];
  const bytes = Buffer.from(sql, 'utf8');
  return statements
    .map((s) => {
      const start = s.stmt_location ?? 0;
      const end = s.stmt_len ? start + s.stmt_len : bytes.length;
      return bytes.subarray(start, end).toString('utf8').trim();
    })
    .filter((s) => s !== '');
});

/**
 * PostgreSQL's tokens for `sql`, or undefined when it does not scan (an unterminated quote,
 * dollar quote or comment: libpg-query then throws a message that is not even JSON).
 */
export function scanTokens(sql: string): pgQuery.ScanToken[] | undefined {
  requireParser();
  try {
    return pgQuery.scanSync(sql).tokens;
  } catch {
    return undefined;
  }
}

const DOES_NOT_SCAN = 'it does not scan as SQL: a quoted string, dollar quote or comment is not closed';

/** A line comment (--) or a block comment. */
export function isCommentToken(token: { readonly tokenName: string }): boolean {
  return token.tokenName === 'SQL_COMMENT' || token.tokenName === 'C_COMMENT';
}

/**
 * The column names an expression `expressionProblem` accepted refers to (the last part of each
 * column reference), so the differ knows which checks and predicates a column change touches.
 */
export const referencedColumns = cached((sql: string): ReadonlySet<string> => {
  const names = new Set<string>();
  forEachNode(expressionTree(sql), (type, node) => {
    if (type !== 'ColumnRef') return;
    const fields = node.fields as { String?: { sval: string } }[];
    const last = fields[fields.length - 1]?.String?.sval;
    if (last !== undefined) names.add(last);
  });
  return names;
});
