// The SQL of backups: the schema that holds them, a copy of a table or of some of its columns,
// its comment, its drop when it expires, and the statements `restore` runs to put it back.
// Every name through quoteIdentifier, every text through quoteLiteral.
import { qualifiedName, quoteIdentifier } from './identifier';
import { quoteLiteral } from './literal';

/** A table by its unquoted schema and name. */
export interface TableName {
  readonly schema: string;
  readonly table: string;
}

const table = (name: TableName): string => qualifiedName(name.schema, name.table);
const columnList = (columns: readonly string[]): string => columns.map(quoteIdentifier).join(', ');

/**
 * Run by the deploying role, which may create schemas in the database (its owner, or a
 * superuser); the owner role named as the schema's owner can then create the copies. A new
 * schema grants nothing to PUBLIC.
 */
export function createBackupSchemaSql(schema: string, ownerRole: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)} AUTHORIZATION ${quoteIdentifier(ownerRole)}`;
}

/** A column of a copy: `asText` for a type that is not PostgreSQL's own (see backup-catalog.ts). */
export interface CopiedColumn {
  readonly name: string;
  readonly asText: boolean;
}

/** The copy: `columns` of `source`, every row, into a new table `backup`. */
export function copyTableSql(backup: TableName, source: TableName, columns: readonly CopiedColumn[]): string {
  const select = columns.map((c) => (c.asText ? `${quoteIdentifier(c.name)}::text AS ${quoteIdentifier(c.name)}` : quoteIdentifier(c.name))).join(', ');
  return `CREATE TABLE ${table(backup)} AS SELECT ${select} FROM ${table(source)}`;
}

/** Whether any row of `name` holds a value in one of `columns` (a copy of only NULLs keeps nothing). */
export function anyValueSql(name: TableName, columns: readonly string[]): string {
  return `SELECT EXISTS (SELECT 1 FROM ${table(name)} WHERE ${columns.map((c) => `${quoteIdentifier(c)} IS NOT NULL`).join(' OR ')}) AS found`;
}

/** What the copy holds, said on the table itself for whoever finds it in the catalog. */
export function commentOnBackupSql(backup: TableName, text: string): string {
  return `COMMENT ON TABLE ${table(backup)} IS ${quoteLiteral(text)}`;
}

export function dropBackupSql(backup: TableName): string {
  return `DROP TABLE IF EXISTS ${table(backup)}`;
}

/** A copy's column as the live table takes it: `castTo` (a quoted type) when the copy holds it as text. */
export interface RestoredColumn {
  readonly name: string;
  readonly castTo?: string;
}

const value = (column: RestoredColumn): string => `b.${quoteIdentifier(column.name)}${column.castTo ? `::${column.castTo}` : ''}`;

/**
 * A table backup's rows back into `target`, keeping their key values: OVERRIDING SYSTEM VALUE
 * lets an identity column GENERATED ALWAYS take them (PostgreSQL ignores it for other columns).
 */
export function restoreRowsSql(target: TableName, backup: TableName, columns: readonly RestoredColumn[]): string {
  return `INSERT INTO ${table(target)} (${columnList(columns.map((c) => c.name))}) OVERRIDING SYSTEM VALUE SELECT ${columns.map(value).join(', ')} FROM ${table(backup)} AS b`;
}

/**
 * A column backup's values back into `target`'s `columns`, row by row matched on `match`: the
 * primary key, or for a table without one every other column copied (IS NOT DISTINCT FROM, so
 * NULLs match).
 */
export function restoreColumnsSql(target: TableName, backup: TableName, columns: readonly RestoredColumn[], match: readonly RestoredColumn[], keyed: boolean): string {
  const set = columns.map((c) => `${quoteIdentifier(c.name)} = ${value(c)}`).join(', ');
  return `UPDATE ${table(target)} AS t SET ${set} FROM ${table(backup)} AS b WHERE ${matching(match, keyed)}`;
}

/**
 * Moves `sequence` (as pg_get_serial_sequence names it) past the largest value of `column`, never
 * back: rows inserted since the table came back keep their numbers free.
 */
export function sequencePastSql(target: TableName, column: string, sequence: string): string {
  const seq = `${quoteLiteral(sequence)}::pg_catalog.regclass`;
  return (
    `SELECT pg_catalog.setval(${seq}, GREATEST(x.m, COALESCE(pg_catalog.pg_sequence_last_value(${seq}), x.m))) ` +
    `FROM (SELECT pg_catalog.max(${quoteIdentifier(column)}) AS m FROM ${table(target)}) x WHERE x.m IS NOT NULL`
  );
}

/** How many rows of `backup` have a row in `target` with the same `key` values (an INSERT would collide). */
export function collidingRowsSql(target: TableName, backup: TableName, key: readonly RestoredColumn[]): string {
  return `SELECT pg_catalog.count(*) AS n FROM ${table(backup)} AS b WHERE EXISTS (SELECT 1 FROM ${table(target)} AS t WHERE ${matching(key, true)})`;
}

/** Whether `target` holds any row. */
export function holdsRowsSql(target: TableName): string {
  return `SELECT EXISTS (SELECT 1 FROM ${table(target)}) AS found`;
}

/** How many rows of `backup` find no row of `target` on `match` (deleted since the copy). */
export function unmatchedRowsSql(target: TableName, backup: TableName, match: readonly RestoredColumn[], keyed: boolean): string {
  return `SELECT pg_catalog.count(*) AS n FROM ${table(backup)} AS b WHERE NOT EXISTS (SELECT 1 FROM ${table(target)} AS t WHERE ${matching(match, keyed)})`;
}

/** Whether two rows of `backup` share their `match` values (then no UPDATE can tell which value is whose). */
export function ambiguousRowsSql(backup: TableName, match: readonly string[]): string {
  return `SELECT EXISTS (SELECT 1 FROM ${table(backup)} GROUP BY ${columnList(match)} HAVING pg_catalog.count(*) > 1) AS found`;
}

/** `t.a = b.a AND ...` (IS NOT DISTINCT FROM without a key, so NULLs match). */
function matching(columns: readonly RestoredColumn[], keyed: boolean): string {
  return columns.map((c) => `t.${quoteIdentifier(c.name)} ${keyed ? '=' : 'IS NOT DISTINCT FROM'} ${value(c)}`).join(' AND ');
}
