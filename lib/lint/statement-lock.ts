// The table lock a statement takes, by its kind, as PostgreSQL's documentation gives it: what a
// reviewer reads beside each statement of the review page (the lint says when it is a risk).
import type { ParsedStatement } from '../statements/statement-rule';
import { alterCommands } from './statement-facts';
import { BLOCKED_BY, LintLock } from './lint-rule';

export interface StatementLock {
  /** The lock on the table it works on; 'none' for an object it creates (nothing waits on it). */
  readonly lock: LintLock | 'ACCESS SHARE' | 'none';
  /** What that lock blocks for other sessions. */
  readonly blocks: 'reads and writes' | 'writes' | 'nothing';
}

const lock = (name: LintLock | 'ACCESS SHARE' | 'none'): StatementLock => ({ lock: name, blocks: name === 'none' || name === 'ACCESS SHARE' ? 'nothing' : BLOCKED_BY[name] });

const CREATES = new Set(['CreateStmt', 'CreateEnumStmt', 'CompositeTypeStmt', 'CreateSeqStmt', 'ViewStmt', 'CreateDomainStmt', 'CreateRangeStmt', 'CreateTableAsStmt', 'AlterEnumStmt', 'VariableSetStmt']);

export function statementLock(statement: ParsedStatement): StatementLock {
  const { kind, node } = statement;
  if (CREATES.has(kind)) return lock('none');
  switch (kind) {
    case 'IndexStmt':
      return lock(node.concurrent === true ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE');
    case 'DropStmt':
      if (node.removeType === 'OBJECT_INDEX') return lock(node.concurrent === true ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE');
      return lock(node.removeType === 'OBJECT_TABLE' ? 'ACCESS EXCLUSIVE' : 'none');
    case 'AlterTableStmt':
      return alterTableLock(node);
    case 'RenameStmt':
      return lock(node.renameType === 'OBJECT_INDEX' ? 'SHARE UPDATE EXCLUSIVE' : node.renameType === 'OBJECT_TYPE' ? 'none' : 'ACCESS EXCLUSIVE');
    case 'CommentStmt':
    case 'VacuumStmt':
    case 'CreateStatsStmt':
      return lock('SHARE UPDATE EXCLUSIVE');
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt':
      return lock('ROW EXCLUSIVE');
    case 'SelectStmt':
      return lock('ACCESS SHARE');
    default:
      return lock('ACCESS EXCLUSIVE');
  }
}

/** The strongest lock an ALTER TABLE's commands take (VALIDATE and ADD FOREIGN KEY are the lighter ones). */
function alterTableLock(node: Record<string, unknown>): StatementLock {
  const commands = alterCommands(node);
  const validateOnly = commands.every((c) => c.subtype === 'AT_ValidateConstraint');
  if (validateOnly) return lock('SHARE UPDATE EXCLUSIVE');
  const foreignKeysOnly = commands.every((c) => c.subtype === 'AT_AddConstraint' && (c.def as { Constraint?: { contype?: string } } | undefined)?.Constraint?.contype === 'CONSTR_FOREIGN');
  return lock(foreignKeysOnly ? 'SHARE ROW EXCLUSIVE' : 'ACCESS EXCLUSIVE');
}
