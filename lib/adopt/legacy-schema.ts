// The legacy tables of one service as they would look in the service's schema: what adopt
// compares with a fresh create of the model before it moves anything. Only the service's
// tables, the enum types named in its model and the sequences its tables own are kept (the
// legacy schema holds every service's), and a foreign key into another service's table is
// set apart: the model has it as an application-level reference, and adopt drops it.
import { ClientBase } from 'pg';
import { LiveSchema, readLiveSchema, requalify } from '../catalog/live-schema';
import { LiveTable } from '../catalog/read-schema';
import { ServiceSchema } from '../schema/schema-model';

export interface LegacyService {
  /** The service's legacy tables, enums and sequences, named as if they were in the service's schema. */
  readonly live: LiveSchema;
  /** Foreign keys from the service's tables into tables that are not the service's: dropped by adopt. */
  readonly crossServiceForeignKeys: readonly { readonly table: string; readonly name: string; readonly target: string }[];
}

/** The sequences in `schema` owned by a column of one of `tables` (serial and identity). */
export async function ownedSequences(client: ClientBase, schema: string, tables: readonly string[]): Promise<{ sequence: string; table: string }[]> {
  const { rows } = await client.query<{ sequence: string; table: string }>(
    `SELECT s.relname AS sequence, t.relname AS table
       FROM pg_class s
       JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
       JOIN pg_class t ON t.oid = d.refobjid
      WHERE s.relkind = 'S' AND s.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND t.relname = ANY($2)
      ORDER BY 1`,
    [schema, tables],
  );
  return rows;
}

function moveTable(table: LiveTable, from: string, to: string, own: ReadonlySet<string>): LiveTable {
  const sql = (text: string): string => requalify(text, from, to);
  return {
    ...table,
    schema: to,
    columns: table.columns.map((c) => ({ ...c, type: sql(c.type), ...(c.default !== undefined ? { default: sql(c.default) } : {}) })),
    checks: table.checks.map((c) => ({ ...c, expression: sql(c.expression) })),
    indexes: table.indexes.map((i) => ({ ...i, ...(i.where !== undefined ? { where: sql(i.where) } : {}) })),
    foreignKeys: table.foreignKeys
      .filter((fk) => fk.references.schema === from && own.has(fk.references.table))
      .map((fk) => ({ ...fk, references: { ...fk.references, schema: to } })),
  };
}

/** Reads the legacy schema and keeps what belongs to `model`'s service (compare it with modelAsLive). */
export async function readLegacyService(client: ClientBase, legacySchema: string, model: ServiceSchema): Promise<LegacyService> {
  const names = new Set(model.tables.map((t) => t.name));
  const [live, sequences] = await Promise.all([readLiveSchema(client, legacySchema), ownedSequences(client, legacySchema, [...names])]);
  const tables = live.tables.filter((t) => names.has(t.name));
  const crossServiceForeignKeys = tables.flatMap((t) =>
    t.foreignKeys.filter((fk) => !(fk.references.schema === legacySchema && names.has(fk.references.table))).map((fk) => ({ table: t.name, name: fk.name, target: `${fk.references.schema}.${fk.references.table}` })),
  );
  return {
    live: {
      tables: tables.map((t) => moveTable(t, legacySchema, model.schema, names)),
      enums: live.enums.filter((e) => model.enums.some((m) => m.name === e.name)).map((e) => ({ ...e, schema: model.schema })),
      sequences: sequences.map((s) => s.sequence),
    },
    crossServiceForeignKeys,
  };
}
