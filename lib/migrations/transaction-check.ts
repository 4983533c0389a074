// Statements that PostgreSQL refuses inside a transaction block must be in a migration
// marked `-- transactional: false`; check says so before a deploy finds out.
import { Migration } from './migration-file';
import { parsedMigration } from '../statements/parsed-migration';

const OUTSIDE_TRANSACTION: readonly [string, (node: Record<string, unknown>) => boolean, string][] = [
  ['IndexStmt', (n) => n.concurrent === true, 'CREATE INDEX CONCURRENTLY'],
  ['DropStmt', (n) => n.concurrent === true, 'DROP INDEX CONCURRENTLY'],
  ['ReindexStmt', (n) => JSON.stringify(n.params ?? []).includes('"concurrently"'), 'REINDEX CONCURRENTLY'],
  ['VacuumStmt', () => true, 'VACUUM'],
  ['CreatedbStmt', () => true, 'CREATE DATABASE'],
];

/** Problems with running `migration` in (or out of) a transaction. */
export function transactionProblems(migration: Migration): string[] {
  // Parsed once per file content, shared with the statement judge.
  const parsed = parsedMigration(migration);
  const syntaxError = parsed.syntaxErrors.find((e) => e.section === 'up');
  if (syntaxError) return [`its up SQL does not parse: ${syntaxError.message}`];
  const found = parsed.statements
    .filter((s) => s.section === 'up')
    .flatMap(({ kind, node }) => OUTSIDE_TRANSACTION.filter(([k, test]) => k === kind && test(node)).map(([, , label]) => label));
  if (found.length > 0 && migration.transactional) {
    return [`${[...new Set(found)].join(', ')} cannot run inside a transaction: mark the migration "-- transactional: false" (it then runs statement by statement) and run \`npm run bedrock -- rehash ${migration.service}\``];
  }
  return [];
}
