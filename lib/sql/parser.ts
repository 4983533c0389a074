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
  const comments = pgQuery.scanSync(sql).tokens.some((t) => t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT');
  if (comments) return 'remove the comment from the expression (put the explanation in a column or table comment)';
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
 * Splits SQL text into its statements, using PostgreSQL's own grammar (so semicolons in
 * strings, comments and dollar quotes are handled). For migrations that must run outside a
 * transaction, one statement at a time.
 */
export function splitStatements(sql: string): string[] {
  requireParser();
  const statements = pgQuery.parseSync(sql).stmts ?? [];
  const bytes = Buffer.from(sql, 'utf8');
  return statements
    .map((s) => {
      const start = s.stmt_location ?? 0;
      const end = s.stmt_len ? start + s.stmt_len : bytes.length;
      return bytes.subarray(start, end).toString('utf8').trim();
    })
    .filter((s) => s !== '');
}
