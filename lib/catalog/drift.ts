// Drift: what differs between a service's schema in the database and its tables in code.
import { ClientBase } from 'pg';
import { ServiceSchema } from '../migrations/service-schema';
import { modelAsLive, readLiveSchema } from './live-schema';
import { schemaDifferences } from './schema-differences';

/** Every difference, one sentence each; [] when the database holds exactly the model. */
export async function schemaDrift(client: ClientBase, model: ServiceSchema): Promise<string[]> {
  const expected = await modelAsLive(client, model);
  const actual = await readLiveSchema(client, model.schema);
  return schemaDifferences(model.schema, expected, actual);
}
