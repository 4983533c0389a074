// Helpers for migration tests: a service's schema from table definitions, and the schema a
// database holds, in one comparable form.
import { ClientBase } from 'pg';
import { ServiceStack } from '../../lib';
import { readLiveSchema } from '../../lib/catalog/live-schema';
import { ServiceSchema } from '../../lib/migrations/service-schema';
import { serviceStack } from './app';

/** The schema a service stack's definitions describe. */
export function schemaOf(service: string, define: (stack: ServiceStack) => void, postgresVersion = 14): ServiceSchema {
  const { stack } = serviceStack(service, { postgresVersion });
  define(stack);
  return stack.schemaModel();
}

/** Everything PostgreSQL holds for the schema, read back from the catalog, in a stable order. */
export async function catalogOf(client: ClientBase, schema: string): Promise<unknown> {
  const live = await readLiveSchema(client, schema);
  const sorted = <T extends { name: string }>(list: readonly T[]) => [...list].sort((a, b) => a.name.localeCompare(b.name));
  return {
    ...live,
    // Column order is compared as a set: PostgreSQL can only append columns, so a column
    // dropped and added back (a down) comes last, unlike in a fresh create.
    tables: live.tables.map((t) => ({ ...t, columns: sorted(t.columns), uniques: sorted(t.uniques), checks: sorted(t.checks), indexes: sorted(t.indexes), foreignKeys: sorted(t.foreignKeys) })),
  };
}
