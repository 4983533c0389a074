// PostgreSQL prints an expression from its parse tree, and reading that text back does not
// always give the same tree: SQLAlchemy's `side IN ('buy', 'sell')` on a varchar column prints
// as `(side)::text = ANY ((ARRAY['buy'::character varying, ...])::text[])`, and creating a check
// from that text prints `ARRAY[('buy'::character varying)::text, ...]`. The two checks accept
// the same rows. So where a check, a default or a partial index's predicate differs as text,
// both texts are put through PostgreSQL once more (on a temporary copy of the table, in a
// savepoint that is always rolled back) until they print alike: equal trees after a round trip
// through the same parser are the same expression. Nothing else is relaxed.
import { ClientBase } from 'pg';
import { scratchCheck, scratchCopy, scratchDefault, scratchPartialIndex } from '../sql/adoption-statements';
import { LiveSchema } from './live-schema';
import { LiveTable } from './read-schema';

type Kind = 'check' | 'default' | 'where';

/** The real table whose columns (and their types) the expressions are read against, with the session's search path. */
export interface ExpressionContext {
  readonly schema: string;
  readonly table: string;
}

const SCRATCH = 'bedrock_expression_round_trip';

/** The text PostgreSQL prints after reading `sql` as a check, default or predicate of a copy of the table. */
async function printed(client: ClientBase, context: ExpressionContext, kind: Kind, sql: string, column: string): Promise<string | undefined> {
  const text = sql;
  await client.query(`SAVEPOINT ${SCRATCH}`);
  try {
    await client.query(scratchCopy(SCRATCH, context.schema, context.table));
    let result;
    if (kind === 'check') {
      await client.query(scratchCheck(SCRATCH, text));
      result = await client.query<{ sql: string }>(`SELECT pg_catalog.pg_get_constraintdef(oid) AS sql FROM pg_catalog.pg_constraint WHERE conrelid = 'pg_temp.${SCRATCH}'::regclass AND conname = '${SCRATCH}'`);
      return result.rows[0]?.sql.replace(/^CHECK \((.*)\)$/s, '$1');
    }
    if (kind === 'default') {
      await client.query(scratchDefault(SCRATCH, column, text));
      result = await client.query<{ sql: string }>(`SELECT pg_catalog.pg_get_expr(adbin, adrelid) AS sql FROM pg_catalog.pg_attrdef WHERE adrelid = 'pg_temp.${SCRATCH}'::regclass`);
      return result.rows[0]?.sql;
    }
    await client.query(scratchPartialIndex(SCRATCH, column, text));
    result = await client.query<{ sql: string }>(`SELECT pg_catalog.pg_get_expr(indpred, indrelid) AS sql FROM pg_catalog.pg_index WHERE indexrelid = 'pg_temp.${SCRATCH}'::regclass`);
    return result.rows[0]?.sql;
  } catch {
    return undefined; // not an expression of this table: the texts stay different
  } finally {
    await client.query(`ROLLBACK TO SAVEPOINT ${SCRATCH}`);
    await client.query(`RELEASE SAVEPOINT ${SCRATCH}`);
  }
}

/** Whether two texts are the same expression: printed alike after at most three round trips each. */
async function sameExpression(client: ClientBase, context: ExpressionContext, kind: Kind, a: string, b: string, column: string): Promise<boolean> {
  let left: string | undefined = a;
  let right: string | undefined = b;
  for (let round = 0; round < 3; round++) {
    left = left === undefined ? undefined : await printed(client, context, kind, left, column);
    right = right === undefined ? undefined : await printed(client, context, kind, right, column);
    if (left === undefined || right === undefined) return false;
    if (left === right) return true;
  }
  return false;
}

/**
 * `actual` with each check, default and index predicate that is the same expression as
 * `expected`'s under another spelling given `expected`'s text, so a comparison reports only real
 * differences. Must run inside a transaction (it uses savepoints). `contextOf` says which real
 * table the expressions of a table are read against.
 */
export async function withEquivalentExpressions(client: ClientBase, expected: LiveSchema, actual: LiveSchema, contextOf: (table: string) => ExpressionContext): Promise<LiveSchema> {
  const tables: LiveTable[] = [];
  for (const table of actual.tables) {
    const model = expected.tables.find((t) => t.name === table.name);
    if (!model) {
      tables.push(table);
      continue;
    }
    const context = contextOf(table.name);
    const first = table.columns[0]?.name ?? '';
    const columns = [];
    for (const column of table.columns) {
      const wanted = model.columns.find((c) => c.name === column.name)?.default;
      const same = wanted !== undefined && column.default !== undefined && wanted !== column.default && (await sameExpression(client, context, 'default', wanted, column.default, column.name));
      columns.push(same ? { ...column, default: wanted } : column);
    }
    const checks = [];
    for (const check of table.checks) {
      const wanted = model.checks.find((c) => c.name === check.name)?.expression;
      const same = wanted !== undefined && wanted !== check.expression && (await sameExpression(client, context, 'check', wanted, check.expression, first));
      checks.push(same ? { ...check, expression: wanted } : check);
    }
    const indexes = [];
    for (const index of table.indexes) {
      const wanted = model.indexes.find((i) => i.name === index.name)?.where;
      const same = wanted !== undefined && index.where !== undefined && wanted !== index.where && (await sameExpression(client, context, 'where', wanted, index.where, index.columns[0]?.column ?? first));
      indexes.push(same ? { ...index, where: wanted } : index);
    }
    tables.push({ ...table, columns, checks, indexes });
  }
  return { ...actual, tables };
}
