// BEDROCK-L10: ADD PRIMARY KEY / ADD UNIQUE builds the index while holding ACCESS EXCLUSIVE. Built
// first as a unique index CONCURRENTLY, the key becomes a constraint in a moment (USING INDEX).
import { lintRule, Risk } from '../lint-rule';
import { addedConstraint, alterCommands, relationOf } from '../statement-parts';

export const KeyBuiltInPlace = lintRule({
  id: 'BEDROCK-L10',
  name: 'KeyBuiltInPlace',
  severity: 'error',
  description: 'A unique or primary key on a table that may hold rows is added USING INDEX (built CONCURRENTLY first)',
  risks(statement, _facts, schema): Risk[] {
    if (statement.kind !== 'AlterTableStmt') return [];
    const table = relationOf(statement, schema);
    return alterCommands(statement.node).flatMap((command): Risk[] => {
      const constraint = addedConstraint(command);
      if (!constraint || (constraint.contype !== 'CONSTR_UNIQUE' && constraint.contype !== 'CONSTR_PRIMARY') || typeof constraint.indexname === 'string') return [];
      const name = String(constraint.conname ?? '(unnamed)');
      const kind = constraint.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE';
      return [
        {
          table,
          what: `builds ${kind} ${name} in place`,
          lock: 'ACCESS EXCLUSIVE',
          work: 'scan',
          why: 'no read or write of the table goes through for the whole index build',
          safe: `CREATE UNIQUE INDEX CONCURRENTLY ${name} ON ... (its own \`-- +step outside transaction\`), then ADD CONSTRAINT ${name} ${kind} USING INDEX ${name}`,
        },
      ];
    });
  },
});
