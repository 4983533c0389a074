// PostgreSQL's compiled-in limits on a table's shape, checked when the table is built so a
// model that cannot exist fails at synth, not halfway through a deploy.
import { TableModel } from './table-model';

/** MaxHeapAttributeNumber: columns a table can have ("tables can have at most 1600 columns"). */
export const MAX_COLUMNS = 1600;
/** INDEX_MAX_KEYS: columns of an index (key and INCLUDE together), and so of a key or foreign key. */
export const MAX_INDEX_COLUMNS = 32;

/** Every limit the table exceeds, each with its fix. */
export function limitProblems(table: TableModel): string[] {
  const problems: string[] = [];
  if (table.columns.length > MAX_COLUMNS) {
    problems.push(`the table has ${table.columns.length} columns; PostgreSQL allows at most ${MAX_COLUMNS} (MaxHeapAttributeNumber): split it into tables that share a key`);
  }
  const indexed: [string, number][] = [
    ...(table.primaryKey ? [[`primary key "${table.primaryKey.name}"`, table.primaryKey.columns.length] as [string, number]] : []),
    ...table.uniques.map((u): [string, number] => [`unique constraint "${u.name}"`, u.columns.length]),
    ...table.indexes.map((i): [string, number] => [`index "${i.name}" (key and INCLUDE columns)`, i.columns.length + (i.include?.length ?? 0)]),
    ...table.foreignKeys.map((f): [string, number] => [`foreign key "${f.name}"`, f.columns.length]),
  ];
  for (const [what, count] of indexed) {
    if (count > MAX_INDEX_COLUMNS) {
      problems.push(`${what} has ${count} columns; PostgreSQL allows at most ${MAX_INDEX_COLUMNS} (INDEX_MAX_KEYS): use fewer columns`);
    }
  }
  return problems;
}
