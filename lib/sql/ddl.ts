// Renders CREATE statements for the model. Identifiers go through quoteIdentifier and
// literals through quoteLiteral; nothing here splices user text unquoted, except the
// SQL expressions the model declares as expressions (already checked by the parser).
import { ColumnModel } from '../model/column';
import { EnumModel, ForeignKeyModel, IndexModel, KeyModel, TableModel } from '../model/table-model';
import { qualifiedName, quoteIdentifier } from './identifier';
import { quoteLiteral } from './literal';

const columnList = (columns: readonly string[]): string => columns.map(quoteIdentifier).join(', ');

/** `"symbol" text NOT NULL DEFAULT 'x'::text` */
export function columnDefinition(column: ColumnModel): string {
  const parts = [quoteIdentifier(column.name), column.type];
  if (column.identity) parts.push(`GENERATED ${column.identity.toUpperCase()} AS IDENTITY`);
  if (column.notNull && !column.identity && !column.serial) parts.push('NOT NULL');
  if (column.default !== undefined) parts.push(`DEFAULT ${column.default}`);
  return parts.join(' ');
}

function keyConstraint(kind: 'PRIMARY KEY' | 'UNIQUE', key: KeyModel): string {
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

/** CREATE [UNIQUE] INDEX ... USING method (...) [INCLUDE (...)] [WHERE ...] */
export function createIndex(table: TableModel, index: IndexModel): string {
  const columns = index.columns.map((c) => {
    const parts = [quoteIdentifier(c.column)];
    if (c.opclass) parts.push(quoteIdentifier(c.opclass));
    if (c.order) parts.push(c.order.toUpperCase());
    if (c.nulls) parts.push(`NULLS ${c.nulls.toUpperCase()}`);
    return parts.join(' ');
  });
  const unique = index.unique ? 'UNIQUE ' : '';
  const include = index.include?.length ? ` INCLUDE (${columnList(index.include)})` : '';
  const where = index.where !== undefined ? ` WHERE (${index.where})` : '';
  return `CREATE ${unique}INDEX ${quoteIdentifier(index.name)} ON ${qualifiedName(table.schema, table.name)} USING ${index.method} (${columns.join(', ')})${include}${where};`;
}

/** ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY ... */
export function addForeignKey(table: TableModel, fk: ForeignKeyModel): string {
  const target = qualifiedName(fk.references.schema, fk.references.table);
  return (
    `ALTER TABLE ${qualifiedName(table.schema, table.name)} ADD CONSTRAINT ${quoteIdentifier(fk.name)} ` +
    `FOREIGN KEY (${columnList(fk.columns)}) REFERENCES ${target} (${columnList(fk.references.columns)}) ` +
    `ON DELETE ${fk.onDelete.toUpperCase()} ON UPDATE ${fk.onUpdate.toUpperCase()};`
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

/**
 * Every statement that creates these enums and tables from nothing: types first, then
 * tables with their indexes and comments, then foreign keys (so table order never matters).
 */
export function createObjects(enums: readonly EnumModel[], tables: readonly TableModel[]): string[] {
  return [
    ...enums.flatMap(createEnum),
    ...tables.flatMap((t) => [createTable(t), ...t.indexes.map((i) => createIndex(t, i)), ...tableComments(t)]),
    ...tables.flatMap((t) => t.foreignKeys.map((fk) => addForeignKey(t, fk))),
  ];
}
