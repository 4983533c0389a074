// BEDROCK-L11: statements PostgreSQL refuses inside a transaction block (CREATE/DROP INDEX
// CONCURRENTLY, REINDEX CONCURRENTLY, VACUUM) belong in a step outside a transaction, alone: in
// a transactional step the deploy fails at that statement. Not acknowledgeable: PostgreSQL
// refuses it whatever the reason.
import { lintRule, Risk } from '../lint-rule';
import { relationOf } from '../statement-parts';

const OUTSIDE_TRANSACTION: readonly [string, (node: Record<string, unknown>) => boolean, string][] = [
  ['IndexStmt', (n) => n.concurrent === true, 'CREATE INDEX CONCURRENTLY'],
  ['DropStmt', (n) => n.concurrent === true, 'DROP INDEX CONCURRENTLY'],
  ['ReindexStmt', (n) => JSON.stringify(n.params ?? []).includes('"concurrently"'), 'REINDEX CONCURRENTLY'],
  ['VacuumStmt', () => true, 'VACUUM'],
  ['CreatedbStmt', () => true, 'CREATE DATABASE'],
];

export const OutsideTransactionOnly = lintRule({
  id: 'BEDROCK-L11',
  name: 'OutsideTransactionOnly',
  severity: 'error',
  acknowledgeable: false,
  description: 'CONCURRENTLY (and VACUUM) run alone, in a step outside a transaction',
  risks(statement, facts, schema): Risk[] {
    if (facts.mode === 'outside transaction') return [];
    const found = OUTSIDE_TRANSACTION.find(([kind, test]) => kind === statement.kind && test(statement.node));
    if (!found) return [];
    return [
      {
        table: statement.kind === 'IndexStmt' ? relationOf(statement, schema) : '',
        on: statement.kind === 'IndexStmt' ? undefined : 'its table',
        what: `runs ${found[2]} inside a transaction`,
        lock: 'SHARE UPDATE EXCLUSIVE',
        work: 'scan',
        why: 'PostgreSQL refuses it in a transaction block: the deploy stops there',
        safe: 'put a `-- +step outside transaction` line above it, alone in its step',
      },
    ];
  },
});
