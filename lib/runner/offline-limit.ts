// An environment may refuse offline steps (ACCESS EXCLUSIVE for a whole table rewrite: no
// reads or writes until it ends) on tables above a size. Checked before anything of a converge
// runs, so a refusal never leaves a migration half applied.
import { ClientBase } from 'pg';
import { qualifiedName, quoteIdentifier } from '../sql/identifier';
import { MigrationPlan, PlannedStep } from './planned-migration';
import { PendingUp } from './run-up';
import { PendingDown } from './run-down';
import { downStepsOf } from './ledger-down-steps';
import { RunnerError } from './runner-error';

interface TableSize {
  readonly rows: number;
  /** Whether `rows` is the planner's estimate (pg_class.reltuples) or a bounded count. */
  readonly estimated: boolean;
}

/**
 * Refuses the converge when a pending offline step, up or down, rewrites a table with more than
 * `maxRows` rows. A rollback's offline steps (the file header's "Not online when rolled back")
 * are held to the same limit: a down on a large table blocks it just the same.
 */
export async function refuseLargeOfflineSteps(client: ClientBase, plan: MigrationPlan, work: { readonly ups: readonly PendingUp[]; readonly downs: readonly PendingDown[] }, maxRows: number | undefined): Promise<void> {
  if (maxRows === undefined) return;
  const pending = [
    ...work.downs.map(({ row, from }) => ({ steps: downStepsOf(row), from, what: (i: number, line: number) => `rolling back ${row.id}, down step ${i} (line ${line}),` })),
    ...work.ups.map(({ migration, from }) => ({ steps: migration.upSteps, from, what: (i: number, line: number) => `migration ${migration.id} step ${i} (line ${line})` })),
  ];
  for (const { steps, from, what } of pending) {
    for (const [index, step] of steps.entries()) {
      if (index < from || !step.offline) continue;
      await refuseLargeTables(client, plan, what(index + 1, step.line), step, maxRows);
    }
  }
}

async function refuseLargeTables(client: ClientBase, plan: MigrationPlan, what: string, step: PlannedStep, maxRows: number): Promise<void> {
  for (const table of step.tables) {
    const size = await tableSize(client, plan.ownerRole, table, maxRows);
    if (size === undefined || size.rows <= maxRows) continue;
    const rows = size.estimated ? `about ${Math.round(size.rows)} rows (the planner's estimate)` : `more than ${maxRows} rows (counted: it was never analyzed)`;
    throw new RunnerError(
      `${plan.service}: REFUSED: ${what} is offline: it holds ${table} under ACCESS EXCLUSIVE (no reads or writes) while it rewrites it, and ${table} holds ${rows}, ` +
        `above this environment's limit of ${maxRows} (offlineChangeMaxRows). Nothing ran. Deploy it in a maintenance window with a higher limit (migrations.offlineChangeMaxRows of this environment in stacks/environments.ts; the runner's --offline-max-rows), ` +
        'or rewrite the change as expand/contract (a new column or table, backfilled in batches, then switched to, then the old one dropped)',
    );
  }
}

/**
 * The rows of `table` (a quoted, qualified SQL name): pg_class.reltuples, or, for a table never
 * analyzed (reltuples < 0), a count that stops after `maxRows` + 1. undefined: not a table yet
 * (an earlier step creates it: empty). The count reads the table as its owner role, read-only,
 * with pg_catalog alone on the path, through a name taken from the catalog.
 */
async function tableSize(client: ClientBase, ownerRole: string, table: string, maxRows: number): Promise<TableSize | undefined> {
  const { rows } = await client.query<{ nspname: string; relname: string; reltuples: number }>(
    `SELECT n.nspname, c.relname, c.reltuples FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = pg_catalog.to_regclass($1::text) AND c.relkind IN ('r', 'p', 'm')`,
    [table],
  );
  if (rows.length === 0) return undefined;
  const { nspname, relname, reltuples } = rows[0];
  if (reltuples >= 0) return { rows: reltuples, estimated: true };
  await client.query(`BEGIN READ ONLY; SET LOCAL ROLE ${quoteIdentifier(ownerRole)}; SET LOCAL search_path = pg_catalog, pg_temp`);
  try {
    const counted = await client.query<{ n: string }>(`SELECT count(*) AS n FROM (SELECT 1 FROM ${qualifiedName(nspname, relname)} LIMIT ${maxRows + 1}) AS bounded`);
    return { rows: Number(counted.rows[0].n), estimated: false };
  } finally {
    await client.query('ROLLBACK');
  }
}
