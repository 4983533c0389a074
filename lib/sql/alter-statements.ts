// The small statements every writer of DDL shares: ALTER TABLE, ALTER COLUMN, ADD CHECK, DROP
// INDEX. Names go through quoteIdentifier alone, so this file is light enough for the runner's
// bundle (which drops an INVALID index a failed concurrent build left).
import { qualifiedName, quoteIdentifier } from './identifier';

/** A table by schema and name. */
export interface TableName {
  readonly schema: string;
  readonly name: string;
}

/** `ALTER TABLE "s"."t" <action>;` */
export const alterTable = (table: TableName, action: string): string => `ALTER TABLE ${qualifiedName(table.schema, table.name)} ${action};`;

/** `ALTER TABLE "s"."t" ALTER COLUMN "c" <action>;` */
export const alterColumn = (table: TableName, column: string, action: string): string => alterTable(table, `ALTER COLUMN ${quoteIdentifier(column)} ${action}`);

/** `ALTER TABLE ... ADD CONSTRAINT "n" CHECK (<expression>) [NOT VALID];` (the expression as the model holds it, checked by the parser). */
export const addCheck = (table: TableName, name: string, expression: string, notValid = false): string =>
  alterTable(table, `ADD CONSTRAINT ${quoteIdentifier(name)} CHECK (${expression})${notValid ? ' NOT VALID' : ''}`);

/** `DROP INDEX [CONCURRENTLY] [IF EXISTS] "s"."i";` */
export function dropIndex(schema: string, name: string, options: { readonly concurrently?: boolean; readonly ifExists?: boolean } = {}): string {
  return `DROP INDEX ${options.concurrently ? 'CONCURRENTLY ' : ''}${options.ifExists ? 'IF EXISTS ' : ''}${qualifiedName(schema, name)};`;
}
