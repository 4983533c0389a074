// Before a transfer step (step-transfer.ts) runs, the runner checks that the table is where the
// step expects it and, for an adopt, that the giving service has applied its release: deploying
// the taker before the giver is refused here with what to do, and nothing is changed. The step
// itself then runs like any transactional step, as the deploying user (step-transaction.ts).
import { qualifiedName } from '../sql/identifier';
import { RunContext } from './run-context';
import { RunnerError } from './runner-error';
import { StepTransfer } from './step-transfer';

/** The ledger statuses of a migration that counts as applied. */
const APPLIED = ['applied', 'baselined'];

export async function checkTransfer(context: RunContext, id: string, transfer: StepTransfer): Promise<void> {
  const { client, plan } = context;
  const service = plan.service;
  const where = `${transfer.schema}.${transfer.table}`;
  if (transfer.action === 'adopt' && transfer.after === undefined) throw new RunnerError(`REFUSED: ${service}: migration ${id} adopts ${where} without naming the release it waits for: generate it again. Nothing was changed`);
  if (transfer.action === 'adopt' && transfer.after !== undefined) {
    const row = await client.query<{ status: string }>('SELECT status FROM bedrock.migrations WHERE service = $1 AND id = $2', [transfer.other, transfer.after]);
    const status = row.rows[0]?.status;
    if (status === undefined || !APPLIED.includes(status)) {
      throw new RunnerError(
        `REFUSED: ${service}: migration ${id} adopts ${where} from ${transfer.other}, which releases it in its migration ${transfer.after}; ` +
          `${transfer.other} has ${status === undefined ? 'not applied it' : `it as ${status}`} here. Deploy ${transfer.other} first ` +
          `(its stack, or \`npx bedrock migrate --service ${transfer.other}\`), then ${service}. Nothing was changed`,
      );
    }
  }
  const found = await client.query<{ owner: string }>(
    `SELECT pg_catalog.pg_get_userbyid(c.relowner) AS owner FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass($1::text) AND c.relkind IN ('r', 'p')`,
    [qualifiedName(transfer.schema, transfer.table)],
  );
  if (found.rows.length > 0) return;
  throw new RunnerError(`REFUSED: ${service}: migration ${id} ${missing(transfer, where, service)}. Nothing was changed`);
}

function missing(t: StepTransfer, where: string, service: string): string {
  switch (t.action) {
    case 'reclaim':
      return `takes back ${where} from ${t.other}, but the table is not in ${t.schema}: ${t.other} still holds it. Roll ${t.other} back past its adopt first (deploy ${t.other}'s plan without it, or \`npx bedrock down --service ${t.other}\`)`;
    case 'adopt':
      return `adopts ${where} from ${t.other}, but there is no such table: has it moved already, or was it dropped? Compare \`npx bedrock status\` of both services`;
    default:
      return `${t.action === 'release' ? 'releases' : 'returns'} ${where}, but there is no such table: see what happened to it with \`npx bedrock drift --service ${service}\``;
  }
}
