// BEDROCK-L1: CREATE INDEX holds SHARE on the table for the whole build (no writes); DROP INDEX
// holds ACCESS EXCLUSIVE (no reads or writes) while it waits for every query using the table.
import { lintRule, Risk } from '../lint-rule';
import { droppedNames, relationOf } from '../statement-parts';

export const IndexWithoutConcurrently = lintRule({
  id: 'BEDROCK-L1',
  name: 'IndexWithoutConcurrently',
  severity: 'error',
  description: 'An index is created or dropped CONCURRENTLY on a table that may hold rows',
  risks(statement, _facts, schema): Risk[] {
    const { node, kind } = statement;
    if (kind === 'IndexStmt' && node.concurrent !== true) {
      return [
        {
          table: relationOf(statement, schema),
          what: `builds index ${String(node.idxname ?? '(unnamed)')}`,
          lock: 'SHARE',
          work: 'scan',
          why: 'every write to the table waits until the build ends (minutes on millions of rows)',
          safe: 'CREATE INDEX CONCURRENTLY, alone in a `-- +step outside transaction` step',
        },
      ];
    }
    if (kind === 'DropStmt' && node.removeType === 'OBJECT_INDEX' && node.concurrent !== true) {
      const index = droppedNames(node, schema);
      return index.map((name) => ({
          table: name,
          on: `the table of index ${name}`,
          what: 'drops an index',
          lock: 'ACCESS EXCLUSIVE',
          work: 'none',
          why: 'its lock request waits behind every running query on the table, and every later read and write waits behind it',
          safe: 'DROP INDEX CONCURRENTLY, alone in a `-- +step outside transaction` step',
        }) as Risk);
    }
    return [];
  },
});

