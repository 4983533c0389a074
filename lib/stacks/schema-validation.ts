// Checks that span a whole schema rather than one table: relation names are shared by
// tables, indexes and sequences, and enums used by columns must be defined in the schema.
import { EnumModel, TableModel } from '../model/table-model';

/** Every relation name a table brings into its schema, with what brings it. */
function relationNames(table: TableModel): [string, string][] {
  const names: [string, string][] = [[table.name, `table ${table.name}`]];
  if (table.primaryKey) names.push([table.primaryKey.name, `primary key of ${table.name}`]);
  for (const unique of table.uniques) names.push([unique.name, `unique constraint of ${table.name}`]);
  for (const index of table.indexes) names.push([index.name, `index of ${table.name}`]);
  for (const column of table.columns) {
    if (column.identity || column.serial) names.push([`${table.name}_${column.name}_seq`, `sequence of ${table.name}.${column.name}`]);
  }
  return names;
}

export function schemaProblems(tables: readonly TableModel[], enums: readonly EnumModel[]): string[] {
  const problems: string[] = [];
  const owners = new Map<string, string>();
  for (const [name, what] of tables.flatMap(relationNames)) {
    const first = owners.get(name);
    if (first) problems.push(`the name "${name}" is used by the ${first} and the ${what}: PostgreSQL keeps them in one namespace; rename one`);
    else owners.set(name, what);
  }
  const typeNames = new Set<string>();
  for (const type of enums) {
    if (typeNames.has(type.name)) problems.push(`the enum "${type.name}" is defined twice: keep one EnumType per name`);
    typeNames.add(type.name);
  }
  return problems;
}
