// The data sections of a migration, each as a whole and against the snapshots (BEDROCK-S5, the
// part the statement judge cannot see from one statement): a section holds a statement; a
// batched one exactly one, in the up, on a table of the service's own schema that exists, in
// batches of a sane size, by a key that is unique and NOT NULL when the section runs. A key that
// repeats would run a batch boundary's rows twice or skip them; a NULL key is never in a range.
import { isNotNull, ServiceSchema, TableModel } from '../schema/schema-model';
import { StatementContext } from '../statements/statement-context';
import { DataSection, Migration } from './migration-file';
import { stepStatements } from './planned-steps';

/** The most rows one batch may change: its rows stay locked against other writers until it commits. */
export const MAX_BATCH_SIZE = 100_000;

const RULE = 'BEDROCK-S5';

/**
 * Problems of `migration`'s data sections, each `<service>: <id>.sql line N: [BEDROCK-S5] ...`.
 * `before` and `after`: the schema before and after the migration (its parent's and its own snapshot).
 */
export function dataSectionProblems(migration: Migration, before: ServiceSchema, after: ServiceSchema, context: StatementContext): string[] {
  return migration.dataSections.flatMap((section) => sectionProblems(migration, section, before, after, context).map(([line, message]) => `${context.service}: ${migration.id}.sql line ${line}: [${RULE}] ${message}`));
}

function sectionProblems(migration: Migration, section: DataSection, before: ServiceSchema, after: ServiceSchema, context: StatementContext): [number, string][] {
  let count: number;
  try {
    count = stepStatements({ mode: 'transaction', sql: section.sql, line: section.line }, `${migration.id}.sql`).length;
  } catch {
    return []; // does not parse: the judge reports the syntax error (BEDROCK-S0)
  }
  const at = section.markerLine;
  if (count === 0) {
    return [[at, `the data section holds no statement (only comments): write its DML (INSERT, UPDATE, DELETE, SELECT), or remove its "-- +data" line, then \`rehash\``]];
  }
  const { declaration } = section;
  if (declaration.kind !== 'batched') return [];
  const declared = `${declaration.schema}.${declaration.table}`;
  const problems: [number, string][] = [];
  if (section.section === 'down') {
    problems.push([at, `a batched data section in the down: a rollback runs from the ledger's stored down SQL and downs run where downgrades are allowed (small tables), so the down takes a "-- +data" section in one transaction`]);
  }
  if (count > 1) problems.push([at, `the batched data section holds ${count} statements: it holds exactly one UPDATE or DELETE of ${declared} (the runner adds the key range to its WHERE); put the others in a "-- +data" section of their own`]);
  if (declaration.size > MAX_BATCH_SIZE) {
    problems.push([at, `size ${declaration.size}: at most ${MAX_BATCH_SIZE.toLocaleString('en-US')} rows per batch (a batch's rows stay locked against other writers until it commits); 10000 is a good start`]);
  }
  if (declaration.schema !== context.schema) {
    problems.push([at, `it declares ${declared}, in schema ${declaration.schema}: ${context.service}'s data sections change ${context.service}'s tables only (schema ${context.schema})`]);
    return problems;
  }
  const table = after.tables.find((t) => t.name === declaration.table);
  if (!table) {
    const names = after.tables.map((t) => t.name).join(', ') || 'none';
    return [...problems, [at, `it declares ${declared}, which the snapshot after this migration does not have (tables: ${names}): declare one of them`]];
  }
  const key = keyProblem(table, declaration.key);
  if (key) return [...problems, [at, `key ${declaration.key}: ${key}`]];
  const earlier = before.tables.find((t) => t.name === declaration.table);
  if (earlier && keyProblem(earlier, declaration.key)) {
    problems.push([at, `key ${declaration.key}: ${declared} gets its unique NOT NULL key on ${declaration.key} in this migration, after the data sections run: batch by a key the table has already${suggestion(earlier)}, or add the key in an earlier migration`]);
  }
  return problems;
}

/** Why `key` cannot order `table`'s batches, or undefined: it must be unique and NOT NULL on its own. */
function keyProblem(table: TableModel, key: string): string | undefined {
  const column = table.columns.find((c) => c.name === key);
  const qualified = `${table.schema}.${table.name}`;
  if (!column) return `${qualified} has no column ${JSON.stringify(key)}: batch by a unique NOT NULL column${suggestion(table)}`;
  const primary = table.primaryKey?.columns.length === 1 && table.primaryKey.columns[0] === key;
  const unique =
    primary ||
    table.uniques.some((u) => u.columns.length === 1 && u.columns[0] === key) ||
    table.indexes.some((i) => i.unique && i.where === undefined && i.columns.length === 1 && i.columns[0].column === key && i.columns[0].opclass === undefined);
  if (unique && isNotNull(table, column)) return undefined;
  const missing = [...(unique ? [] : ['unique on its own (a single-column primary key, unique constraint or unique index)']), ...(isNotNull(table, column) ? [] : ['NOT NULL'])].join(' and ');
  return `column ${key} of ${qualified} is not ${missing}: batches by a key that repeats would run rows twice or skip them at a batch boundary, and a NULL key is in no batch; batch by a unique NOT NULL column${suggestion(table)}`;
}

function suggestion(table: TableModel): string {
  const primary = table.primaryKey?.columns.length === 1 ? table.primaryKey.columns[0] : undefined;
  return primary ? ` (e.g. its primary key: key ${primary})` : '';
}
