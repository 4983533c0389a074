// Adopting a database the old process built: the service's legacy tables are compared with
// its first migration's model and, in one transaction, moved into the service's schema, given
// to its owner role, and the first migration recorded as applied (status `baselined`, history
// `adopt` naming the Alembic revision). Everything is checked after the tables are locked, in
// the same transaction that moves them, and every refusal is listed at once: either the whole
// adoption happens or nothing does.
import { ClientBase } from 'pg';
import { LiveSchema, modelAsLive } from '../catalog/live-schema';
import { schemaDifferences } from '../catalog/schema-differences';
import { withEquivalentExpressions } from '../catalog/equivalent-expressions';
import { Migration } from '../migrations/migration-file';
import { ServiceSchema } from '../schema/schema-model';
import { RunnerSettings } from '../runner/converge-options';
import { ensureLedger, ledgerRows, recordBaselined } from '../runner/ledger';
import { withLockRetries } from '../runner/lock-retry';
import { RUNNER_SEARCH_PATH } from '../runner/session';
import { lockService, unlockService } from '../runner/service-lock';
import { adoptionFacts } from './adoption-facts';
import { adoptionPlan, AdoptionPlan, AdoptionRequest, lockStatement } from './adoption-plan';
import { ownedSequences, readLegacyService } from './legacy-schema';
import { unmodelledFindings } from './unmodelled';

export interface AdoptProps {
  readonly service: string;
  /** The environment's name, for messages (`deploy <env>-platform`). */
  readonly environment?: string;
  readonly schema: string;
  readonly ownerRole: string;
  /** @default public */
  readonly legacySchema?: string;
  /** The service's first migration and its snapshot: what the legacy tables must equal, and what is recorded. */
  readonly first: { readonly migration: Migration; readonly model: ServiceSchema };
  /** Roles the old process connects as, besides the owners of the legacy tables. */
  readonly legacyRoles?: readonly string[];
  readonly dropAlembicVersion?: boolean;
  /** Check everything and return the plan; change nothing (not even the ledger's creation). */
  readonly dryRun?: boolean;
  readonly settings: Pick<RunnerSettings, 'lockTimeoutMs' | 'lockWaitMs' | 'lockRetries'>;
  readonly log: (line: string) => void;
}

export interface AdoptResult extends AdoptionPlan {
  /** The LOCK TABLE, then the plan's statements: what ran, or would run. */
  readonly sql: readonly string[];
  /** Where the tables came from, as the history records it. */
  readonly origin: string;
}

/** Adopt would not match the model or could not move the tables: nothing was changed. */
export class AdoptRefused extends Error {
  constructor(
    readonly service: string,
    readonly refusals: readonly string[],
  ) {
    super(`${service}: REFUSED: adopt changed nothing:\n${refusals.map((r) => `  - ${r}`).join('\n')}`);
  }
}

/** What the model cannot express but adopt carries along unchanged (a view keeps working, storage parameters stay). */
const HARMLESS = /^table \S+ ((materialized )?view \S+ reads it|has storage parameters)/;

function origin(legacySchema: string, revisions: readonly string[] | undefined): string {
  const alembic = revisions === undefined ? 'no alembic_version table' : `Alembic revision ${revisions.join(', ') || '(none recorded)'}`;
  return `adopted from schema ${legacySchema}, ${alembic}`;
}

/** Everything adopt decides on, read from the catalog (no lock needed to read it). */
interface Checked {
  readonly present: readonly string[];
  readonly plan: AdoptionPlan;
  readonly refusals: readonly string[];
  readonly notes: readonly string[];
  readonly revisions?: readonly string[];
}

async function check(client: ClientBase, props: AdoptProps, expected: LiveSchema, unmodelled: readonly string[]): Promise<Checked> {
  const legacySchema = props.legacySchema ?? 'public';
  const model = props.first.model;
  const tables = model.tables.map((t) => t.name);
  const present = (
    await client.query<{ name: string }>(
      `SELECT relname AS name FROM pg_catalog.pg_class WHERE relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1) AND relname = ANY($2) AND relkind IN ('r', 'p') ORDER BY array_position($2, relname::text)`,
      [legacySchema, tables],
    )
  ).rows.map((r) => r.name);
  const legacy = await readLegacyService(client, legacySchema, model);
  const sequences = (await ownedSequences(client, legacySchema, present)).map((s) => s.sequence);
  const movedTables = legacy.live.tables;
  const request: AdoptionRequest = {
    service: props.service,
    environment: props.environment,
    legacySchema,
    schema: props.schema,
    ownerRole: props.ownerRole,
    tables: present,
    enums: legacy.live.enums.map((e) => e.name),
    sequences,
    // Indexes (and the ones behind keys) move with their tables: their names must be free too.
    indexes: movedTables.flatMap((t) => [...t.indexes.map((i) => i.name), ...(t.primaryKey ? [t.primaryKey.name] : []), ...t.uniques.map((u) => u.name)].map((name) => ({ table: t.name, name }))),
    crossServiceForeignKeys: legacy.crossServiceForeignKeys,
    dropAlembicVersion: props.dropAlembicVersion ?? false,
  };
  const facts = await adoptionFacts(client, { legacySchema, schema: props.schema, ownerRole: props.ownerRole, tables: present, enums: request.enums, legacyRoles: props.legacyRoles ?? [] });
  const plan = adoptionPlan(facts, request);
  const actual = await withEquivalentExpressions(client, expected, legacy.live, (table) => ({ schema: legacySchema, table, textSchema: props.schema }));
  const differences = schemaDifferences(props.schema, expected, actual).map((d) => `${d.replace(/ in the database/g, ` in ${legacySchema}`).replace(/from the database/g, `from ${legacySchema}`)} (the model as of ${props.first.migration.id})`);
  const refusals = [...differences, ...unmodelled.filter((u) => !HARMLESS.test(u)).map((u) => `${u}; the model cannot express it`), ...plan.refusals];
  return { present, plan, refusals, notes: [...plan.notes, ...unmodelled.filter((u) => HARMLESS.test(u))], revisions: facts.alembicRevisions };
}

async function attempt(client: ClientBase, props: AdoptProps, expected: LiveSchema, unmodelled: readonly string[]): Promise<AdoptResult> {
  const legacySchema = props.legacySchema ?? 'public';
  // A dry run is rolled back; not READ ONLY, as comparing expressions creates temporary tables.
  await client.query(props.dryRun ? 'BEGIN ISOLATION LEVEL REPEATABLE READ' : 'BEGIN');
  try {
    await client.query(`SET LOCAL search_path = ${RUNNER_SEARCH_PATH}`);
    await client.query(`SELECT pg_catalog.set_config('lock_timeout', $1::text, true)`, [`${props.settings.lockTimeoutMs}ms`]);
    // Checked before any lock, so a refusal (a role that may not even lock the tables) is listed
    // whole; then checked again under the lock, so nothing changes between the check and the move.
    let checked = await check(client, props, expected, unmodelled);
    if (checked.refusals.length > 0) throw new AdoptRefused(props.service, checked.refusals);
    const lock = checked.present.length > 0 ? lockStatement(legacySchema, checked.present) : undefined;
    // A dry run takes no lock: it must not queue writers behind it.
    if (lock && !props.dryRun) {
      await client.query(lock);
      checked = await check(client, props, expected, unmodelled);
      if (checked.refusals.length > 0) throw new AdoptRefused(props.service, checked.refusals);
    }
    const { plan } = checked;
    const result: AdoptResult = { ...plan, notes: checked.notes, sql: [...(lock ? [lock] : []), ...plan.statements], origin: origin(legacySchema, checked.revisions) };
    if (props.dryRun) {
      await client.query('ROLLBACK');
      return result;
    }
    for (const statement of plan.statements) await client.query(statement);
    const { migration } = props.first;
    await recordBaselined(client, { service: props.service, id: migration.id, checksum: migration.checksum, up: migration.up, down: migration.down, transactional: migration.transactional }, result.origin);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Adopts the service's legacy tables, or refuses listing every reason; see the file's comment. */
export async function adopt(client: ClientBase, props: AdoptProps): Promise<AdoptResult> {
  const legacySchema = props.legacySchema ?? 'public';
  if (!props.dryRun) await lockService(client, props.service, { waitMs: props.settings.lockWaitMs });
  try {
    if (!props.dryRun) await ensureLedger(client, props.settings.lockWaitMs);
    const recorded = await ledgerRows(client, props.service);
    if (recorded.length > 0) {
      throw new AdoptRefused(props.service, [
        `the ledger already records ${recorded.length} migration(s) of ${props.service} (first ${recorded[0].id}): its tables were created or adopted already; see \`history ${props.service}\` and \`status --service ${props.service}\``,
      ]);
    }
    const expected = await modelAsLive(client, props.first.model);
    const unmodelled = await unmodelledFindings(client, legacySchema, props.first.model.tables.map((t) => t.name));
    return await withLockRetries(
      props.settings.lockRetries,
      () => attempt(client, props, expected, unmodelled),
      async (retry, waitMs) => props.log(`${props.service}: the legacy tables are busy (lock_timeout ${props.settings.lockTimeoutMs} ms): retry ${retry} of ${props.settings.lockRetries.retries} in ${waitMs} ms`),
    );
  } finally {
    if (!props.dryRun) await unlockService(client, props.service);
  }
}
