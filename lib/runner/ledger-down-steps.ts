// A ledger row's down steps: what a rollback runs (the plan no longer holds the migration).
// Rows written by a runner before steps existed keep their down SQL but not its steps, and the
// runner has no parser to split it. While such a migration is still in the plan (same file,
// same checksum), the plan's down steps are recorded on its row, so a later rollback runs
// them as any other: steps outside a transaction outside one.
import { ClientBase } from 'pg';
import { LedgerRow } from './ledger';
import { MigrationPlan, PlannedStep } from './planned-migration';

/** Records the plan's down steps on the rows that lack them; returns the rows as they now are. */
export async function recordMissingDownSteps(client: ClientBase, plan: MigrationPlan, rows: readonly LedgerRow[]): Promise<LedgerRow[]> {
  const byId = new Map(plan.migrations.map((m) => [m.id, m]));
  const updated: LedgerRow[] = [];
  for (const row of rows) {
    const planned = byId.get(row.id);
    if (row.down_steps !== null || !planned || planned.checksum !== row.checksum || (row.status !== 'applied' && row.status !== 'baselined')) {
      updated.push(row);
      continue;
    }
    await client.query(
      `UPDATE bedrock.migrations SET down_steps = $3::jsonb, steps_total = coalesce(steps_total, $4), steps_done = coalesce(steps_done, $4)
        WHERE service = $1 AND id = $2 AND down_steps IS NULL AND checksum = $5`,
      [plan.service, row.id, JSON.stringify(planned.downSteps), planned.upSteps.length, row.checksum],
    );
    updated.push({ ...row, down_steps: [...planned.downSteps], steps_total: row.steps_total ?? planned.upSteps.length, steps_done: row.steps_done ?? planned.upSteps.length });
  }
  return updated;
}

/** The down steps of a ledger row; one transactional step of its down SQL for a row without them. */
export function downStepsOf(row: LedgerRow): readonly PlannedStep[] {
  const steps = row.down_steps ?? [];
  if (steps.length > 0) return steps;
  return [{ transactional: true, sql: row.down_sql, tables: [], retrySafe: true, offline: false, line: 0 }];
}
