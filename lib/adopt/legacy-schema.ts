// The legacy tables of one service as they would look in the service's schema: what adopt
// compares with a fresh create of the model before it moves anything. Only the service's
// tables, the enum types named in its model and the sequences its tables own are read (never
// another service's: reading a table takes no lock here, but nothing else is needed). A foreign
// key into a table that is not the service's is set apart: adopt drops it when the model holds
// it as an application-level reference, and refuses otherwise.
//
// Names are compared unqualified: the caller reads with the legacy schema (then public) on the
// search path, as modelAsLive(..., { unqualified: true }) reads the model's scratch copy, so the
// catalog prints each side's own objects without their schema and no SQL text is rewritten.
import { ClientBase } from 'pg';
import { LiveSchema, readLiveSchema } from '../catalog/live-schema';
import { LiveTable } from '../catalog/read-schema';
import { ServiceSchema } from '../schema/schema-model';

/** A foreign key from one of the service's tables into a table that is not the service's. */
export interface OutwardForeignKey {
  readonly table: string;
  readonly name: string;
  readonly columns: readonly string[];
  /** `schema.table` as the catalog names it. */
  readonly target: string;
  readonly targetTable: string;
}

export interface LegacyService {
  /** The service's legacy tables, enums and sequences, as if they were in the service's schema. */
  readonly live: LiveSchema;
  readonly outwardForeignKeys: readonly OutwardForeignKey[];
}

function moveTable(table: LiveTable, from: string, to: string, own: ReadonlySet<string>): LiveTable {
  return {
    ...table,
    schema: to,
    foreignKeys: table.foreignKeys.filter((fk) => fk.references.schema === from && own.has(fk.references.table)).map((fk) => ({ ...fk, references: { ...fk.references, schema: to } })),
  };
}

/** Reads the service's legacy objects (call with the legacy schema on the search path; see above). */
export async function readLegacyService(client: ClientBase, legacySchema: string, model: ServiceSchema): Promise<LegacyService> {
  const names = new Set(model.tables.map((t) => t.name));
  const live = await readLiveSchema(client, legacySchema, { tables: [...names], enums: model.enums.map((e) => e.name) });
  const outwardForeignKeys = live.tables.flatMap((t) =>
    t.foreignKeys
      .filter((fk) => !(fk.references.schema === legacySchema && names.has(fk.references.table)))
      .map((fk) => ({ table: t.name, name: fk.name, columns: fk.columns, target: `${fk.references.schema}.${fk.references.table}`, targetTable: fk.references.table })),
  );
  return {
    live: { ...live, tables: live.tables.map((t) => moveTable(t, legacySchema, model.schema, names)), enums: live.enums.map((e) => ({ ...e, schema: model.schema })) },
    outwardForeignKeys,
  };
}
