// The revision(s) the legacy schema's alembic_version holds: where an adopted database came from.
import { ClientBase } from 'pg';
import { quoteIdentifier } from '../sql/identifier';

/**
 * The revisions, sorted (several: Alembic's multiple heads); undefined when there is no such
 * table; `(not readable by <role>)` when the connecting role may not read it.
 */
export async function alembicRevisions(client: ClientBase, schema: string): Promise<string[] | undefined> {
  const { rows } = await client.query<{ exists: boolean; readable: boolean; role: string }>(
    `SELECT r IS NOT NULL AS exists, r IS NOT NULL AND pg_catalog.has_table_privilege(r, 'SELECT') AS readable, current_user AS role
       FROM pg_catalog.to_regclass(pg_catalog.format('%I.alembic_version', $1::text)) r`,
    [schema],
  );
  if (!rows[0].exists) return undefined;
  if (!rows[0].readable) return [`(not readable by ${rows[0].role})`];
  const versions = await client.query<{ v: string }>(`SELECT version_num::text AS v FROM ${quoteIdentifier(schema)}.alembic_version ORDER BY 1`);
  return versions.rows.map((r) => r.v);
}
