// Drift: what differs between a service's schema in the database and its tables in code.
import { ClientBase } from 'pg';
import { ServiceSchema } from '../migrations/service-schema';
import { withEquivalentExpressions } from './equivalent-expressions';
import { modelAsLive, readLiveSchema } from './live-schema';
import { schemaDifferences } from './schema-differences';

/** Every difference, one sentence each; [] when the database holds exactly the model. */
export async function schemaDrift(client: ClientBase, model: ServiceSchema): Promise<string[]> {
  const expected = await modelAsLive(client, model);
  // One snapshot for the read; the expression round trips need a transaction that may create
  // temporary tables (so not READ ONLY), always rolled back.
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  try {
    const live = await readLiveSchema(client, model.schema);
    const actual = await withEquivalentExpressions(client, expected, live, (table) => ({ schema: model.schema, table, textSchema: model.schema }));
    return schemaDifferences(model.schema, expected, actual);
  } finally {
    await client.query('ROLLBACK');
  }
}
