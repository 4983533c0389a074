// Runs a migration's steps the way the runner does, for tests that apply generated SQL directly:
// each transactional step in a transaction of its own, each step outside a transaction alone.
// A concurrent index build that fails leaves an INVALID index: dropped before the step is tried
// again, as the runner does on resuming.
import type { RenderedStep, StepText } from '../../lib';

/** What the steps run on: a pg client, or a test database that forwards to one. */
export interface Queryable {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query(sql: string): Promise<{ rows: any[] }>;
}

/** A step's mode and statements, as the renderer writes them. */
export type SqlStep = RenderedStep;

/** A statement PostgreSQL refused, with its SQLSTATE and (for constraint errors) its table. */
export interface StatementError {
  readonly statement: string;
  readonly code: string;
  readonly message: string;
  readonly table?: string;
}

/** Runs one step; its first refused statement is returned (a transactional step then rolled back). */
export async function applyStep(client: Queryable, step: SqlStep): Promise<StatementError | undefined> {
  const inTransaction = step.mode !== 'outside transaction';
  if (inTransaction) await client.query('BEGIN');
  for (const statement of [...step.statements, ...(inTransaction ? ['COMMIT'] : [])]) {
    try {
      await client.query(statement);
    } catch (error) {
      if (inTransaction) await client.query('ROLLBACK');
      else await dropInvalidIndexes(client);
      const e = error as { code?: string; message: string; table?: string };
      return { statement, code: e.code ?? '(none)', message: e.message, ...(e.table ? { table: e.table } : {}) };
    }
  }
  return undefined;
}

/** Runs the steps in order, stopping at the first failure: `done` steps committed before it. */
export async function applySteps(client: Queryable, steps: readonly SqlStep[]): Promise<{ done: number; error?: StatementError }> {
  for (let done = 0; done < steps.length; done++) {
    const error = await applyStep(client, steps[done]);
    if (error) return { done, error };
  }
  return { done: steps.length };
}

/** Throws the first failure, naming its statement. */
export async function applyStepsOrThrow(client: Queryable, steps: readonly SqlStep[]): Promise<void> {
  const { error } = await applySteps(client, steps);
  if (error) throw Object.assign(new Error(`${error.message}\n  in: ${error.statement}`), { code: error.code });
}

/** Steps from what tests hold: statements (one transaction), a written file's steps, or rendered steps. */
export function asSteps(what: string | readonly string[] | readonly (StepText | SqlStep)[]): SqlStep[] {
  if (typeof what === 'string') return [{ mode: 'transaction', statements: [what] }];
  if (what.length === 0) return [];
  if (typeof what[0] === 'string') return [{ mode: 'transaction', statements: what as readonly string[] }];
  return (what as readonly (StepText | SqlStep)[]).map((s) => ('sql' in s ? { mode: s.mode, statements: [s.sql] } : s));
}

async function dropInvalidIndexes(client: Queryable): Promise<void> {
  const { rows }: { rows: { name: string }[] } = await client.query(`SELECT i.indexrelid::regclass::text AS name FROM pg_index i WHERE NOT i.indisvalid`);
  for (const { name } of rows) await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
}
