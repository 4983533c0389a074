// Before a migration (or a rollback) that drops, truncates or retypes what holds data, the
// runner copies it into the service's `<service>_backup` schema and records the copy in the
// ledger (bedrock.backups) and the history: `restore` puts it back.
//
// When: before the migration's first pending step, each copy in a transaction of its own,
// committed before the migration takes any lock. Copying inside the step's transaction would
// hold the step's ACCESS EXCLUSIVE lock for the whole copy (on a big table, minutes of blocked
// reads and writes); a copy taken first reads committed data under ACCESS SHARE, which blocks
// no reader or writer. The price, said here and in the README: a write committed between the
// copy and the step's lock is not in the copy. A column or table is dropped once the
// application stopped writing it (expand, then contract), so that window holds no writes that
// matter; a type change on a table still written to can miss the last writes before it.
//
// Why a table in the database rather than `pg_dump`: the runner runs wherever Terraform runs,
// often with `node` and no PostgreSQL client of the server's version; a copy in the database is
// taken and restored in one transaction each, by the roles that own the data, covered by the
// database's own backups and point-in-time recovery, and `status` can list it with its size.
import { RunContext } from './run-context';
import { PlannedStep } from './planned-migration';
import { BackupTarget, pendingBackupTargets } from './backup-target';
import { backupId, backupSchemaName, backupTableName } from './backup-names';
import { backupSummary, BackupRow, beforeWhat, copiedColumns, restoreCommandText, shownTable, sizeText } from './backup-ledger';
import { anyValueSql, commentOnBackupSql, CopiedColumn, copyTableSql, createBackupSchemaSql, holdsRowsSql, TableName } from '../sql/backup-statements';
import { columnNames, tableShape, TableShape } from './backup-catalog';
import { quoteIdentifier } from '../sql/identifier';
import { describe, RunnerError } from './runner-error';
import { RUNNER_SEARCH_PATH } from './session';

/** The work a copy comes before: a migration's up or its rollback, from the step where it starts. */
export interface BackupMoment {
  readonly id: string;
  readonly direction: 'up' | 'down';
  readonly steps: readonly PlannedStep[];
  /** The first step still to run (0-based): a resumed migration copies only what is still ahead. */
  readonly from: number;
}

/** Copies, before `moment`, every table or column its pending steps destroy; nothing when backups are off. */
export async function backUpBefore(context: RunContext, moment: BackupMoment): Promise<void> {
  if (!context.settings.backups.enabled) return;
  for (const target of ownTargets(context, moment)) await copyOne(context, moment, target);
}

/**
 * The targets in the service's own schema. BEDROCK-S1 already refuses a migration touching
 * another service's tables; a manifest saying otherwise is not followed into another schema.
 */
function ownTargets(context: RunContext, moment: BackupMoment): BackupTarget[] {
  const schema = context.plan.schema ?? context.plan.service;
  return pendingBackupTargets(moment.steps, moment.from).filter((t) => t.schema === schema);
}

/**
 * Before anything of a converge runs: when backups are on and some pending work destroys data,
 * a copy must be possible, or the converge is refused before anything runs (a destructive
 * migration never runs unbacked where backups were asked for). The copies go into the
 * service's backup schema, which the platform stack creates, owned by the owner role. When it is
 * missing, the runner creates it at the first copy, as the deploying role, which may create
 * schemas when it owns the database or is a superuser (what the README asks of it); the owner
 * role never may (it holds no CREATE on the database). Checked, not created, here: a rollback of
 * an empty column needs no schema.
 */
export async function prepareBackups(context: RunContext, moments: readonly BackupMoment[]): Promise<void> {
  if (!context.settings.backups.enabled || !moments.some((m) => ownTargets(context, m).length > 0)) return;
  const { plan } = context;
  const schema = backupSchemaName(plan.service);
  const found = await backupSchemaState(context);
  const platform = `the platform stack creates it, owned by ${plan.ownerRole}: deploy it first (\`cdktf deploy <environment>-platform\`), or turn backups off for this environment (migrations.backups.enabled in stacks/environments.ts; the runner's --no-backups)`;
  if (found.present && !found.ownerMayCreate) {
    throw new RunnerError(`${plan.service}: REFUSED: backups are on and a pending migration destroys data, but ${plan.ownerRole} may not create tables in schema ${schema}, where the copies go: ${platform}. Nothing ran.`);
  }
  if (!found.present && !found.mayCreateSchema) {
    throw new RunnerError(
      `${plan.service}: REFUSED: backups are on and a pending migration destroys data, but schema ${schema}, where the copies go, does not exist, and the deploying role may not create schemas here (it needs CREATE on the database; ${plan.ownerRole} never has it): ${platform}. Nothing ran.`,
    );
  }
}

interface SchemaState {
  readonly present: boolean;
  /** Whether the owner role may create the copies in it (null: it is not there). */
  readonly ownerMayCreate: boolean | null;
  /** Whether the deploying role may create it. */
  readonly mayCreateSchema: boolean;
}

async function backupSchemaState(context: RunContext): Promise<SchemaState> {
  const { rows } = await context.client.query<SchemaState>(
    `SELECT n.oid IS NOT NULL AS "present",
            CASE WHEN n.oid IS NOT NULL THEN pg_catalog.has_schema_privilege($2::text, n.oid, 'CREATE') END AS "ownerMayCreate",
            pg_catalog.has_database_privilege(pg_catalog.current_database(), 'CREATE') AS "mayCreateSchema"
       FROM (SELECT 1) one LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = $1`,
    [backupSchemaName(context.plan.service), context.plan.ownerRole],
  );
  return rows[0];
}

interface CopyShape {
  /** What the copy holds (a type not PostgreSQL's own as text: see backup-catalog.ts). */
  readonly columns: readonly CopiedColumn[];
  /** The columns whose values are kept; undefined: the whole table. */
  readonly kept: string[] | undefined;
  readonly key: string[];
  /** Each copied column's type as the table has it. */
  readonly types: Record<string, string>;
}

/**
 * What a copy of `target` holds: the whole table; or the target's columns that exist now with
 * the primary key, every row (a row whose value was NULL is restored as NULL, not as whatever
 * default the column has when it comes back). Without a key, rows are told apart only by all
 * their values: every column is copied.
 */
function copyShape(target: BackupTarget, source: TableShape): CopyShape | undefined {
  const names = columnNames(source);
  const shaped = (copied: readonly string[], kept: string[] | undefined, key: string[]): CopyShape => {
    const columns = copied.map((name) => source.columns.find((c) => c.name === name)!);
    return { columns: columns.map((c) => ({ name: c.name, asText: !c.builtin })), kept, key, types: Object.fromEntries(columns.map((c) => [c.name, c.type])) };
  };
  if (target.columns === undefined) return shaped(names, undefined, [...source.key]);
  // A column an earlier step of the same migration adds holds nothing yet: nothing to keep.
  const kept = target.columns.filter((c) => names.includes(c));
  if (kept.length === 0) return undefined;
  if (source.key.length === 0) return shaped(names, kept, []);
  return shaped([...source.key, ...kept.filter((c) => !source.key.includes(c))], kept, [...source.key]);
}

/**
 * The next backup number of the service: past every number its ledger ever gave, and past every
 * `b<n>_` table in its backup schema (a ledger dropped and created again must not reuse a name
 * a copy still holds). The service's lock is held: no other runner counts at the same time.
 */
async function nextNumber(context: RunContext): Promise<number> {
  const { rows } = await context.client.query<{ n: number }>(
    `SELECT GREATEST((SELECT COALESCE(pg_catalog.max(number), 0) FROM bedrock.backups WHERE service = $1),
                     (SELECT COALESCE(pg_catalog.max(pg_catalog.substring(c.relname, '^b([0-9]{1,9})_')::integer), 0)
                        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $2)) + 1 AS n`,
    [context.plan.service, backupSchemaName(context.plan.service)],
  );
  return Number(rows[0].n);
}

async function copyOne(context: RunContext, moment: BackupMoment, target: BackupTarget): Promise<void> {
  const { client, plan } = context;
  const service = plan.service;
  const source = await tableShape(client, target.schema, target.table);
  const shape = source && copyShape(target, source);
  if (!source || !shape) return; // created by the migration itself: nothing older to keep
  const what = moment.direction === 'up' ? moment.id : `the rollback of ${moment.id}`;
  const columns = shape.kept ?? null;
  let row: BackupRow | undefined;
  let createdSchema = false;
  try {
    await client.query(`BEGIN; SET LOCAL search_path = ${RUNNER_SEARCH_PATH}`);
    // The copy takes ACCESS SHARE on the table, which blocks no reader or writer while it waits
    // behind, say, a long ALTER: no lock_timeout, the statement_timeout bounds the wait.
    await client.query(`SET LOCAL lock_timeout = 0`);
    // The table is read as its owner role (never as the deploying role), first to see whether
    // there is anything to keep: a table without rows, or columns holding only NULLs, is not
    // copied (nor is a schema made for it), and nothing is said.
    await client.query(`SET LOCAL ROLE ${quoteIdentifier(plan.ownerRole)}`);
    const holds = await client.query<{ found: boolean }>(columns ? anyValueSql(target, columns) : holdsRowsSql(target));
    if (!holds.rows[0].found) {
      await client.query('ROLLBACK');
      return;
    }
    await client.query('RESET ROLE');
    // Made in the copy's transaction, by the deploying role (prepareBackups checked it may).
    if (!(await backupSchemaState(context)).present) {
      await client.query(createBackupSchemaSql(backupSchemaName(service), plan.ownerRole));
      createdSchema = true;
    }
    const number = await nextNumber(context);
    const backup: TableName = { schema: backupSchemaName(service), table: backupTableName(number, target.table) };
    await client.query(`SET LOCAL ROLE ${quoteIdentifier(plan.ownerRole)}`);
    const copied = await client.query(copyTableSql(backup, target, shape.columns));
    const comment = `Bedrock backup ${backupId(number)} of ${target.schema}.${target.table} (${target.columns === undefined ? 'the whole table' : (columns ?? []).join(', ')}), taken before ${what}: ${restoreCommandText(service, number)}`;
    await client.query(commentOnBackupSql(backup, comment));
    await client.query('RESET ROLE');
    row = (
      await client.query<BackupRow>(
        `INSERT INTO bedrock.backups (service, number, migration, direction, reasons, source_schema, source_table, columns, key_columns, column_types, backup_schema, backup_table, rows, bytes, expires_at)
         VALUES ($1, $2, $3, $4, $5::text[], $6, $7, $8::text[], $9::text[], $10::jsonb, $11, $12, $13, pg_catalog.pg_total_relation_size(pg_catalog.format('%I.%I', $11::text, $12::text)::pg_catalog.regclass),
                 pg_catalog.clock_timestamp() + pg_catalog.make_interval(days => $14::integer))
         RETURNING service, number, migration, direction, reasons, source_schema, source_table, columns, key_columns, column_types, backup_schema, backup_table, rows::text AS rows, bytes::text AS bytes, created_at, expires_at, status, expired_at`,
        [service, number, moment.id, moment.direction, target.reasons, target.schema, target.table, columns, shape.key, JSON.stringify(shape.types), backup.schema, backup.table, copied.rowCount, context.settings.backups.retentionDays],
      )
    ).rows[0];
    await client.query(`INSERT INTO bedrock.migration_history (service, id, action, note) VALUES ($1, $2, 'backup', $3)`, [service, moment.id, `${backupSummary(row)}, before ${beforeWhat(row)}`]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new RunnerError(
      `${service}: backing up ${shownTable(target.schema, target.table)} before ${what} failed: ${describe(error)}. ${moment.from > 0 ? `No further step of ${what} ran` : `${what[0].toUpperCase()}${what.slice(1)} did not start`}${moment.direction === 'down' ? ` (${moment.id} is still applied)` : ''}. ` +
        'Fix the cause (disk space, the statement timeout) and deploy again, or turn backups off for this environment (migrations.backups.enabled; the runner\'s --no-backups) to run it without a copy',
    );
  }
  if (createdSchema) context.log(`${service}: created schema ${backupSchemaName(service)} (owned by ${plan.ownerRole}, no other role may use it) for the backups; the platform stack manages it from its next deploy`);
  context.log(
    `${service}: backed up ${row.columns === null ? 'table ' : ''}${shownTable(row.source_schema, row.source_table)} (${row.columns === null ? '' : `${copiedColumns(row)}: `}${sizeText(row.rows, row.bytes)}) ` +
      `into ${shownTable(row.backup_schema, row.backup_table)} before ${what} (restore: ${restoreCommandText(service, row.number)})`,
  );
}
