// BEDROCK-L5 (warning): ALTER COLUMN TYPE outside a step marked offline. PostgreSQL rewrites the
// table unless the new type keeps the storage (varchar(n) to a longer one, numeric precision
// raised); generate marks the ones that rewrite offline, a hand-written one is told here.
import { lintRule, Risk } from '../lint-rule';
import { alterCommands, relationOf } from '../statement-parts';

export const ColumnTypeChange = lintRule({
  id: 'BEDROCK-L5',
  name: 'ColumnTypeChange',
  severity: 'warning',
  description: 'A column type change outside an offline step keeps the storage (or the table is rewritten under ACCESS EXCLUSIVE)',
  risks(statement, facts, schema): Risk[] {
    if (facts.mode === 'offline' || statement.kind !== 'AlterTableStmt') return [];
    const table = relationOf(statement, schema);
    return alterCommands(statement.node)
      .filter((command) => command.subtype === 'AT_AlterColumnType')
      .map((command) => ({
        table,
        what: `changes the type of ${String(command.name)}`,
        lock: 'ACCESS EXCLUSIVE',
        work: 'rewrite',
        why: 'unless the new type keeps the storage (a longer varchar, more numeric precision), every row is rewritten while nothing reads or writes the table',
        safe: 'a storage-keeping change, or expand/contract (a new column, backfilled in batches, then switched to); mark a rewrite `-- +step offline`',
      }));
  },
});
