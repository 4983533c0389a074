// Puts a backup back (`restore --service S b<n>`): a column copy's values into the column, row by
// row on the table's primary key; a table copy's rows into the table, keeping their key values,
// its sequences moved past them. Everything is checked first, then done in one transaction as
// the owner role, under the service's deploy lock (no deploy drops what is being restored), and
// recorded in the history: nothing is ever half restored. Refused, changing nothing: an unknown
// or expired backup, a column or table that does not exist (yet), rows that would collide.
import { ClientBase } from 'pg';
import { backupId, backupNumber } from './backup-names';
import { BackupEntry, backupEntry, BackupRow, backupRow, backupSummary, beforeWhat, liveBackups, shownTable } from './backup-ledger';
import { columnNames, columnOf, tableShape, TableShape } from './backup-catalog';
import { lockService, unlockService } from './service-lock';
import { RUNNER_SEARCH_PATH } from './session';
import { quoteIdentifier } from '../sql/identifier';
import { visibleText } from '../adopt/visible-text';
import {
  ambiguousRowsSql,
  collidingRowsSql,
  holdsRowsSql,
  restoreColumnsSql,
  RestoredColumn,
  restoreRowsSql,
  sequencePastSql,
  TableName,
  unmatchedRowsSql,
} from '../sql/backup-statements';

/** A restore refused before anything changed; the message says why and what to do. */
export class RestoreRefusal extends Error {}

export interface RestoreOptions {
  readonly service: string;
  /** The role that owns the service's tables and its backups: the restore runs as it. */
  readonly ownerRole: string;
  /** The backup's id, as `status` lists it (`b1`). */
  readonly backup: string;
  /** Check everything and say what would run; change nothing. */
  readonly dryRun?: boolean;
  /** How long to wait for a deploy of the service to finish. */
  readonly lockWaitMs: number;
  /** e.g. `--env staging`, for the commands a refusal suggests. */
  readonly envOption?: string;
  readonly log?: (line: string) => void;
}

export interface RestoreResult {
  readonly backup: BackupEntry;
  /** rows: a table copy's rows inserted; values: a column copy's values set. */
  readonly kind: 'rows' | 'values';
  /** Rows inserted, or rows whose values were set; 0 in a dry run. */
  readonly restored: number;
  /** Rows of a column copy that find no row in the table any more (deleted since the copy). */
  readonly unmatched: number;
  /** What runs (or, in a dry run, would run), in one transaction, as the owner role. */
  readonly statements: readonly string[];
  readonly dryRun: boolean;
}

interface RestoreWork {
  readonly kind: RestoreResult['kind'];
  readonly statements: readonly string[];
  readonly unmatched: number;
  /** How the rows are found again, for the report: `id`, or `every other column`. */
  readonly matchedBy: string;
}

export async function restoreBackup(client: ClientBase, options: RestoreOptions): Promise<RestoreResult> {
  const { service } = options;
  const number = backupNumber(options.backup);
  if (number === undefined) throw new RestoreRefusal(`${service}: ${JSON.stringify(options.backup)} is not a backup id: give one as \`npm run bedrock -- status --service ${service}\` lists them (e.g. b1)`);
  await lockService(client, service, { waitMs: options.lockWaitMs, onWait: (holds) => options.log?.(`${service}: waiting for a deploy to finish before restoring: ${holds}`) });
  try {
    const row = await knownBackup(client, options, number);
    await client.query(`BEGIN; SET LOCAL search_path = ${RUNNER_SEARCH_PATH}; SET LOCAL ROLE ${quoteIdentifier(options.ownerRole)}`);
    try {
      const work = await restoreWork(client, row, options);
      if (options.dryRun) {
        await client.query('ROLLBACK');
        return { backup: backupEntry(row), kind: work.kind, restored: 0, unmatched: work.unmatched, statements: work.statements, dryRun: true };
      }
      let restored = 0;
      for (const [index, statement] of work.statements.entries()) {
        const result = await client.query(statement);
        if (index === 0) restored = result.rowCount ?? 0;
      }
      await client.query('RESET ROLE');
      const note = `${backupSummary(row)}: ${restored.toLocaleString('en-US')} ${work.kind === 'rows' ? 'rows inserted' : `rows' values set by ${work.matchedBy}`}`;
      await client.query(`INSERT INTO bedrock.migration_history (service, id, action, note) VALUES ($1, $2, 'restore', $3)`, [service, row.migration, note]);
      await client.query('COMMIT');
      return { backup: backupEntry(row), kind: work.kind, restored, unmatched: work.unmatched, statements: work.statements, dryRun: false };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    await unlockService(client, service).catch(() => undefined);
  }
}

/** The backup's ledger row: refused when the service never had it, or it expired. */
async function knownBackup(client: ClientBase, options: RestoreOptions, number: number): Promise<BackupRow> {
  const { service } = options;
  const row = await backupRow(client, service, number);
  if (!row) {
    const live = (await liveBackups(client, service)).map((r) => backupId(r.number));
    throw new RestoreRefusal(`${service}: there is no backup ${backupId(number)} in this database (${live.length > 0 ? `live backups: ${live.join(', ')}` : 'it holds no live backup of this service'}; see \`npm run bedrock -- status --service ${service}\`)`);
  }
  if (row.status === 'expired') {
    throw new RestoreRefusal(`${service}: backup ${backupSummary(row)} expired on ${row.expires_at.toISOString()} and was dropped${row.expired_at ? ` at ${row.expired_at.toISOString()}` : ''}: nothing left to restore`);
  }
  return row;
}

/** Everything checked (in the transaction, as the owner role), then the statements to run. */
async function restoreWork(client: ClientBase, row: BackupRow, options: RestoreOptions): Promise<RestoreWork> {
  const backup: TableName = { schema: row.backup_schema, table: row.backup_table };
  const target: TableName = { schema: row.source_schema, table: row.source_table };
  const refuse = (why: string): never => {
    throw new RestoreRefusal(`${options.service}: cannot restore ${backupId(row.number)} (${shownTable(target.schema, target.table)}, taken before ${beforeWhat(row)}): ${why}. Nothing was changed.`);
  };
  const copy = await tableShape(client, backup.schema, backup.table);
  if (!copy) return refuse(`its copy ${shownTable(backup.schema, backup.table)} is gone (dropped outside Bedrock)`);
  const live = await tableShape(client, target.schema, target.table);
  const env = options.envOption ? ` ${options.envOption}` : ' --env <environment>';
  // Taken before a migration: its rollback brings the table or column back; taken before a
  // rollback: applying the migration again does.
  const undo =
    row.direction === 'up'
      ? `roll back ${row.migration} (\`npm run bedrock -- down --service ${options.service}${env}\`)`
      : `apply ${row.migration} again (\`npm run bedrock -- migrate --service ${options.service}${options.envOption ? ` ${options.envOption}` : ''}\`)`;
  if (!live) return refuse(`table ${shownTable(target.schema, target.table)} does not exist: ${row.columns === null ? 'the rows go back into the table' : 'the values go back into its column'}; create it first: ${undo}, or add it in a new migration`);
  const work: Work = { client, row, backup, target, copy, live, refuse, undo };
  return row.columns === null ? rowsWork(work) : valuesWork(work);
}

/** What the checks of one restore share. */
interface Work {
  readonly client: ClientBase;
  readonly row: BackupRow;
  readonly backup: TableName;
  readonly target: TableName;
  /** The copy's table, and the live table now. */
  readonly copy: TableShape;
  readonly live: TableShape;
  readonly refuse: (why: string) => never;
  /** What brings the table or column back as it was: a rollback, or applying the migration again. */
  readonly undo: string;
}

/**
 * `names` as the live table takes them from the copy: refused unless each has the type it had
 * when copied (a value put into another type would be cast, and could change); cast back from
 * text where the copy holds a type that is not PostgreSQL's own as text (backup-catalog.ts).
 */
function restored(work: Work, names: readonly string[]): RestoredColumn[] {
  const { row, copy, live, target } = work;
  const changed = names.filter((name) => row.column_types[name] !== undefined && columnOf(live, name)!.type !== row.column_types[name]);
  if (changed.length > 0) {
    const types = changed.map((name) => `${visibleText(name)} is ${visibleText(columnOf(live, name)!.type)} now, the copy holds ${visibleText(row.column_types[name])}`).join('; ');
    work.refuse(`the table's types differ from the copy's (${types}): a value put into another type would be cast and could change. Put the type back first (${work.undo}), or copy the values by hand from ${shownTable(work.backup.schema, work.backup.table)} into ${shownTable(target.schema, target.table)}`);
  }
  return names.map((name) => {
    const held = columnOf(copy, name);
    const asText = held !== undefined && row.column_types[name] !== undefined && held.type !== row.column_types[name];
    return asText ? { name, castTo: columnOf(live, name)!.castTo } : { name };
  });
}

async function rowsWork(work: Work): Promise<RestoreWork> {
  const { client, backup, target, copy, live, refuse } = work;
  const copied = columnNames(copy);
  const lacking = copied.filter((c) => !columnOf(live, c));
  if (lacking.length > 0) refuse(`the table lacks ${columnsText(lacking)}, which the copy holds (their values would be lost): add ${lacking.length === 1 ? 'it' : 'them'} first`);
  // Generated columns are computed again from the others; every other column keeps its value.
  const inserted = restored(work, copied.filter((c) => !columnOf(live, c)!.generated));
  if (live.key.length > 0 && live.key.every((k) => copied.includes(k))) {
    const colliding = Number((await client.query<{ n: string }>(collidingRowsSql(target, backup, restored(work, live.key)))).rows[0].n);
    if (colliding > 0) refuse(`${colliding} of its rows have the primary key (${live.key.map((k) => visibleText(k)).join(', ')}) of a row the table holds now: delete those rows first, or restore the copy elsewhere by hand`);
  } else if ((await client.query<{ found: boolean }>(holdsRowsSql(target))).rows[0].found) {
    refuse('the table holds rows, and no primary key tells them from the copy\'s: empty it first');
  }
  const sequences = live.columns.filter((c) => c.sequence !== null && inserted.some((i) => i.name === c.name)).map((c) => sequencePastSql(target, c.name, c.sequence!));
  return { kind: 'rows', statements: [restoreRowsSql(target, backup, inserted), ...sequences], unmatched: 0, matchedBy: '' };
}

async function valuesWork(work: Work): Promise<RestoreWork> {
  const { client, row, backup, target, copy, live, refuse, undo } = work;
  const columns = row.columns!;
  const missing = columns.filter((c) => !columnOf(live, c));
  if (missing.length > 0) {
    refuse(`${columnsText(missing)} of ${shownTable(target.schema, target.table)} ${missing.length === 1 ? 'does' : 'do'} not exist: the values go back into ${missing.length === 1 ? 'that column' : 'those columns'}; add ${missing.length === 1 ? 'it' : 'them'} again first: ${undo}, or add ${missing.length === 1 ? 'it' : 'them'} in a new migration`);
  }
  const generated = columns.filter((c) => columnOf(live, c)!.generated);
  if (generated.length > 0) refuse(`${columnsText(generated)} ${generated.length === 1 ? 'is' : 'are'} generated now: ${generated.length === 1 ? 'its' : 'their'} values are computed, not set`);
  const keyed = row.key_columns.length > 0;
  const matchNames = keyed ? [...row.key_columns] : columnNames(copy).filter((c) => !columns.includes(c));
  if (matchNames.length === 0) refuse('the table had no primary key and no other column, so nothing tells its rows apart');
  const lacking = matchNames.filter((c) => !columnOf(live, c));
  if (lacking.length > 0) refuse(`rows are found again by ${columnsText(matchNames)}, and the table lacks ${columnsText(lacking)}`);
  const set = restored(work, columns);
  const match = restored(work, matchNames);
  if (!keyed && (await client.query<{ found: boolean }>(ambiguousRowsSql(backup, matchNames))).rows[0].found) {
    refuse(`the table has no primary key and rows of the copy share all their other values (${columnsText(matchNames)}), so no update can tell whose value is whose`);
  }
  const unmatched = Number((await client.query<{ n: string }>(unmatchedRowsSql(target, backup, match, keyed))).rows[0].n);
  return { kind: 'values', statements: [restoreColumnsSql(target, backup, set, match, keyed)], unmatched, matchedBy: keyed ? columnsText(matchNames) : 'every other column' };
}

/** `column note`, `columns a, b`, names made visible. */
function columnsText(columns: readonly string[]): string {
  return `column${columns.length === 1 ? '' : 's'} ${columns.map((c) => visibleText(c)).join(', ')}`;
}
