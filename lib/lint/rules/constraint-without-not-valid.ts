// BEDROCK-L2: ADD CHECK reads the whole table under ACCESS EXCLUSIVE; ADD FOREIGN KEY reads it
// under SHARE ROW EXCLUSIVE on both tables. Added NOT VALID, the lock is held for moments, and
// VALIDATE CONSTRAINT reads the table later under a lock that lets reads and writes through.
import { lintRule, Risk } from '../lint-rule';
import { addedConstraint, alterCommands, relationOf, tableKey } from '../statement-parts';

export const ConstraintWithoutNotValid = lintRule({
  id: 'BEDROCK-L2',
  name: 'ConstraintWithoutNotValid',
  severity: 'error',
  description: 'A check or foreign key is added NOT VALID, then validated in a step of its own, on a table that may hold rows',
  risks(statement, _facts, schema): Risk[] {
    if (statement.kind !== 'AlterTableStmt') return [];
    const table = relationOf(statement, schema);
    return alterCommands(statement.node).flatMap((command): Risk[] => {
      const constraint = addedConstraint(command);
      if (!constraint || constraint.skip_validation === true) return [];
      const name = String(constraint.conname ?? '(unnamed)');
      if (constraint.contype === 'CONSTR_CHECK') {
        return [{ table, what: `adds check ${name}`, lock: 'ACCESS EXCLUSIVE', work: 'scan', why: 'no read or write of the table goes through until every row is checked', safe: `ADD CONSTRAINT ${name} CHECK (...) NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT ${name} in a \`-- +step\` of its own` }];
      }
      if (constraint.contype === 'CONSTR_FOREIGN') {
        const referenced = tableKey(constraint.pktable as Record<string, unknown>, schema);
        return [{ table, what: `adds foreign key ${name} (to ${referenced})`, lock: 'SHARE ROW EXCLUSIVE', work: 'scan', why: `no write to either table goes through until every row is checked against ${referenced}`, safe: `ADD CONSTRAINT ${name} FOREIGN KEY ... NOT VALID, then VALIDATE CONSTRAINT ${name} in a \`-- +step\` of its own` }];
      }
      return [];
    });
  },
});
