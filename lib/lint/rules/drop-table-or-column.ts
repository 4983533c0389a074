// BEDROCK-L7 (warning): dropping a table or a column loses its data and breaks every reader
// still selecting it (other services read every table).
import { lintRule, Risk } from '../lint-rule';
import { alterCommands, droppedNames, relationOf } from '../statement-parts';

export const DropTableOrColumn = lintRule({
  id: 'BEDROCK-L7',
  name: 'DropTableOrColumn',
  severity: 'warning',
  description: 'A table or column is dropped only once no reader uses it (its data is gone)',
  risks(statement, _facts, schema): Risk[] {
    const why = 'its data is gone, and every service still reading it fails';
    const safe = 'contract last: stop every reader first (readers are declared in `reads`), then drop';
    if (statement.kind === 'DropStmt' && statement.node.removeType === 'OBJECT_TABLE') {
      return droppedNames(statement.node, schema).map((table) => ({ table, what: 'drops the table', lock: 'ACCESS EXCLUSIVE', work: 'none', why, safe }) as Risk);
    }
    if (statement.kind !== 'AlterTableStmt') return [];
    const table = relationOf(statement, schema);
    return alterCommands(statement.node)
      .filter((command) => command.subtype === 'AT_DropColumn')
      .map((command) => ({ table, what: `drops column ${String(command.name)}`, lock: 'ACCESS EXCLUSIVE', work: 'none', why, safe }) as Risk);
  },
});
