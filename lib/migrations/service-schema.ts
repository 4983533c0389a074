// A service's whole schema as plain data: what snapshots store and the differ compares.
import { ColumnModel, ServiceSchema } from '../schema/schema-model';

export type { ServiceSchema } from '../schema/schema-model';

const byName = <T extends { name: string }>(list: readonly T[]): T[] => [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

function withoutRename<T extends { renamedFrom?: string }>(item: T): T {
  const { renamedFrom: _renamed, ...rest } = item;
  return rest as T;
}

/**
 * The canonical form that snapshots store: sorted by name, rename hints dropped (a snapshot
 * says what is, not how it came to be). Columns keep their declared order.
 */
export function canonicalSchema(schema: ServiceSchema): ServiceSchema {
  return {
    service: schema.service,
    schema: schema.schema,
    enums: byName(schema.enums),
    tables: byName(schema.tables).map((table) => ({
      ...withoutRename(table),
      columns: table.columns.map((column: ColumnModel) => withoutRename(column)),
    })),
  };
}

/** An empty schema: the state before a service's first migration. */
export function emptySchema(service: string, schema: string): ServiceSchema {
  return { service, schema, enums: [], tables: [] };
}
