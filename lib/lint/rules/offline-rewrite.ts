// BEDROCK-L4: a step marked `-- +step offline` holds ACCESS EXCLUSIVE while it rewrites a table
// (generate marks the changes PostgreSQL cannot make online). On a table with rows that is an
// outage for every reader and writer: a person must say why it is acceptable.
import { lintRule, Risk } from '../lint-rule';
import { alterCommands, relationOf } from '../statement-parts';

export const OfflineRewrite = lintRule({
  id: 'BEDROCK-L4',
  name: 'OfflineRewrite',
  severity: 'error',
  description: 'A step marked offline (a rewrite under ACCESS EXCLUSIVE) on a table that may hold rows carries an acknowledgement with a reason',
  risks(statement, facts, schema): Risk[] {
    if (facts.mode !== 'offline' || statement.kind !== 'AlterTableStmt' || alterCommands(statement.node).length === 0) return [];
    return [
      {
        table: relationOf(statement, schema),
        what: 'rewrites the table',
        lock: 'ACCESS EXCLUSIVE',
        work: 'rewrite',
        why: 'no read or write of the table goes through until every row is rewritten; the environment may refuse it above offlineChangeMaxRows',
        safe: 'expand/contract (a new column, written by both versions, backfilled in batches, readers moved, then the old one dropped), or acknowledge with the reason it is acceptable (a small table, a maintenance window)',
      },
    ];
  },
});
