// Reads what PostgreSQL holds for one schema back into the model's shape, so the live
// database can be compared with the model (round-trip tests now; drift and baseline later).
// Types come back as format_type() spells them and defaults as pg_get_expr() does.
import { ClientBase } from 'pg';
import { ColumnModel, EnumModel, ForeignKeyModel, IndexModel, KeyModel, CheckModel, ReferentialAction, TableModel, IndexMethod } from '../schema/schema-model';

/** A column as the catalog prints it: type (format_type) and default (pg_get_expr) as text. */
export interface LiveColumn extends Omit<ColumnModel, 'type' | 'default' | 'renamedFrom'> {
  readonly type: string;
  readonly default?: string;
}

/** A table as the catalog holds it. */
export interface LiveTable extends Omit<TableModel, 'columns' | 'renamedFrom'> {
  readonly columns: readonly LiveColumn[];
}

const ACTIONS: Record<string, ReferentialAction> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };

interface ColumnRow {
  table_name: string;
  name: string;
  type: string;
  not_null: boolean;
  default_sql: string | null;
  identity: string;
  comment: string | null;
  serial: boolean;
}

/** `AND <relation> = ANY($2)` when only some tables are read (`$2` NULL reads them all). */
const ONLY = (relation: string): string => `AND ($2::text[] IS NULL OR ${relation} = ANY($2::text[]))`;

async function readColumns(client: ClientBase, schema: string, only: readonly string[] | null): Promise<ColumnRow[]> {
  const { rows } = await client.query<ColumnRow>(
    `SELECT c.relname AS table_name, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default_sql, a.attidentity AS identity,
            col_description(c.oid, a.attnum) AS comment,
            -- serial: the default is nextval() of a sequence the column owns (OWNED BY). Read from
            -- pg_depend, not pg_get_serial_sequence(), which locks every table it looks at.
            a.attidentity = '' AND EXISTS (
              SELECT 1 FROM pg_depend owned
               WHERE owned.classid = 'pg_class'::regclass AND owned.refclassid = 'pg_class'::regclass AND owned.refobjid = c.oid
                 AND owned.refobjsubid = a.attnum AND owned.deptype = 'a'
                 AND EXISTS (SELECT 1 FROM pg_depend used WHERE used.classid = 'pg_attrdef'::regclass AND used.objid = d.oid
                               AND used.refclassid = 'pg_class'::regclass AND used.refobjid = owned.objid)) AS serial
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ${ONLY('c.relname')}
      ORDER BY c.relname, a.attnum`,
    [schema, only],
  );
  return rows;
}

interface ConstraintRow {
  table_name: string;
  name: string;
  type: 'p' | 'u' | 'c' | 'f';
  columns: string[];
  definition: string;
  nulls_not_distinct: boolean;
  target_schema: string | null;
  target_table: string | null;
  target_columns: string[] | null;
  on_delete: string;
  on_update: string;
}

async function readConstraints(client: ClientBase, schema: string, only: readonly string[] | null): Promise<ConstraintRow[]> {
  const version = (await client.query<{ v: number }>("SELECT current_setting('server_version_num')::int AS v")).rows[0].v;
  // indnullsnotdistinct exists from PostgreSQL 15 on.
  const nullsNotDistinct = version >= 150000 ? 'coalesce(i.indnullsnotdistinct, false)' : 'false';
  const { rows } = await client.query<ConstraintRow>(
    `SELECT c.relname AS table_name, k.conname AS name, k.contype AS type,
            ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, i) JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.i)::text[] AS columns,
            pg_get_constraintdef(k.oid) AS definition, ${nullsNotDistinct} AS nulls_not_distinct,
            tn.nspname AS target_schema, t.relname AS target_table,
            ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, i) JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.i)::text[] AS target_columns,
            k.confdeltype AS on_delete, k.confupdtype AS on_update
       FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_index i ON i.indexrelid = k.conindid AND k.contype IN ('p', 'u')
       LEFT JOIN pg_class t ON t.oid = k.confrelid
       LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
      WHERE n.nspname = $1 AND k.contype IN ('p', 'u', 'c', 'f') ${ONLY('c.relname')}
      ORDER BY c.relname, k.conname`,
    [schema, only],
  );
  return rows;
}

interface IndexRow {
  table_name: string;
  name: string;
  unique: boolean;
  method: string;
  key_columns: string[];
  include_columns: string[];
  options: number[];
  opclasses: string[];
  default_opclasses: boolean[];
  predicate: string | null;
}

async function readIndexes(client: ClientBase, schema: string, only: readonly string[] | null): Promise<IndexRow[]> {
  // Indexes that back a constraint are reported with the constraint, not here.
  const { rows } = await client.query<IndexRow>(
    `SELECT t.relname AS table_name, ic.relname AS name, i.indisunique AS unique, am.amname AS method,
            ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY u(n, p) JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = u.n WHERE u.p <= i.indnkeyatts ORDER BY u.p)::text[] AS key_columns,
            ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY u(n, p) JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = u.n WHERE u.p > i.indnkeyatts ORDER BY u.p)::text[] AS include_columns,
            i.indoption::int2[]::int[] AS options,
            ARRAY(SELECT oc.opcname FROM unnest(i.indclass) WITH ORDINALITY u(o, p) JOIN pg_opclass oc ON oc.oid = u.o ORDER BY u.p)::text[] AS opclasses,
            ARRAY(SELECT oc.opcdefault FROM unnest(i.indclass) WITH ORDINALITY u(o, p) JOIN pg_opclass oc ON oc.oid = u.o ORDER BY u.p) AS default_opclasses,
            pg_get_expr(i.indpred, i.indrelid) AS predicate
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_class t ON t.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_am am ON am.oid = ic.relam
      WHERE n.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x')) ${ONLY('t.relname')}
      ORDER BY t.relname, ic.relname`,
    [schema, only],
  );
  return rows;
}

function toIndex(row: IndexRow): IndexModel {
  return {
    name: row.name,
    unique: row.unique,
    method: row.method as IndexMethod,
    columns: row.key_columns.map((column, i) => {
      const descending = (row.options[i] & 1) === 1;
      const nullsFirst = (row.options[i] & 2) === 2;
      return {
        column,
        ...(descending ? { order: 'desc' as const } : {}),
        // Only spelled out where it differs from the default for the direction.
        ...(nullsFirst !== descending ? { nulls: nullsFirst ? ('first' as const) : ('last' as const) } : {}),
        ...(row.default_opclasses[i] ? {} : { opclass: row.opclasses[i] }),
      };
    }),
    ...(row.predicate !== null ? { where: row.predicate } : {}),
    ...(row.include_columns.length > 0 ? { include: row.include_columns } : {}),
  };
}

/** The tables of `schema` (or only those named) as PostgreSQL holds them, sorted by name. */
export async function readTables(client: ClientBase, schema: string, only?: readonly string[]): Promise<LiveTable[]> {
  const names = only === undefined ? null : [...only];
  const [columns, constraints, indexes, comments] = await Promise.all([
    readColumns(client, schema, names),
    readConstraints(client, schema, names),
    readIndexes(client, schema, names),
    client.query<{ name: string; comment: string | null }>(
      `SELECT c.relname AS name, obj_description(c.oid, 'pg_class') AS comment FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ${ONLY('c.relname')} ORDER BY c.relname`,
      [schema, names],
    ),
  ]);
  // Rows grouped by table once: filtering every row per table is quadratic (12,000 columns of 1,000 tables).
  const byTable = <T extends { table_name: string }>(rows: T[]): Map<string, T[]> => {
    const map = new Map<string, T[]>();
    for (const row of rows) {
      const list = map.get(row.table_name);
      if (list) list.push(row);
      else map.set(row.table_name, [row]);
    }
    return map;
  };
  const columnsOf = byTable(columns);
  const constraintsOf = byTable(constraints);
  const indexesOf = byTable(indexes);
  return comments.rows.map(({ name, comment }) => {
    const keys = constraintsOf.get(name) ?? [];
    const key = (row: ConstraintRow): KeyModel => ({ name: row.name, columns: row.columns, ...(row.nulls_not_distinct ? { nullsNotDistinct: true } : {}) });
    const primary = keys.find((k) => k.type === 'p');
    return {
      schema,
      name,
      ...(comment !== null ? { comment } : {}),
      columns: (columnsOf.get(name) ?? []).map(
        (c): LiveColumn => ({
          name: c.name,
          type: c.type,
          notNull: c.not_null,
          ...(c.default_sql !== null && !c.serial ? { default: c.default_sql } : {}),
          ...(c.identity === 'a' ? { identity: 'always' as const } : c.identity === 'd' ? { identity: 'by default' as const } : {}),
          ...(c.comment !== null ? { comment: c.comment } : {}),
          ...(c.serial ? { serial: true } : {}),
        }),
      ),
      ...(primary ? { primaryKey: key(primary) } : {}),
      uniques: keys.filter((k) => k.type === 'u').map(key),
      checks: keys.filter((k) => k.type === 'c').map((k): CheckModel => ({ name: k.name, expression: k.definition.replace(/^CHECK \((.*)\)$/s, '$1') })),
      indexes: (indexesOf.get(name) ?? []).map(toIndex),
      foreignKeys: keys
        .filter((k) => k.type === 'f')
        .map(
          (k): ForeignKeyModel => ({
            name: k.name,
            columns: k.columns,
            references: { schema: k.target_schema ?? '', table: k.target_table ?? '', columns: k.target_columns ?? [] },
            onDelete: ACTIONS[k.on_delete],
            onUpdate: ACTIONS[k.on_update],
          }),
        ),
    };
  });
}

/** The enum types of `schema` (or only those named), with their labels in sort order. */
export async function readEnums(client: ClientBase, schema: string, only?: readonly string[]): Promise<EnumModel[]> {
  const { rows } = await client.query<{ name: string; values: string[]; comment: string | null }>(
    `SELECT t.typname AS name, ARRAY(SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)::text[] AS values,
            obj_description(t.oid, 'pg_type') AS comment
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = $1 AND t.typtype = 'e' AND ($2::text[] IS NULL OR t.typname = ANY($2::text[])) ORDER BY t.typname`,
    [schema, only === undefined ? null : [...only]],
  );
  return rows.map((r) => ({ schema, name: r.name, values: r.values, ...(r.comment !== null ? { comment: r.comment } : {}) }));
}
