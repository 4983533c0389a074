// The shape of a migration's steps: each step parses on its own (a step line inside a statement
// would cut it in two), and a step outside a transaction holds one statement, so a failure
// leaves no doubt about what ran. Which statements must run outside a transaction is lint rule
// BEDROCK-L11's. check says so before a deploy finds out.
import { Migration, StepText, stepMarker } from './migration-file';
import { parsedMigration } from '../statements/parsed-migration';
import { StepStatement, stepStatements } from './planned-steps';

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
  // A file whose header says `-- transactional: false` runs statement by statement: each is a step.
  if (step.mode !== 'outside transaction' || !migration.transactional || statements.length <= 1) return [];
  return [`${section} step at line ${step.line}: a step outside a transaction holds one statement (it has ${statements.length}): put a "${OUTSIDE}" line above each`];
}
