// BEDROCK-L9: the runner bounds every lock wait with the environment's short lock_timeout. A
// step that raises it (SET LOCAL lock_timeout = '1min') and then asks for ACCESS EXCLUSIVE lets
// its waiting request block every later reader and writer that long.
import { lintRule, Risk } from '../lint-rule';
import { alterCommands, relationOf } from '../statement-parts';

/** Above this, a waiting ACCESS EXCLUSIVE request is an outage of its own. */
export const LONGEST_LOCK_WAIT_MS = 2_000;

export const LongLockWait = lintRule({
  id: 'BEDROCK-L9',
  name: 'LongLockWait',
  severity: 'error',
  description: `A statement taking ACCESS EXCLUSIVE runs with a lock_timeout of at most ${LONGEST_LOCK_WAIT_MS} ms (the runner's own, unless the step raised it)`,
  risks(statement, facts, schema): Risk[] {
    if (facts.lockTimeoutMs === undefined || facts.lockTimeoutMs <= LONGEST_LOCK_WAIT_MS) return [];
    const exclusive = (statement.kind === 'AlterTableStmt' && alterCommands(statement.node).length > 0) || statement.kind === 'RenameStmt' || statement.kind === 'TruncateStmt' || statement.kind === 'LockStmt';
    if (!exclusive) return [];
    return [
      {
        table: relationOf(statement, schema),
        what: `waits up to ${facts.lockTimeoutMs} ms for its lock (SET LOCAL lock_timeout earlier in the step)`,
        lock: 'ACCESS EXCLUSIVE',
        work: 'none',
        why: 'while its request waits, every later read and write of the table queues behind it',
        safe: "remove the SET LOCAL lock_timeout: the runner's short timeout and its retries (lockTimeoutMs, lockRetries per environment) wait without queueing everyone",
      },
    ];
  },
});
