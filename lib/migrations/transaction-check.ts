// Statements that PostgreSQL refuses inside a transaction block must be in a step of their own
// outside one (`-- +step outside transaction`, or a file whose header says `-- transactional:
// false`); and a step outside a transaction holds one statement, so a failure leaves no doubt
// about what ran. check says so before a deploy finds out.
import { Migration, StepText, stepMarker } from './migration-file';
import { parsedMigration } from '../statements/parsed-migration';
import { StepStatement, stepStatements } from './planned-steps';

const OUTSIDE_TRANSACTION: readonly [string, (node: Record<string, unknown>) => boolean, string][] = [
  ['IndexStmt', (n) => n.concurrent === true, 'CREATE INDEX CONCURRENTLY'],
  ['DropStmt', (n) => n.concurrent === true, 'DROP INDEX CONCURRENTLY'],
  ['ReindexStmt', (n) => JSON.stringify(n.params ?? []).includes('"concurrently"'), 'REINDEX CONCURRENTLY'],
  ['VacuumStmt', () => true, 'VACUUM'],
  ['CreatedbStmt', () => true, 'CREATE DATABASE'],
];

const OUTSIDE = stepMarker('outside transaction');

/** Problems with running `migration`'s statements in (or out of) a transaction. */
export function transactionProblems(migration: Migration): string[] {
  // Parsed once per file content, shared with the statement judge.
  const syntaxError = parsedMigration(migration).syntaxErrors[0];
  if (syntaxError) return [`its ${syntaxError.section} SQL does not parse: ${syntaxError.message}`];
  return (['up', 'down'] as const).flatMap((section) =>
    (section === 'up' ? migration.upSteps : migration.downSteps).flatMap((step) => {
      try {
        return stepProblems(migration, section, step, stepStatements(step, `${migration.id}.sql`));
      } catch (error) {
        return [(error as Error).message.replace(`${migration.id}.sql: `, '')];
      }
    }),
  );
}

function stepProblems(migration: Migration, section: 'up' | 'down', step: StepText, statements: readonly StepStatement[]): string[] {
  const where = `${section} step at line ${step.line}`;
  if (step.mode === 'outside transaction') {
    // A file whose header says `-- transactional: false` runs statement by statement: each is a step.
    if (migration.transactional && statements.length > 1) return [`${where}: a step outside a transaction holds one statement (it has ${statements.length}): put a "${OUTSIDE}" line above each`];
    return [];
  }
  const refused = statements.flatMap((s) => OUTSIDE_TRANSACTION.filter(([kind, test]) => kind === s.kind && test(s.node)).map(([, , label]) => `${label} (line ${s.line})`));
  if (refused.length === 0) return [];
  return [`${where}: ${refused.join(', ')} cannot run inside a transaction: put a "${OUTSIDE}" line above it (each such statement in a step of its own), then run \`npm run bedrock -- rehash ${migration.service}\``];
}
