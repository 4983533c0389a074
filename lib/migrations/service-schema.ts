// A service's whole schema as plain data: what snapshots store and the differ compares.
import { ColumnModel, ServiceSchema, TableModel } from '../schema/schema-model';

export type { ServiceSchema } from '../schema/schema-model';

const byName = <T extends { name: string }>(list: readonly T[]): T[] => [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

function withoutRename<T extends { renamedFrom?: string }>(item: T): T {
  const { renamedFrom: _renamed, ...rest } = item;
  return rest as T;
}

/** A table without its hints (a rename's, a transfer's). */
function withoutHints(table: TableModel): TableModel {
  const { transferredFrom: _from, ...rest } = withoutRename(table);
  return rest;
}

/**
 * The canonical form: sorted by name, columns in their declared order. Comparisons leave the
 * hints out (renames, transfers: a schema is what is, not how it came to be); snapshots keep
 * them (`keepRenames`), so the next diff knows a hint still in the code was already applied.
 */
export function canonicalSchema(schema: ServiceSchema, options: { keepRenames?: boolean } = {}): ServiceSchema {
  const hint = <T extends { renamedFrom?: string }>(item: T): T => (options.keepRenames ? item : withoutRename(item));
  const released = options.keepRenames && schema.released && schema.released.length > 0 ? [...schema.released].sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0)) : undefined;
  return {
    service: schema.service,
    schema: schema.schema,
    enums: byName(schema.enums),
    tables: byName(schema.tables).map((table) => ({
      ...(options.keepRenames ? table : withoutHints(table)),
      columns: table.columns.map((column: ColumnModel) => hint(column)),
    })),
    // Last, and only when there is one: a snapshot without transfers keeps its bytes.
    ...(released ? { released: released.map((r) => ({ table: r.table, service: r.service, schema: r.schema, types: [...r.types].sort() })) } : {}),
  };
}

/** An empty schema: the state before a service's first migration. */
export function emptySchema(service: string, schema: string): ServiceSchema {
  return { service, schema, enums: [], tables: [] };
}
