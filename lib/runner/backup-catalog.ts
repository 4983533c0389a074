// What backups need to know of a table from the catalog: its columns (their types, which are
// generated, which draw from a sequence) and its primary key, read by name, so a hostile name is
// only ever a query parameter.
import { ClientBase } from 'pg';
import { qualifiedName } from '../sql/identifier';

export interface TableColumn {
  readonly name: string;
  /** The type as PostgreSQL prints it (format_type), e.g. `numeric(20,8)`, `datahub.side[]`. */
  readonly type: string;
  /**
   * The type is PostgreSQL's own (schema pg_catalog): a copy keeps it. Any other (an enum, a
   * domain, a composite, an extension's type, arrays of them) is copied as text: a copy holding
   * the type itself would depend on it, and the migration that rebuilds an enum (rename, create,
   * retype, DROP TYPE of the old one) or drops the type would then fail on the copy.
   */
  readonly builtin: boolean;
  /** The type to cast such a text copy back to, quoted: `"datahub"."side"`, `"datahub"."side"[]` (a typmod is applied on assignment). */
  readonly castTo: string;
  /** GENERATED ALWAYS AS (...) STORED: computed, never inserted. */
  readonly generated: boolean;
  /** The sequence an identity or serial column draws from, as pg_get_serial_sequence names it. */
  readonly sequence: string | null;
}

export interface TableShape {
  /** In the table's column order. */
  readonly columns: readonly TableColumn[];
  /** The primary key's columns in key order; empty when the table has none. */
  readonly key: readonly string[];
}

interface ColumnRow {
  readonly name: string;
  readonly type: string;
  readonly type_schema: string;
  readonly type_name: string;
  readonly array: boolean;
  readonly generated: boolean;
  readonly sequence: string | null;
}

/** The table `schema`.`table` (a plain or partitioned table); undefined when there is none. */
export async function tableShape(client: ClientBase, schema: string, table: string): Promise<TableShape | undefined> {
  const { rows } = await client.query<{ columns: ColumnRow[]; key: string[] }>(
    `SELECT COALESCE((SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
                        'name', a.attname, 'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
                        'type_schema', tn.nspname, 'type_name', COALESCE(e.typname, t.typname), 'array', e.oid IS NOT NULL,
                        'generated', a.attgenerated <> '',
                        'sequence', pg_catalog.pg_get_serial_sequence(pg_catalog.format('%I.%I', n.nspname, c.relname), a.attname)) ORDER BY a.attnum)
                       FROM pg_catalog.pg_attribute a
                       JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
                       LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
                       JOIN pg_catalog.pg_namespace tn ON tn.oid = COALESCE(e.typnamespace, t.typnamespace)
                      WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '[]'::pg_catalog.json) AS columns,
            ARRAY(SELECT a.attname::text FROM pg_catalog.pg_index i
                    CROSS JOIN LATERAL pg_catalog.unnest(i.indkey::pg_catalog.int2[]) WITH ORDINALITY k(attnum, position)
                    JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                   WHERE i.indrelid = c.oid AND i.indisprimary ORDER BY k.position) AS key
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
    [schema, table],
  );
  if (!rows[0]) return undefined;
  const columns = rows[0].columns.map((c) => ({
    name: c.name,
    type: c.type,
    builtin: c.type_schema === 'pg_catalog',
    castTo: `${qualifiedName(c.type_schema, c.type_name)}${c.array ? '[]' : ''}`,
    generated: c.generated,
    sequence: c.sequence,
  }));
  return { columns, key: rows[0].key };
}

/** The names of a shape's columns. */
export function columnNames(shape: TableShape): string[] {
  return shape.columns.map((c) => c.name);
}

/** A shape's column by name (undefined when it has none of that name). */
export function columnOf(shape: TableShape, name: string): TableColumn | undefined {
  return shape.columns.find((c) => c.name === name);
}
