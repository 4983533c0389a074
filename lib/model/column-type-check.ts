// A column's type is spliced into DDL as its `sql`. The built-in types build it from checked
// parameters, but ColumnType is a public interface: a type from elsewhere (or plain
// JavaScript) is checked to be exactly one PostgreSQL type name before it reaches SQL.
import { ColumnType, describeValue } from './column-type';
import { parseTypeName } from '../sql/parser';

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
