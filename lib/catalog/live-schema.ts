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

export interface LiveSequence {
  readonly name: string;
  /** What a sequence makes: type, increment, bounds, cycle (`bigint increment 1 min 1 max 9223372036854775807`). */
  readonly definition: string;
}

export interface LiveSchema {
  readonly enums: readonly EnumModel[];
  readonly tables: readonly LiveTable[];
  readonly sequences: readonly string[];
  /** The same sequences with what they make: a serial widened to bigint keeps an integer sequence. */
  readonly sequenceDefinitions?: readonly LiveSequence[];
}

/** Which objects of the schema to read: the tables and enums named, the sequences the tables own. */
export interface LiveSchemaFilter {
  readonly tables: readonly string[];
  readonly enums: readonly string[];
}

async function readSequences(client: ClientBase, schema: string, only: LiveSchemaFilter | undefined): Promise<LiveSequence[]> {
  const { rows } = await client.query<LiveSequence>(
    `SELECT s.relname AS name,
            pg_catalog.format_type(q.seqtypid, NULL) || ' increment ' || q.seqincrement || ' min ' || q.seqmin || ' max ' || q.seqmax || CASE WHEN q.seqcycle THEN ' cycle' ELSE '' END AS definition
       FROM pg_catalog.pg_class s JOIN pg_catalog.pg_namespace n ON n.oid = s.relnamespace JOIN pg_catalog.pg_sequence q ON q.seqrelid = s.oid
      WHERE n.nspname = $1 AND s.relkind = 'S'
        AND ($2::text[] IS NULL OR EXISTS (
              SELECT 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
               WHERE d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') AND t.relname = ANY($2::text[])))
      ORDER BY 1`,
    [schema, only ? [...only.tables] : null],
  );
  return rows;
}

/** The schema's enums, tables and sequences, or only those `only` names (and the sequences its tables own). */
export async function readLiveSchema(client: ClientBase, schema: string, only?: LiveSchemaFilter): Promise<LiveSchema> {
  const [tables, enums, sequences] = await Promise.all([readTables(client, schema, only?.tables), readEnums(client, schema, only?.enums), readSequences(client, schema, only)]);
  return { tables, enums, sequences: sequences.map((s) => s.name), sequenceDefinitions: sequences };
}

/**
 * Replaces the schema name where it qualifies a name in SQL text (`"s".` or `s.`). Text-based:
 * used only for the model's own statements into a scratch schema and back (a string constant
 * spelling `s.` changes there and back alike); catalog text is never rewritten.
 */
export function requalify(text: string, from: string, to: string): string {
  const escaped = from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.split(`"${from}".`).join(`"${to}".`).replace(new RegExp(`(?<![\\w$"])${escaped}\\.`, 'g'), `${to}.`);
}

/**
 * The catalog a fresh create of `model` produces, read back as PostgreSQL spells it: the
 * model is created in a scratch schema inside a transaction that is rolled back.
 */
export async function modelAsLive(client: ClientBase, model: ServiceSchema, options: { readonly unqualified?: boolean } = {}): Promise<LiveSchema> {
  const scratch = `bedrock_scratch_${randomBytes(4).toString('hex')}`;
  const statements = createStatements(model).map((s) => requalify(s, model.schema, scratch));
  await client.query('BEGIN');
  try {
    await client.query(`CREATE SCHEMA ${quoteIdentifier(scratch)}`);
    // Names resolve as in a migration (extensions in public, e.g. an operator class), then the
    // catalog is read back with the same path as the real schema, so both print alike.
    await client.query(`SET LOCAL search_path = ${migrationSearchPath(scratch)}`);
    for (const statement of statements) await client.query(statement);
    // Qualified (only pg_catalog on the path), as drift reads a service's schema; or with the
    // schema itself and public on the path, as adopt reads the legacy tables, so the names of
    // the schema's own objects print unqualified on both sides and no text is rewritten.
    await client.query(`SET LOCAL search_path = ${options.unqualified ? `pg_catalog, ${quoteIdentifier(scratch)}, public, pg_temp` : RUNNER_SEARCH_PATH}`);
    const live = await readLiveSchema(client, scratch);
    // The scratch name is random, so every occurrence of it is the schema's own.
    return JSON.parse(JSON.stringify(live).split(scratch).join(model.schema)) as LiveSchema;
  } finally {
    await client.query('ROLLBACK');
  }
}
