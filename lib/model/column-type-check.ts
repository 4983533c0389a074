// A column's type is spliced into DDL as its `sql`. The built-in types build it from checked
// parameters, but ColumnType is a public interface: a type from elsewhere (or plain
// JavaScript) is checked to be exactly one PostgreSQL type name before it reaches SQL.
import { ColumnType, describeValue } from './column-type';
import { parseTypeName } from '../sql/parser';
import { parseSqlType } from '../sql/sql-type';
import { SqlType } from '../schema/schema-model';

/** What makes `type` unusable as a column's type, with the fix, or undefined. */
export function columnTypeProblem(type: ColumnType | undefined): string | undefined {
  if (typeof type?.sql !== 'string' || typeof type.literal !== 'function') {
    return 'expected a column type: build columns with the column functions (integer(), text(), ...)';
  }
  if (type.problem) return type.problem;
  const parsed = parseTypeName(type.sql);
  if ('problem' in parsed) return `type ${describeValue(type.sql)}: ${parsed.problem}: build columns with the column functions (integer(), text(), ...)`;
  return undefined;
}

/**
 * The column type as data, read from its `sql` by PostgreSQL's parser (for the built-in types
 * as for one from elsewhere). A two-part name in the service's own schema is one of its enums.
 */
export function columnSqlType(type: ColumnType | undefined, schema: string): SqlType | { problem: string } {
  const problem = columnTypeProblem(type);
  if (problem) return { problem };
  const parsed = parseSqlType(type!.sql, (typeSchema) => typeSchema === schema);
  return 'problem' in parsed ? { problem: `type ${describeValue(type!.sql)}: ${parsed.problem}` } : parsed;
}
