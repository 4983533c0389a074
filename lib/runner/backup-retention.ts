// Backups expire: at the start of each converge, under the service's lock, the copies whose
// time is up are dropped and their ledger rows kept as 'expired' (with a history row), so
// `status` and `history` still say what was there. The expiry is fixed when a copy is taken
// (created_at + the environment's retentionDays then): changing the retention later applies to
// new copies, and a copy never disappears earlier than `status` said it would. Expiry runs
// whether or not backups are on now: turning them off does not keep old copies forever.
import { RunContext } from './run-context';
import { BackupRow, backupSummary, expiredBackups } from './backup-ledger';
import { dropBackupSql } from '../sql/backup-statements';
import { quoteIdentifier } from '../sql/identifier';
import { describe } from './runner-error';
import { RUNNER_SEARCH_PATH } from './session';

export async function expireBackups(context: RunContext): Promise<void> {
  for (const row of await expiredBackups(context.client, context.plan.service)) await expire(context, row);
}

/**
 * One copy dropped (as the owner role, which owns it) with its ledger row, in one transaction.
 * A copy that cannot be dropped (someone changed its owner, or holds it locked) is reported and
 * left for the next converge: housekeeping never stops a deploy.
 */
async function expire(context: RunContext, row: BackupRow): Promise<void> {
  const { client, plan } = context;
  const note = `${backupSummary(row)}, kept until ${row.expires_at.toISOString()}`;
  try {
    await client.query(`BEGIN; SET LOCAL search_path = ${RUNNER_SEARCH_PATH}; SET LOCAL ROLE ${quoteIdentifier(plan.ownerRole)}`);
    await client.query(dropBackupSql({ schema: row.backup_schema, table: row.backup_table }));
    await client.query('RESET ROLE');
    await client.query(`UPDATE bedrock.backups SET status = 'expired', expired_at = pg_catalog.clock_timestamp() WHERE service = $1 AND number = $2`, [row.service, row.number]);
    await client.query(`INSERT INTO bedrock.migration_history (service, id, action, note) VALUES ($1, $2, 'expire', $3)`, [row.service, row.migration, note]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    context.log(`${plan.service}: backup ${note} expired but could not be dropped (${describe(error)}); the next deploy tries again`);
    return;
  }
  context.log(`${plan.service}: backup ${note} expired: dropped`);
}
