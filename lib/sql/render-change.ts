// The one place a change becomes SQL: each typed change of the differ to its statements.
import { Change, TableRef } from '../migrations/change';
import { addForeignKey, columnDefinition, createEnum, createIndex, createTable, keyConstraint, keyword, tableComments } from './ddl';
import { renderDefault } from './default-value';
import { qualifiedName, quoteIdentifier } from './identifier';
import { quoteLiteral } from './literal';
import { renderType } from './sql-type';
import { addCheck, alterColumn, alterTable, dropIndex } from './alter-statements';
import { IDENTITY_GENERATIONS } from '../schema/schema-model';
import { transferStatements } from './transfer-statements';

const name = (t: { schema: string; name: string }): string => qualifiedName(t.schema, t.name);
const alter = (table: TableRef, action: string): string[] => [alterTable(table, action)];
const column = (table: TableRef, columnName: string, action: string): string[] => [alterColumn(table, columnName, action)];
const comment = (text: string | undefined): string => (text === undefined ? 'NULL' : quoteLiteral(text));

/** The statements of every change, in order. */
export function renderChanges(changes: readonly Change[]): string[] {
  return changes.flatMap(renderChange);
}

export function renderChange(c: Change): string[] {
  switch (c.kind) {
    case 'CreateEnum':
      return createEnum(c.type);
    case 'DropEnum':
      return [`DROP TYPE ${name(c.type)};`];
    case 'AddEnumValue':
      return [`ALTER TYPE ${name(c.type)} ADD VALUE ${quoteLiteral(c.value)}${c.before !== undefined ? ` BEFORE ${quoteLiteral(c.before)}` : ''};`];
    case 'RebuildEnum':
      return rebuildEnum(c);
    case 'CommentOnEnum':
      return [`COMMENT ON TYPE ${name(c.type)} IS ${comment(c.comment)};`];
    case 'CreateTable':
      return [createTable(c.table), ...c.table.indexes.map((index) => createIndex(c.table, index)), ...tableComments(c.table)];
    case 'DropTable':
      return [`DROP TABLE ${name(c.table)};`];
    case 'TransferTable':
      return transferStatements(c.transfer);
    case 'RenameTable':
      return alter(c.table, `RENAME TO ${quoteIdentifier(c.to)}`);
    case 'AddColumn':
      return [
        ...alter(c.table, `ADD COLUMN ${columnDefinition(c.column)}`),
        ...(c.column.comment !== undefined ? [`COMMENT ON COLUMN ${name(c.table)}.${quoteIdentifier(c.column.name)} IS ${comment(c.column.comment)};`] : []),
      ];
    case 'DropColumn':
      return alter(c.table, `DROP COLUMN ${quoteIdentifier(c.column)}`);
    case 'RenameColumn':
      return alter(c.table, `RENAME COLUMN ${quoteIdentifier(c.column)} TO ${quoteIdentifier(c.to)}`);
    case 'AlterColumnType': {
      // USING is always spelled out, so PostgreSQL never refuses the change for want of a cast;
      // an enum has no cast to another type but text, so it goes through text.
      const type = renderType(c.to);
      return column(c.table, c.column, `TYPE ${type} USING ${quoteIdentifier(c.column)}${c.viaText ? '::text' : ''}::${type}`);
    }
    case 'SetDefault':
      return column(c.table, c.column, `SET DEFAULT ${renderDefault(c.value)}`);
    case 'DropDefault':
      return column(c.table, c.column, 'DROP DEFAULT');
    case 'SetNotNull':
      return column(c.table, c.column, 'SET NOT NULL');
    case 'DropNotNull':
      return column(c.table, c.column, 'DROP NOT NULL');
    case 'AddIdentity':
      return column(c.table, c.column, `ADD GENERATED ${keyword(IDENTITY_GENERATIONS, c.generation)} AS IDENTITY`);
    case 'SetIdentityGeneration':
      return column(c.table, c.column, `SET GENERATED ${keyword(IDENTITY_GENERATIONS, c.generation)}`);
    case 'DropIdentity':
      return column(c.table, c.column, 'DROP IDENTITY');
    case 'AddPrimaryKey':
      return alter(c.table, `ADD ${keyConstraint('PRIMARY KEY', c.key)}`);
    case 'AddUnique':
      return alter(c.table, `ADD ${keyConstraint('UNIQUE', c.key)}`);
    case 'AddCheck':
      return [addCheck(c.table, c.check.name, c.check.expression)];
    case 'DropConstraint':
    case 'DropForeignKey':
      return alter(c.table, `DROP CONSTRAINT ${quoteIdentifier(c.name)}`);
    case 'RenameConstraint':
      return alter(c.table, `RENAME CONSTRAINT ${quoteIdentifier(c.name)} TO ${quoteIdentifier(c.to)}`);
    case 'CreateIndex':
      return [createIndex(c.table, c.index)];
    case 'DropIndex':
      return [dropIndex(c.table.schema, c.name)];
    case 'RenameIndex':
      return [`ALTER INDEX ${qualifiedName(c.table.schema, c.name)} RENAME TO ${quoteIdentifier(c.to)};`];
    case 'RenameSequence':
      return [`ALTER SEQUENCE ${qualifiedName(c.table.schema, c.name)} RENAME TO ${quoteIdentifier(c.to)};`];
    case 'AddForeignKey':
      return [addForeignKey(c.table, c.foreignKey)];
    case 'CommentOnTable':
      return [`COMMENT ON TABLE ${name(c.table)} IS ${comment(c.comment)};`];
    case 'CommentOnColumn':
      return [`COMMENT ON COLUMN ${name(c.table)}.${quoteIdentifier(c.column)} IS ${comment(c.comment)};`];
  }
  throw new Error(`not a change: ${JSON.stringify(c)}`);
}

/**
 * PostgreSQL cannot drop or reorder a label, so the type is rebuilt: the old one renamed away,
 * the new one created, every column using it converted through text (a row holding a removed
 * label fails the migration), then the old type dropped.
 */
function rebuildEnum(c: Extract<Change, { kind: 'RebuildEnum' }>): string[] {
  const replaced = { ...c.type, name: `${c.type.name.slice(0, 50)}_replaced` };
  const type = name(c.type);
  const statements = [`ALTER TYPE ${type} RENAME TO ${quoteIdentifier(replaced.name)};`, ...createEnum(c.type)];
  for (const { table, column: columnName, array, hadDefault, defaultAfter } of c.columns) {
    const to = array ? `${type}[]` : type;
    if (hadDefault) statements.push(...column(table, columnName, 'DROP DEFAULT'));
    statements.push(...column(table, columnName, `TYPE ${to} USING ${quoteIdentifier(columnName)}::text::${to}`));
    if (defaultAfter) statements.push(...column(table, columnName, `SET DEFAULT ${renderDefault(defaultAfter)}`));
  }
  statements.push(`DROP TYPE ${name(replaced)};`);
  return statements;
}
