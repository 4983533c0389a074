// What a command-line rollback would destroy: the tables and columns that the stored down SQL
// of the migrations to roll back drops, and which of them hold data in the database now. The
// SQL is read with PostgreSQL's parser, so only real statements count, never a comment or a
// string that mentions DROP. (The runner started by Terraform does not use this.)
import { ClientBase } from 'pg';
import { loadSqlParser, parseScript } from '../sql/parser';
import { qualifiedName, quoteIdentifier } from '../sql/identifier';
import { BackupRow, liveBackupsOfSchema, restoreCommandText } from './backup-ledger';
import { backupId } from './backup-names';

/** Something a down statement removes with its data. */
export type Dropped =
  | { readonly kind: 'table'; readonly schema: string; readonly table: string; readonly how: 'drops' | 'truncates' }
  | { readonly kind: 'column'; readonly schema: string; readonly table: string; readonly column: string }
  | { readonly kind: 'schema'; readonly schema: string }
  /** Procedural code (a DO block): what it drops cannot be seen from outside. */
  | { readonly kind: 'opaque'; readonly statement: string };

interface RangeVar {
  readonly schemaname?: string;
  readonly relname: string;
}
interface StringNode {
  readonly String?: { readonly sval: string };
}
interface ParsedStatement {
  readonly DropStmt?: { readonly objects?: readonly ({ readonly List?: { readonly items: readonly StringNode[] } } & StringNode)[]; readonly removeType: string };
  readonly AlterTableStmt?: { readonly relation: RangeVar; readonly objtype: string; readonly cmds?: readonly { readonly AlterTableCmd: { readonly subtype: string; readonly name?: string } }[] };
  readonly TruncateStmt?: { readonly relations: readonly { readonly RangeVar: RangeVar }[] };
  readonly DoStmt?: unknown;
}

/**
 * The tables, columns and schemas that `sql` drops (or truncates). Unqualified names resolve
 * to `schema`, the service's schema, first on the runner's search_path. Throws PostgreSQL's
 * message when the SQL does not parse. The parser must be loaded (loadSqlParser).
 */
export function droppedBy(sql: string, schema: string): Dropped[] {
  const statements = (parseScript(sql).stmts ?? []).map((s) => s.stmt as unknown as ParsedStatement);
  const table = (relation: RangeVar) => ({ schema: relation.schemaname ?? schema, table: relation.relname });
  return statements.flatMap((statement): Dropped[] => {
    const { DropStmt: drop, AlterTableStmt: alter, TruncateStmt: truncate } = statement;
    if (drop?.removeType === 'OBJECT_TABLE') {
      return (drop.objects ?? []).map((object) => {
        // [schema, table] or [table] (or [database, schema, table]).
        const names = (object.List?.items ?? []).map((item) => item.String?.sval ?? '');
        return { kind: 'table', schema: names.length > 1 ? names[names.length - 2] : schema, table: names[names.length - 1], how: 'drops' };
      });
    }
    if (drop?.removeType === 'OBJECT_SCHEMA') return (drop.objects ?? []).map((object) => ({ kind: 'schema', schema: object.String?.sval ?? '' }));
    if (alter && alter.objtype === 'OBJECT_TABLE') {
      return (alter.cmds ?? [])
        .filter((cmd) => cmd.AlterTableCmd.subtype === 'AT_DropColumn' && cmd.AlterTableCmd.name !== undefined)
        .map((cmd) => ({ kind: 'column', ...table(alter.relation), column: cmd.AlterTableCmd.name! }));
    }
    if (truncate) return truncate.relations.map((relation) => ({ kind: 'table', ...table(relation.RangeVar), how: 'truncates' }));
    if (statement.DoStmt !== undefined) return [{ kind: 'opaque', statement: 'a DO block' }];
    return [];
  });
}

/** Whether the database holds data that dropping `what` would destroy. */
async function holdsData(client: ClientBase, what: Dropped): Promise<boolean> {
  if (what.kind === 'opaque') return true;
  if (what.kind === 'schema') {
    const tables = await client.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')`,
      [what.schema],
    );
    for (const { relname } of tables.rows) {
      if (await holdsData(client, { kind: 'table', schema: what.schema, table: relname, how: 'drops' })) return true;
    }
    return false;
  }
  const relation = qualifiedName(what.schema, what.table);
  // Only tables hold rows; reading a view would run whatever functions it calls.
  const exists = await client.query(`SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass($1::text) AND relkind IN ('r', 'p')) AS found`, [relation]);
  if (!exists.rows[0].found) return false;
  if (what.kind === 'table') return (await client.query(`SELECT EXISTS (SELECT 1 FROM ${relation}) AS data`)).rows[0].data;
  const column = await client.query(`SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2 AND attnum > 0 AND NOT attisdropped`, [relation, what.column]);
  if (column.rowCount === 0) return false;
  return (await client.query(`SELECT EXISTS (SELECT 1 FROM ${relation} WHERE ${quoteIdentifier(what.column)} IS NOT NULL) AS data`)).rows[0].data;
}

/** What the statement does, e.g. `drops column portfolio.positions.note`. */
function action(what: Dropped): string {
  switch (what.kind) {
    case 'table':
      return `${what.how} table ${what.schema}.${what.table}`;
    case 'column':
      return `drops column ${what.schema}.${what.table}.${what.column}`;
    case 'schema':
      return `drops schema ${what.schema}`;
    case 'opaque':
      return `runs ${what.statement}`;
  }
}

/** What of the database's data goes with it. */
function loss(what: Dropped): string {
  if (what.kind === 'opaque') return 'whose effect on data cannot be checked';
  if (what.kind === 'column') return 'which holds values';
  return what.kind === 'schema' ? 'whose tables hold rows' : 'which holds rows';
}

/** What a loss line may add about backups. */
export interface DataLossOptions {
  /**
   * The environment copies what a rollback destroys before it runs (migrations.backups.enabled):
   * each loss says so.
   */
  readonly backupsOn?: boolean;
}

/**
 * Where the data a loss destroys may be found again: the live backups of that table (or of
 * that column, or of its whole table), each with the command that restores it, and whether the
 * rollback itself will be copied first.
 */
function backupsText(what: Dropped, backups: readonly BackupRow[], options: DataLossOptions): string {
  if (what.kind !== 'table' && what.kind !== 'column') return '';
  const holding = backups.filter((b) => b.source_schema === what.schema && b.source_table === what.table && (what.kind === 'table' || b.columns === null || b.columns.includes(what.column)));
  const named = holding.map((b) => `backup ${backupId(b.number)} (taken ${b.created_at.toISOString()} before ${b.direction === 'up' ? b.migration : `the rollback of ${b.migration}`}) holds ${b.columns === null ? 'the table' : `its ${b.columns.join(', ')} values`} as they were then: \`${restoreCommandText(b.service, b.number)}\``);
  const copied = options.backupsOn ? ['backups are on here: the rollback copies it first, and its output names the copy and the restore command'] : [];
  const said = [...named, ...copied];
  return said.length > 0 ? ` (${said.join('; ')})` : '';
}

/**
 * What rolling back `migrations` (in the order they run, newest first) would destroy, one
 * line per loss naming the migration, e.g. `<id>: drops column portfolio.positions.note,
 * which holds values`, and the backups that hold it. Empty when nothing that holds data is
 * dropped. Reads the database as it is now, before anything runs.
 */
export async function downDataLoss(client: ClientBase, schema: string, ownerRole: string, migrations: readonly { readonly id: string; readonly down_sql: string }[], options: DataLossOptions = {}): Promise<string[]> {
  await loadSqlParser();
  // Read first, as the deploying user: the ledger is not the owner role's to read.
  const backups = await liveBackupsOfSchema(client, schema);
  // Read-only, as the service's owner role, with nothing but pg_catalog on the path: what the
  // check reads can run no code of the migrations' making as the deploying user.
  await client.query(`BEGIN READ ONLY; SET LOCAL ROLE ${quoteIdentifier(ownerRole)}; SET LOCAL search_path = pg_catalog, pg_temp`);
  try {
    return await lossesOf(client, schema, migrations, (what) => backupsText(what, backups, options));
  } finally {
    await client.query('ROLLBACK');
  }
}

async function lossesOf(client: ClientBase, schema: string, migrations: readonly { readonly id: string; readonly down_sql: string }[], backedUp: (what: Dropped) => string): Promise<string[]> {
  const losses: string[] = [];
  for (const migration of migrations) {
    let dropped: Dropped[];
    try {
      dropped = droppedBy(migration.down_sql, schema);
    } catch (error) {
      losses.push(`${migration.id}: its down SQL does not parse (${(error as Error).message}), so what it drops cannot be checked`);
      continue;
    }
    for (const what of dropped) {
      try {
        await client.query('SAVEPOINT probe');
        if (await holdsData(client, what)) losses.push(`${migration.id}: ${action(what)}, ${loss(what)}${backedUp(what)}`);
        await client.query('RELEASE SAVEPOINT probe');
      } catch (error) {
        await client.query('ROLLBACK TO SAVEPOINT probe');
        // E.g. no privilege to read it: what cannot be checked counts as lost.
        losses.push(`${migration.id}: ${action(what)}; whether it holds data cannot be checked (${(error as Error).message})`);
      }
    }
  }
  return losses;
}
