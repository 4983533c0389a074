// The database side of the differ's property test: running a migration's statements the way
// the runner does (one transaction), clearing rows that cannot fit a new constraint or type,
// creating a model from nothing for comparison, and fingerprinting rows to prove none are lost.
import { ClientBase } from 'pg';
import { qualifiedName, quoteIdentifier } from '../../lib';
import { ServiceSchema } from '../../lib/migrations/service-schema';
import { createSql } from './migration-sql';
import { Lineage } from './edit-data-loss';
import { catalogOf } from './schema-state';
import { applyStep, StatementError, SqlStep } from './apply-steps';

export type { StatementError };

export const firstLine = (text: string): string => text.split('\n').slice(0, 2).join(' ').slice(0, 300);

export async function resetSchema(client: ClientBase, schema: string): Promise<void> {
  await client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
  await client.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
}


/** Data exceptions (22) and constraint violations (23): the rows do not fit, the SQL is fine. */
const isDataConflict = (code: string): boolean => code.startsWith('22') || code.startsWith('23');

/**
 * Applies the steps; when one fails only because rows do not fit (as with --accept-data-loss
 * on a table holding such rows, or a down re-adding a NOT NULL column), deletes the rows of the
 * table the error names, then of every table, and tries that step again (the steps before it
 * committed: a deploy resumes the same way). Other failures are returned; each retry is noted
 * in `conflicts`.
 */
export async function applyKeepingWhatFits(client: ClientBase, schema: string, steps: readonly SqlStep[], label: string, conflicts: string[]): Promise<{ rowsDeleted: boolean } | { error: StatementError }> {
  let rowsDeleted = false;
  for (const step of steps) {
    for (let attempt = 0; ; attempt++) {
      const error = await applyStep(client, step);
      if (!error) break;
      if (!isDataConflict(error.code) || attempt === 2) return { error };
      const cleared = await deleteRows(client, schema, attempt === 0 ? error.table : undefined);
      conflicts.push(`${label}: ${error.code} ${firstLine(error.message)}; deleted the rows of ${cleared}`);
      rowsDeleted = true;
    }
  }
  return { rowsDeleted };
}

async function deleteRows(client: ClientBase, schema: string, table: string | undefined): Promise<string> {
  const { rows } = await client.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 ORDER BY 1`, [schema]);
  const chosen = table !== undefined && rows.some((r) => r.name === table) ? [table] : rows.map((r) => r.name);
  if (chosen.length > 0) await client.query(`TRUNCATE ${chosen.map((name) => qualifiedName(schema, name)).join(', ')} CASCADE`);
  return chosen.length === 1 ? chosen[0] : 'every table';
}

/** The catalog of `model` created from nothing (in its own, emptied schema). */
export async function freshCatalog(client: ClientBase, model: ServiceSchema): Promise<{ catalog: unknown } | { error: StatementError }> {
  await resetSchema(client, model.schema);
  const error = await applyStep(client, { mode: 'transaction', statements: createSql(model) });
  return error ? { error } : { catalog: await catalogOf(client, model.schema) };
}

/** Per surviving table: its row count and a hash of the values of the columns kept with their type. */
export async function fingerprints(client: ClientBase, schema: string, lines: readonly Lineage[], side: 'from' | 'to'): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const line of lines) {
    const columns = line.columns.filter((c) => c.sameType).map((c) => `${quoteIdentifier(c[side])}::text`);
    const { rows } = await client.query<{ n: number; h: string }>(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) AS h FROM (SELECT ROW(${columns.join(', ')})::text AS r FROM ${qualifiedName(schema, line[side])}) s`,
    );
    found.set(line.from, `${rows[0].n} rows, values ${rows[0].h}`);
  }
  return found;
}

export function lostRows(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  return [...before].filter(([table, print]) => after.get(table) !== print).map(([table, print]) => `${table}: before ${print}, after ${after.get(table)}`);
}
