// BEDROCK-L3: SET NOT NULL reads the whole table under ACCESS EXCLUSIVE, unless a validated
// CHECK (col IS NOT NULL) already proves it (PostgreSQL 12+), as the generated form provides.
import { lintRule, Risk } from '../lint-rule';
import { alterCommands, relationOf } from '../statement-parts';

export const SetNotNullWithoutValidatedCheck = lintRule({
  id: 'BEDROCK-L3',
  name: 'SetNotNullWithoutValidatedCheck',
  severity: 'error',
  description: 'SET NOT NULL comes after a validated CHECK (col IS NOT NULL), on a table that may hold rows',
  risks(statement, facts, schema): Risk[] {
    if (statement.kind !== 'AlterTableStmt') return [];
    const table = relationOf(statement, schema);
    return alterCommands(statement.node)
      .filter((command) => command.subtype === 'AT_SetNotNull' && !facts.provenNotNull.has(`${table}.${String(command.name)}`))
      .map((command) => ({
        table,
        what: `sets NOT NULL on ${String(command.name)}`,
        lock: 'ACCESS EXCLUSIVE',
        work: 'scan',
        why: 'no read or write of the table goes through until every row is checked',
        safe: `ADD CONSTRAINT c CHECK (${String(command.name)} IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT c (its own step); then SET NOT NULL and DROP CONSTRAINT c`,
      }));
  },
});
