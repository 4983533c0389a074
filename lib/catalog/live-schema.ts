// Everything PostgreSQL holds for one service's schema (enums, tables, sequences) in a form
// two databases can be compared in, and the same for a model, by creating it inside a
// transaction that is always rolled back: nothing of it ever stays in the database.
import { randomBytes } from 'node:crypto';
import { ClientBase } from 'pg';
import { createStatements } from '../migrations/create-statements';
import { ServiceSchema } from '../migrations/service-schema';
import { EnumModel } from '../schema/schema-model';
import { quoteIdentifier } from '../sql/identifier';
import { LiveTable, readEnums, readTables } from './read-schema';
import { migrationSearchPath, RUNNER_SEARCH_PATH } from '../runner/session';

export interface LiveSchema {
  readonly enums: readonly EnumModel[];
  readonly tables: readonly LiveTable[];
  readonly sequences: readonly string[];
}

export async function readLiveSchema(client: ClientBase, schema: string): Promise<LiveSchema> {
  const [tables, enums, sequences] = await Promise.all([
    readTables(client, schema),
    readEnums(client, schema),
    client.query<{ name: string }>(`SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'S' ORDER BY 1`, [schema]),
  ]);
  return { tables, enums, sequences: sequences.rows.map((r) => r.name) };
}

/**
 * Replaces the schema name where it qualifies a name in SQL text (`"s".` or `s.`). Text-based:
 * a string constant spelling `s.` changes too (no model or legacy table here has one).
 */
export function requalify(text: string, from: string, to: string): string {
  const escaped = from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.split(`"${from}".`).join(`"${to}".`).replace(new RegExp(`(?<![\\w$"])${escaped}\\.`, 'g'), `${to}.`);
}

/**
 * The catalog a fresh create of `model` produces, read back as PostgreSQL spells it: the
 * model is created in a scratch schema inside a transaction that is rolled back.
 */
export async function modelAsLive(client: ClientBase, model: ServiceSchema): Promise<LiveSchema> {
  const scratch = `bedrock_scratch_${randomBytes(4).toString('hex')}`;
  const statements = createStatements(model).map((s) => requalify(s, model.schema, scratch));
  await client.query('BEGIN');
  try {
    await client.query(`CREATE SCHEMA ${quoteIdentifier(scratch)}`);
    // Names resolve as in a migration (extensions in public, e.g. an operator class), then the
    // catalog is read back with the same path as the real schema, so both print alike.
    await client.query(`SET LOCAL search_path = ${migrationSearchPath(scratch)}`);
    for (const statement of statements) await client.query(statement);
    await client.query(`SET LOCAL search_path = ${RUNNER_SEARCH_PATH}`);
    const live = await readLiveSchema(client, scratch);
    // The scratch name is random, so every occurrence of it is the schema's own.
    return JSON.parse(JSON.stringify(live).split(scratch).join(model.schema)) as LiveSchema;
  } finally {
    await client.query('ROLLBACK');
  }
}
