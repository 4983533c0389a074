// Drift: what differs between a service's schema in the database and its tables in code.
import { ClientBase } from 'pg';
import { ServiceSchema } from '../migrations/service-schema';
import { withEquivalentExpressions } from './equivalent-expressions';
import { LiveSchema, modelAsLive, readLiveSchema } from './live-schema';
import { schemaDifferences } from './schema-differences';

/** Every difference, one sentence each; [] when the database holds exactly the model. */
export async function schemaDrift(client: ClientBase, model: ServiceSchema): Promise<string[]> {
  const expected = await modelAsLive(client, model);
  // One snapshot for the read; the expression round trips need a transaction that may create
  // temporary tables (so not READ ONLY), always rolled back.
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  try {
    const live = await inTransitLeftOut(client, model, await readLiveSchema(client, model.schema));
    const actual = await withEquivalentExpressions(client, expected, live, (table) => ({ schema: model.schema, table, textSchema: model.schema }));
    return schemaDifferences(model.schema, expected, actual);
  } finally {
    await client.query('ROLLBACK');
  }
}

/**
 * The schema without the tables the service released (and their enums and sequences): between
 * the giver's release and the taker's adopt a released table is still in the giver's schema,
 * as planned (table-transfer.ts); once adopted it is gone. Neither is a difference.
 */
async function inTransitLeftOut(client: ClientBase, model: ServiceSchema, live: LiveSchema): Promise<LiveSchema> {
  const released = model.released ?? [];
  if (released.length === 0) return live;
  const tables = live.tables.map((t) => t.name).filter((name) => !released.some((r) => r.table === name));
  const enums = live.enums.map((e) => e.name).filter((name) => !released.some((r) => r.types.includes(name)));
  return readLiveSchema(client, model.schema, { tables, enums });
}
