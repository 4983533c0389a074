// A service's whole schema as plain data: what snapshots store and the differ compares.
import { ColumnModel, ServiceSchema } from '../schema/schema-model';

export type { ServiceSchema } from '../schema/schema-model';

const byName = <T extends { name: string }>(list: readonly T[]): T[] => [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

function withoutRename<T extends { renamedFrom?: string }>(item: T): T {
  const { renamedFrom: _renamed, ...rest } = item;
  return rest as T;
}

/**
 * The canonical form: sorted by name, columns in their declared order. Comparisons leave the
 * rename hints out (a schema is what is, not how it came to be); snapshots keep them
 * (`keepRenames`), so the next diff knows a hint still in the code was already applied.
 */
export function canonicalSchema(schema: ServiceSchema, options: { keepRenames?: boolean } = {}): ServiceSchema {
  const hint = <T extends { renamedFrom?: string }>(item: T): T => (options.keepRenames ? item : withoutRename(item));
  return {
    service: schema.service,
    schema: schema.schema,
    enums: byName(schema.enums),
    tables: byName(schema.tables).map((table) => ({
      ...hint(table),
      columns: table.columns.map((column: ColumnModel) => hint(column)),
    })),
  };
}

/** An empty schema: the state before a service's first migration. */
export function emptySchema(service: string, schema: string): ServiceSchema {
  return { service, schema, enums: [], tables: [] };
}
