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
import { isLockTimeout, withLockRetries } from '../runner/lock-retry';
import { blockingSessions } from '../runner/blocking-sessions';
import { qualifiedName, quoteIdentifier } from '../sql/identifier';
import { lockService, unlockService } from '../runner/service-lock';
import { adoptionFacts } from './adoption-facts';
import { adoptionPlan, AdoptionPlan, AdoptionRequest } from './adoption-plan';
import { lockTables } from '../sql/adoption-statements';
import { LegacyService, readLegacyService } from './legacy-schema';
import { unmodelled } from './unmodelled';
import { visibleText } from './visible-text';

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
  /** The model's application-level references: a legacy foreign key into another service is dropped only when one stands for it. */
  readonly appReferences?: readonly AppReferenceOf[];
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
    // Each refusal may carry catalog text (names, expressions): shown with nothing hidden.
    super(`${service}: REFUSED: adopt changed nothing:\n${refusals.map((r) => `  - ${visibleText(r)}`).join('\n')}`);
  }
}

/** What the model cannot express but adopt carries along unchanged (a view nobody else may use keeps working, storage parameters stay). */
const HARMLESS = /^table \S+ ((materialized )?view \S+ reads it:|has storage parameters)/;

/** An application-level reference the model declares: what lets adopt drop a foreign key into another service. */
export interface AppReferenceOf {
  readonly table: string;
  readonly columns: readonly string[];
  /** `<service schema>.<table>`. */
  readonly target: string;
}

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

/** The outward foreign keys the model holds as application-level references (dropped), and the others (refused). */
function outwardKeys(props: AdoptProps, legacy: LegacyService): { dropped: AdoptionRequest['crossServiceForeignKeys']; refusals: string[] } {
  const dropped: { table: string; name: string; target: string }[] = [];
  const refusals: string[] = [];
  for (const fk of legacy.outwardForeignKeys) {
    const reference = (props.appReferences ?? []).find((r) => r.table === fk.table && r.target.split('.')[1] === fk.targetTable && r.columns.join(',') === fk.columns.join(','));
    if (reference) dropped.push({ table: fk.table, name: fk.name, target: fk.target });
    else {
      refusals.push(
        `foreign key ${fk.name} of ${fk.table} into ${fk.target}: the model holds no application-level reference for it (appReferences on ${fk.table}, columns ${fk.columns.join(', ')}): ` +
          `declare one if ${fk.targetTable} belongs to another service (adopt then drops the key), or drop the key in the legacy schema`,
      );
    }
  }
  return { dropped, refusals };
}

async function check(client: ClientBase, props: AdoptProps, expected: LiveSchema): Promise<Checked> {
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
  const found = await unmodelled(client, legacySchema, present);
  const keys = outwardKeys(props, legacy);
  const request: AdoptionRequest = {
    service: props.service,
    environment: props.environment,
    legacySchema,
    schema: props.schema,
    ownerRole: props.ownerRole,
    tables: present,
    enums: legacy.live.enums.map((e) => e.name),
    // The sequences the tables own (serial and identity): read with them.
    sequences: legacy.live.sequences,
    // Indexes (and the ones behind keys) move with their tables: their names must be free too.
    indexes: legacy.live.tables.flatMap((t) => [...t.indexes.map((i) => i.name), ...(t.primaryKey ? [t.primaryKey.name] : []), ...t.uniques.map((u) => u.name)].map((name) => ({ table: t.name, name }))),
    crossServiceForeignKeys: keys.dropped,
    dropAlembicVersion: props.dropAlembicVersion ?? false,
  };
  const facts = await adoptionFacts(client, { ...request, legacyRoles: props.legacyRoles ?? [] });
  const plan = adoptionPlan(facts, request);
  const actual = await withEquivalentExpressions(client, expected, legacy.live, (table) => ({ schema: legacySchema, table }));
  const differences = schemaDifferences(props.schema, expected, actual).map((d) => `${d.replace(/ in the database/g, ` in ${legacySchema}`).replace(/from the database/g, `from ${legacySchema}`)} (the model as of ${props.first.migration.id})`);
  const refusals = [...differences, ...keys.refusals, ...found.findings.filter((u) => !HARMLESS.test(u)).map((u) => `${u}; the model cannot express it`), ...plan.refusals];
  return { present, plan, refusals, notes: [...plan.notes, ...found.findings.filter((u) => HARMLESS.test(u))], revisions: facts.alembicRevisions };
}

/** The lock wait of one try, lengthened after an autovacuum held the tables (it yields only to a request that waited deadlock_timeout). */
interface LockWait {
  ms: number;
  triedAt?: string;
}

async function attempt(client: ClientBase, props: AdoptProps, expected: LiveSchema, wait: LockWait): Promise<AdoptResult> {
  const legacySchema = props.legacySchema ?? 'public';
  // A dry run is rolled back; not READ ONLY, as comparing expressions creates temporary tables.
  await client.query(props.dryRun ? 'BEGIN ISOLATION LEVEL REPEATABLE READ' : 'BEGIN');
  try {
    // The legacy schema (then public) on the path: its own names print unqualified, as the
    // model's scratch copy's do (see legacy-schema.ts). Every statement adopt runs is qualified.
    await client.query(`SET LOCAL search_path = pg_catalog, ${quoteIdentifier(legacySchema)}, public, pg_temp`);
    await client.query(`SELECT pg_catalog.set_config('lock_timeout', $1::text, true)`, [`${wait.ms}ms`]);
    // Checked before any lock, so a refusal (a role that may not even lock the tables) is listed
    // whole; then checked again under the lock, so nothing changes between the check and the move.
    let checked = await check(client, props, expected);
    if (checked.refusals.length > 0) throw new AdoptRefused(props.service, checked.refusals);
    const lock = checked.present.length > 0 ? lockTables(legacySchema, checked.present) : undefined;
    // A dry run takes no lock: it must not queue writers behind it.
    if (lock && !props.dryRun) {
      wait.triedAt = (await client.query<{ t: string }>('SELECT pg_catalog.clock_timestamp()::text AS t')).rows[0].t;
      await client.query(lock);
      checked = await check(client, props, expected);
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

/** A deadlock with another session reading or moving the same tables is retried like a lock timeout. */
const retryable = (error: unknown): boolean => isLockTimeout(error) || (error as { code?: string })?.code === '40P01';

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
    const expected = await modelAsLive(client, props.first.model, { unqualified: true });
    const tables = props.first.model.tables.map((t) => qualifiedName(legacySchema, t.name));
    const base = props.settings.lockTimeoutMs;
    const wait: LockWait = { ms: base };
    try {
      return await withLockRetries(
        props.settings.lockRetries,
        () => attempt(client, props, expected, wait),
        async (retry, waitMs) => {
          const blockers = await blockingSessions(client, tables, wait.triedAt);
          wait.ms = blockers.yieldingAutovacuum ? blockers.deadlockTimeoutMs + base : base;
          props.log(`${props.service}: the legacy tables are busy (waited ${base} ms for their locks), held by ${blockers.text}: retry ${retry} of ${props.settings.lockRetries.retries} in ${waitMs} ms${wait.ms !== base ? `, waiting ${wait.ms} ms for the autovacuum to give way` : ''}`);
        },
        retryable,
      );
    } catch (error) {
      if (!retryable(error)) throw error;
      const blockers = await blockingSessions(client, tables, wait.triedAt);
      throw new AdoptRefused(props.service, [
        `the legacy tables stayed busy through ${props.settings.lockRetries.retries} retries (${(error as Error).message}), held by ${blockers.text}: adopt changed nothing; run it again when those sessions have ended, or end them (pg_terminate_backend)`,
      ]);
    }
  } finally {
    if (!props.dryRun) await unlockService(client, props.service);
  }
}
