// Creating a schema from nothing is the diff from the empty schema: one path, the one a
// service's first migration takes, for drift's scratch copy and for tests alike.
import { EnumModel, ServiceSchema, TableModel } from '../schema/schema-model';
import { renderChanges } from '../sql/render-change';
import { diffSchemas } from './schema-diff';
import { canonicalSchema, emptySchema } from './service-schema';

/** Every statement that creates `model` from nothing: types, tables (with indexes and comments), foreign keys. */
export function createStatements(model: ServiceSchema): string[] {
  // Without hints: a table declared transferredFrom is created here, not adopted.
  return renderChanges(diffSchemas(emptySchema(model.service, model.schema), canonicalSchema(model)).up);
}

/** The same for loose enums and tables of one schema (the schema of the first of them). */
export function createObjects(enums: readonly EnumModel[], tables: readonly TableModel[]): string[] {
  const schema = enums[0]?.schema ?? tables[0]?.schema ?? 'public';
  return createStatements({ service: schema, schema, enums, tables });
}
