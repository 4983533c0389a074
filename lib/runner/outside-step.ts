// A statement run outside a transaction (CREATE INDEX CONCURRENTLY, VACUUM...): as the owner
// role, with the migration search_path, bounded by the session's statement_timeout (pinned); the runner's own session
// settings restored after it, whatever happened.
import { quoteIdentifier } from '../sql/identifier';
import { quoteLiteral } from '../sql/literal';
import { answerWithinMs, destroyConnection, isReadTimeout, queryWithin, SilentServer } from './answer-bound';
import { sessionSettings } from './converge-options';
import { RunContext } from './run-context';
import { migrationSearchPath, pinSession } from './session';

/** `lockTimeoutMs`: 0 waits for locks as long as statement_timeout allows (see index-step.ts). */
export async function runOutsideTransaction(context: RunContext, sql: string, lockTimeoutMs: number): Promise<void> {
  const { client, plan, settings } = context;
  const bound = answerWithinMs(sql, settings.statementTimeoutMs);
  try {
    await client.query(
      `SET ROLE ${quoteIdentifier(plan.ownerRole)}; SET search_path = ${migrationSearchPath(plan.schema ?? plan.service)}; SET lock_timeout = ${quoteLiteral(`${lockTimeoutMs}ms`)}`,
    );
    await queryWithin(client, sql, bound);
  } catch (error) {
    if (!isReadTimeout(error)) throw error;
    destroyConnection(client);
    throw new SilentServer(bound);
  } finally {
    // The ledger is written as the deploying user, with the runner's own settings again (and
    // its name, which says since when it holds the service's lock).
    await client.query('RESET ROLE').catch(() => undefined);
    await pinSession(client, { ...sessionSettings(plan, settings), applicationName: context.applicationName }).catch(() => undefined);
  }
}
