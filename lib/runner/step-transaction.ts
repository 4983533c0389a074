// A transactional step in one round trip: BEGIN, timeouts, SET ROLE, the step's SQL, the
// ledger change, COMMIT. The step and its ledger row commit together or not at all.
import { ClientBase } from 'pg';
import { quoteIdentifier } from '../sql/identifier';
import { quoteLiteral } from '../sql/literal';
import { answerWithinMs, destroyConnection, isReadTimeout, queryWithin, SilentServer } from './answer-bound';
import { RunnerSettings } from './converge-options';
import { MigrationPlan } from './planned-migration';
import { migrationSearchPath, RUNNER_SEARCH_PATH } from './session';

/**
 * Statements are separated by a newline before the semicolon, so a trailing comment in the SQL
 * cannot swallow what follows. On any error the rest is skipped by PostgreSQL and the
 * transaction rolled back here. It commits with synchronous_commit off: the step and its ledger
 * row are one transaction, so a server crash loses both or neither (converge flushes at the end).
 */
export async function inOneTransaction(client: ClientBase, plan: MigrationPlan, settings: RunnerSettings, sql: string, ledger: string, as: 'owner' | 'deploying user' = 'owner'): Promise<void> {
  const script = [
    'BEGIN',
    'SET LOCAL synchronous_commit = off',
    `SET LOCAL lock_timeout = ${quoteLiteral(`${settings.lockTimeoutMs}ms`)}`,
    `SET LOCAL statement_timeout = ${quoteLiteral(`${settings.statementTimeoutMs}ms`)}`,
    // A transfer step (step-transfer.ts) needs both services' owner roles: the deploying user has them.
    ...(as === 'owner' ? [`SET LOCAL ROLE ${quoteIdentifier(plan.ownerRole)}`] : []),
    `SET LOCAL search_path = ${migrationSearchPath(plan.schema ?? plan.service)}`,
    sql,
    // Deferred constraint checks fire at COMMIT, and up to PostgreSQL 17 as the current user,
    // who would by then be the deploying user: they are checked now, as the owner.
    'SET CONSTRAINTS ALL IMMEDIATE',
    'RESET ROLE',
    // The ledger rows are written as the deploying user: with pg_catalog alone on the path, no
    // operator or function the migration created can stand in for the ones they use.
    `SET LOCAL search_path = ${RUNNER_SEARCH_PATH}`,
    ledger,
    'COMMIT',
  ].join('\n;\n');
  const bound = answerWithinMs(sql, settings.statementTimeoutMs);
  try {
    await queryWithin(client, script, bound);
  } catch (error) {
    if (isReadTimeout(error)) {
      destroyConnection(client);
      throw new SilentServer(bound);
    }
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
