// The definitions of the model's objects as SQL: a column, a table, an index, a foreign key, an
// enum. Identifiers go through quoteIdentifier, literals through quoteLiteral, types through
// renderType and defaults through renderDefault; nothing here splices user text unquoted
// except the SQL expressions the model holds as expressions (checked by the parser).
import { ColumnModel, EnumModel, ForeignKeyModel, IDENTITY_GENERATIONS, INDEX_METHODS, IndexModel, KeyModel, NULLS_ORDERS, REFERENTIAL_ACTIONS, SORT_ORDERS, TableModel } from '../schema/schema-model';
import { renderDefault } from './default-value';
import { qualifiedName, quoteIdentifier } from './identifier';
import { quoteLiteral } from './literal';
import { renderType } from './sql-type';

/**
 * A keyword from one of the model's closed lists, written unquoted. The model is checked at
 * construction, but snapshots are files: a value outside the list never reaches SQL.
 */
export function keyword<T extends string>(allowed: readonly T[], value: T): string {
  if (!allowed.includes(value)) throw new Error(`${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  return value.toUpperCase();
}

const columnList = (columns: readonly string[]): string => columns.map(quoteIdentifier).join(', ');

/** `"symbol" text NOT NULL DEFAULT 'x'::text` */
export function columnDefinition(column: ColumnModel): string {
  const parts = [quoteIdentifier(column.name), renderType(column.type)];
  if (column.identity) parts.push(`GENERATED ${keyword(IDENTITY_GENERATIONS, column.identity)} AS IDENTITY`);
  if (column.notNull && !column.identity && !column.serial) parts.push('NOT NULL');
  if (column.default !== undefined) parts.push(`DEFAULT ${renderDefault(column.default)}`);
  return parts.join(' ');
}

export function keyConstraint(kind: 'PRIMARY KEY' | 'UNIQUE', key: KeyModel): string {
  const nulls = key.nullsNotDistinct ? ' NULLS NOT DISTINCT' : '';
  return `CONSTRAINT ${quoteIdentifier(key.name)} ${kind}${nulls} (${columnList(key.columns)})`;
}

/** CREATE TABLE with columns, primary key, unique and check constraints (foreign keys come later). */
export function createTable(table: TableModel): string {
  const lines = table.columns.map(columnDefinition);
  if (table.primaryKey) lines.push(keyConstraint('PRIMARY KEY', table.primaryKey));
  for (const unique of table.uniques) lines.push(keyConstraint('UNIQUE', unique));
  for (const check of table.checks) lines.push(`CONSTRAINT ${quoteIdentifier(check.name)} CHECK (${check.expression})`);
  return `CREATE TABLE ${qualifiedName(table.schema, table.name)} (\n${lines.map((l) => `    ${l}`).join(',\n')}\n);`;
}

/** CREATE [UNIQUE] INDEX [CONCURRENTLY] ... USING method (...) [INCLUDE (...)] [NULLS NOT DISTINCT] [WHERE ...] */
export function createIndex(table: { schema: string; name: string }, index: IndexModel & { readonly nullsNotDistinct?: boolean }, concurrently = false): string {
  const columns = index.columns.map((c) => {
    const parts = [quoteIdentifier(c.column)];
    if (c.opclass) parts.push(quoteIdentifier(c.opclass));
    if (c.order) parts.push(keyword(SORT_ORDERS, c.order));
    if (c.nulls) parts.push(`NULLS ${keyword(NULLS_ORDERS, c.nulls)}`);
    return parts.join(' ');
  });
  const unique = index.unique ? 'UNIQUE ' : '';
  const include = index.include?.length ? ` INCLUDE (${columnList(index.include)})` : '';
  const where = index.where !== undefined ? ` WHERE (${index.where})` : '';
  const nulls = index.nullsNotDistinct ? ' NULLS NOT DISTINCT' : '';
  return `CREATE ${unique}INDEX ${concurrently ? 'CONCURRENTLY ' : ''}${quoteIdentifier(index.name)} ON ${qualifiedName(table.schema, table.name)} USING ${keyword(INDEX_METHODS, index.method).toLowerCase()} (${columns.join(', ')})${include}${nulls}${where};`;
}

/** ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY ... [NOT VALID] */
export function addForeignKey(table: { schema: string; name: string }, fk: ForeignKeyModel, notValid = false): string {
  const target = qualifiedName(fk.references.schema, fk.references.table);
  return (
    `ALTER TABLE ${qualifiedName(table.schema, table.name)} ADD CONSTRAINT ${quoteIdentifier(fk.name)} ` +
    `FOREIGN KEY (${columnList(fk.columns)}) REFERENCES ${target} (${columnList(fk.references.columns)}) ` +
    `ON DELETE ${keyword(REFERENTIAL_ACTIONS, fk.onDelete)} ON UPDATE ${keyword(REFERENTIAL_ACTIONS, fk.onUpdate)}${notValid ? ' NOT VALID' : ''};`
  );
}

/** COMMENT ON TABLE and COMMENT ON COLUMN for every comment the table declares. */
export function tableComments(table: TableModel): string[] {
  const name = qualifiedName(table.schema, table.name);
  const statements: string[] = [];
  if (table.comment !== undefined) statements.push(`COMMENT ON TABLE ${name} IS ${quoteLiteral(table.comment)};`);
  for (const column of table.columns) {
    if (column.comment !== undefined) statements.push(`COMMENT ON COLUMN ${name}.${quoteIdentifier(column.name)} IS ${quoteLiteral(column.comment)};`);
  }
  return statements;
}

/** CREATE TYPE ... AS ENUM (...) and its comment. */
export function createEnum(type: EnumModel): string[] {
  const name = qualifiedName(type.schema, type.name);
  const statements = [`CREATE TYPE ${name} AS ENUM (${type.values.map(quoteLiteral).join(', ')});`];
  if (type.comment !== undefined) statements.push(`COMMENT ON TYPE ${name} IS ${quoteLiteral(type.comment)};`);
  return statements;
}
