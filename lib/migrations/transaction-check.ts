// Statements that PostgreSQL refuses inside a transaction block must be in a migration
// marked `-- transactional: false`; check says so before a deploy finds out.
import * as pgQuery from 'libpg-query';
import { Migration } from './migration-file';

const OUTSIDE_TRANSACTION: readonly [string, (node: Record<string, unknown>) => boolean, string][] = [
  ['IndexStmt', (n) => n.concurrent === true, 'CREATE INDEX CONCURRENTLY'],
  ['DropStmt', (n) => n.concurrent === true, 'DROP INDEX CONCURRENTLY'],
  ['ReindexStmt', (n) => JSON.stringify(n.params ?? []).includes('"concurrently"'), 'REINDEX CONCURRENTLY'],
  ['VacuumStmt', () => true, 'VACUUM'],
  ['CreatedbStmt', () => true, 'CREATE DATABASE'],
];

/** Problems with running `migration` in (or out of) a transaction. */
export function transactionProblems(migration: Migration): string[] {
  let statements: pgQuery.ParseResult['stmts'];
  try {
    statements = pgQuery.parseSync(migration.up).stmts ?? [];
  } catch (error) {
    return [`its up SQL does not parse: ${(error as Error).message}`];
  }
  const found = statements.flatMap((s) => {
    const [[kind, node]] = Object.entries(s.stmt as unknown as Record<string, Record<string, unknown>>);
    return OUTSIDE_TRANSACTION.filter(([k, test]) => k === kind && test(node)).map(([, , label]) => label);
  });
  if (found.length > 0 && migration.transactional) {
    return [`${[...new Set(found)].join(', ')} cannot run inside a transaction: mark the migration "-- transactional: false" (it then runs statement by statement) and run \`npm run bedrock -- rehash ${migration.service}\``];
  }
  return [];
}
