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

// ---- Statements for changes (used by the migration differ) ----

const table = (t: { schema: string; name: string }): string => qualifiedName(t.schema, t.name);

export function dropTable(t: TableModel): string {
  return `DROP TABLE ${table(t)};`;
}

export function renameTable(schema: string, from: string, to: string): string {
  return `ALTER TABLE ${qualifiedName(schema, from)} RENAME TO ${quoteIdentifier(to)};`;
}

export function addColumn(t: TableModel, column: ColumnModel): string {
  return `ALTER TABLE ${table(t)} ADD COLUMN ${columnDefinition(column)};`;
}

export function dropColumn(t: TableModel, column: string): string {
  return `ALTER TABLE ${table(t)} DROP COLUMN ${quoteIdentifier(column)};`;
}

export function renameColumn(t: TableModel, from: string, to: string): string {
  return `ALTER TABLE ${table(t)} RENAME COLUMN ${quoteIdentifier(from)} TO ${quoteIdentifier(to)};`;
}

/** A type change always spells out USING, so PostgreSQL never refuses it for want of a cast. */
export function alterColumnType(t: TableModel, column: ColumnModel): string {
  const name = quoteIdentifier(column.name);
  return `ALTER TABLE ${table(t)} ALTER COLUMN ${name} TYPE ${column.type} USING ${name}::${column.type};`;
}

/** Casting through text, for enum types (an enum has no cast to another enum). */
export function alterColumnTypeViaText(t: TableModel, column: string, type: string): string {
  const name = quoteIdentifier(column);
  return `ALTER TABLE ${table(t)} ALTER COLUMN ${name} TYPE ${type} USING ${name}::text::${type};`;
}

export function setDefault(t: TableModel, column: string, expression: string): string {
  return `ALTER TABLE ${table(t)} ALTER COLUMN ${quoteIdentifier(column)} SET DEFAULT ${expression};`;
}

export function dropDefault(t: TableModel, column: string): string {
  return `ALTER TABLE ${table(t)} ALTER COLUMN ${quoteIdentifier(column)} DROP DEFAULT;`;
}

export function setNotNull(t: TableModel, column: string, notNull: boolean): string {
  return `ALTER TABLE ${table(t)} ALTER COLUMN ${quoteIdentifier(column)} ${notNull ? 'SET' : 'DROP'} NOT NULL;`;
}

export function addIdentity(t: TableModel, column: string, generation: 'always' | 'by default'): string {
  return `ALTER TABLE ${table(t)} ALTER COLUMN ${quoteIdentifier(column)} ADD GENERATED ${generation.toUpperCase()} AS IDENTITY;`;
}

export function setIdentityGeneration(t: TableModel, column: string, generation: 'always' | 'by default'): string {
  return `ALTER TABLE ${table(t)} ALTER COLUMN ${quoteIdentifier(column)} SET GENERATED ${generation.toUpperCase()};`;
}

export function dropIdentity(t: TableModel, column: string): string {
  return `ALTER TABLE ${table(t)} ALTER COLUMN ${quoteIdentifier(column)} DROP IDENTITY;`;
}

export function addPrimaryKey(t: TableModel, key: KeyModel): string {
  return `ALTER TABLE ${table(t)} ADD ${keyConstraint('PRIMARY KEY', key)};`;
}

export function addUnique(t: TableModel, key: KeyModel): string {
  return `ALTER TABLE ${table(t)} ADD ${keyConstraint('UNIQUE', key)};`;
}

export function addCheck(t: TableModel, check: { name: string; expression: string }): string {
  return `ALTER TABLE ${table(t)} ADD CONSTRAINT ${quoteIdentifier(check.name)} CHECK (${check.expression});`;
}

export function dropConstraint(t: TableModel, name: string): string {
  return `ALTER TABLE ${table(t)} DROP CONSTRAINT ${quoteIdentifier(name)};`;
}

export function renameConstraint(t: TableModel, from: string, to: string): string {
  return `ALTER TABLE ${table(t)} RENAME CONSTRAINT ${quoteIdentifier(from)} TO ${quoteIdentifier(to)};`;
}

export function dropIndex(schema: string, name: string): string {
  return `DROP INDEX ${qualifiedName(schema, name)};`;
}

export function renameIndex(schema: string, from: string, to: string): string {
  return `ALTER INDEX ${qualifiedName(schema, from)} RENAME TO ${quoteIdentifier(to)};`;
}

export function renameSequence(schema: string, from: string, to: string): string {
  return `ALTER SEQUENCE ${qualifiedName(schema, from)} RENAME TO ${quoteIdentifier(to)};`;
}

export function commentOnTable(t: TableModel, comment: string | undefined): string {
  return `COMMENT ON TABLE ${table(t)} IS ${comment === undefined ? 'NULL' : quoteLiteral(comment)};`;
}

export function commentOnColumn(t: TableModel, column: string, comment: string | undefined): string {
  return `COMMENT ON COLUMN ${table(t)}.${quoteIdentifier(column)} IS ${comment === undefined ? 'NULL' : quoteLiteral(comment)};`;
}

export function commentOnType(type: EnumModel, comment: string | undefined): string {
  return `COMMENT ON TYPE ${table(type)} IS ${comment === undefined ? 'NULL' : quoteLiteral(comment)};`;
}

export function dropEnum(type: EnumModel): string {
  return `DROP TYPE ${table(type)};`;
}

export function renameType(schema: string, from: string, to: string): string {
  return `ALTER TYPE ${qualifiedName(schema, from)} RENAME TO ${quoteIdentifier(to)};`;
}

/** ALTER TYPE ... ADD VALUE, placed before the label that follows it in the model. */
export function addEnumValue(type: EnumModel, value: string, before: string | undefined): string {
  const position = before !== undefined ? ` BEFORE ${quoteLiteral(before)}` : '';
  return `ALTER TYPE ${table(type)} ADD VALUE ${quoteLiteral(value)}${position};`;
}
