// BEDROCK-L8 (warning): renaming a table or a column breaks every reader that names it, in this
// service's running version and in every other service.
import { lintRule, Risk } from '../lint-rule';
import { relationOf } from '../statement-parts';

export const RenameTableOrColumn = lintRule({
  id: 'BEDROCK-L8',
  name: 'RenameTableOrColumn',
  severity: 'warning',
  description: 'A table or column is renamed only once no reader names it',
  risks(statement, _facts, schema): Risk[] {
    const { node } = statement;
    if (statement.kind !== 'RenameStmt' || (node.renameType !== 'OBJECT_TABLE' && node.renameType !== 'OBJECT_COLUMN')) return [];
    const what = node.renameType === 'OBJECT_TABLE' ? `renames the table to ${String(node.newname)}` : `renames column ${String(node.subname)} to ${String(node.newname)}`;
    return [
      {
        table: relationOf(statement, schema),
        what,
        lock: 'ACCESS EXCLUSIVE',
        work: 'none',
        why: 'every query naming the old name fails from then on, in this service and in every service reading it',
        safe: 'expand/contract: add the new column (or a view under the new name), write both, move readers, then drop the old one',
      },
    ];
  },
});
