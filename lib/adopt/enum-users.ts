// The columns outside a service's tables whose type is one of its legacy enums (or an array of
// one): such an enum cannot move with the service, since it belongs to one service only.
import { ClientBase } from 'pg';

export interface EnumUser {
  readonly enumName: string;
  /** `schema.table.column`, as the catalog names it. */
  readonly usedBy: string;
}

export async function enumUsers(client: ClientBase, schema: string, enums: readonly string[], tables: readonly string[]): Promise<EnumUser[]> {
  if (enums.length === 0) return [];
  const { rows } = await client.query<{ enum_name: string; used_by: string }>(
    `SELECT t.typname AS enum_name, pg_catalog.format('%I.%I.%I', cn.nspname, c.relname, a.attname) AS used_by
       FROM pg_catalog.pg_type t JOIN pg_catalog.pg_attribute a ON a.atttypid IN (t.oid, t.typarray) AND a.attnum > 0 AND NOT a.attisdropped
       JOIN pg_catalog.pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c') JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace
      WHERE t.typnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1) AND t.typname = ANY($2) AND t.typtype = 'e'
        AND NOT (cn.nspname = $1 AND c.relname = ANY($3))
      ORDER BY 1, 2`,
    [schema, enums, tables],
  );
  return rows.map((r) => ({ enumName: r.enum_name, usedBy: r.used_by }));
}
