// What a converge runs: the ledger read against the plan, every disagreement refused before
// anything runs, and the work left (downs newest first, then ups), each from the step where
// the ledger says it stopped.
import { LedgerRow } from './ledger';
import { MigrationPlan } from './planned-migration';
import { PendingDown } from './run-down';
import { downStepsOf } from './ledger-down-steps';
import { PendingUp } from './run-up';
import { RunnerError } from './runner-error';

export interface ConvergeWork {
  /** Newest first. */
  readonly downs: readonly PendingDown[];
  readonly ups: readonly PendingUp[];
}

interface Placed {
  readonly plan: MigrationPlan;
  readonly rows: readonly LedgerRow[];
  readonly planned: ReadonlyMap<string, number>;
}

export function reconcile(plan: MigrationPlan, rows: readonly LedgerRow[], allowDowngrades: boolean): ConvergeWork {
  const placed: Placed = { plan, rows, planned: new Map(plan.migrations.map((m, i) => [m.id, i])) };
  refuseFailed(placed);
  refuseEdited(placed);
  refuseUnfinishable(placed);
  const lastApplied = Math.max(-1, ...rows.filter((r) => placed.planned.has(r.id)).map((r) => placed.planned.get(r.id)!));
  refuseOtherHistory(placed, lastApplied);
  const beyond = rows.filter((r) => !placed.planned.has(r.id));
  refuseDowngrade(placed, beyond, allowDowngrades);
  refuseStepLessOutsideDowns(placed, beyond);
  return { downs: beyond.slice().reverse().map(pendingDown), ups: pendingUps(placed, lastApplied) };
}

function refuseFailed({ plan, rows }: Placed): void {
  const failed = rows.find((r) => r.status === 'failed');
  if (!failed) return;
  throw new RunnerError(
    `${plan.service}: migration ${failed.id} failed earlier and is unresolved (${failed.error ?? 'no error recorded'}). It ran outside a transaction, so part of it may be in the database. ` +
      `Inspect the database, then run \`npm run bedrock -- resolve --service ${plan.service} ${failed.id} --applied\` or \`--rolled-back\``,
  );
}

function refuseEdited({ plan, rows, planned }: Placed): void {
  for (const row of rows) {
    const index = planned.get(row.id);
    const checksum = index === undefined ? undefined : plan.migrations[index].checksum;
    if (checksum === undefined || checksum === row.checksum) continue;
    if (row.status === 'partial') {
      throw new RunnerError(
        `${plan.service}: REFUSED: migration ${row.id} is partly applied (${row.steps_done} of ${row.steps_total} steps) with checksum ${row.checksum}, but the plan has ${checksum}. ` +
          `Its file was edited: restore the original from git so the next deploy finishes it; or inspect the database and settle it with \`npm run bedrock -- resolve --service ${plan.service} ${row.id} --applied\` or \`--rolled-back\``,
      );
    }
    throw new RunnerError(
      `${plan.service}: REFUSED: migration ${row.id} was applied with checksum ${row.checksum}, but the plan has ${checksum}. ` +
        'An applied migration was edited. Restore the original file from git and put the change in a new migration.',
    );
  }
}

/** A migration stopped half-way can only be finished in the direction it was going. */
function refuseUnfinishable({ plan, rows, planned }: Placed): void {
  const resolve = (id: string) => `\`npm run bedrock -- resolve --service ${plan.service} ${id} --applied\` or \`--rolled-back\``;
  for (const row of rows) {
    if (row.status === 'rolling_back' && planned.has(row.id)) {
      throw new RunnerError(
        `${plan.service}: migration ${row.id} is half rolled back (stopped at down step ${(row.steps_done ?? 0) + 1} of ${downStepsOf(row).length}${row.error ? `: ${row.error}` : ''}), and this plan wants it applied. ` +
          `Finish the rollback by deploying a plan without it (where downgrades are allowed), or inspect the database and settle it with ${resolve(row.id)}`,
      );
    }
    if (row.status === 'partial' && !planned.has(row.id)) {
      throw new RunnerError(
        `${plan.service}: migration ${row.id} is partly applied (stopped at step ${(row.steps_done ?? 0) + 1} of ${row.steps_total ?? '?'}), and this plan does not contain it. ` +
          `Deploy a plan that contains it (that finishes it), or inspect the database and settle it with ${resolve(row.id)}`,
      );
    }
    const steps = row.status === 'partial' ? plan.migrations[planned.get(row.id)!].upSteps.length : 0;
    if (row.status === 'partial' && ((row.steps_done ?? 0) >= steps || (row.steps_total !== null && row.steps_total !== steps))) {
      // The same file split otherwise (another version of the planner): which step is next is unknown.
      throw new RunnerError(`${plan.service}: migration ${row.id} is recorded with ${row.steps_done} steps done, but the plan splits it into ${steps}: inspect the database and settle it with ${resolve(row.id)}`);
    }
  }
}

function refuseOtherHistory({ plan, rows, planned }: Placed, lastApplied: number): void {
  const service = plan.service;
  const gaps = plan.migrations.slice(0, lastApplied + 1).filter((m) => !rows.some((r) => r.id === m.id));
  if (gaps.length > 0) {
    throw new RunnerError(`${service}: the database holds later migrations but not ${gaps.map((g) => g.id).join(', ')}: its history differs from the plan's chain; compare \`npm run bedrock -- history ${service}\` with the migrations folder`);
  }
  const stopped = rows.find((r) => r.status === 'partial' && planned.get(r.id)! < lastApplied);
  if (stopped) {
    throw new RunnerError(`${service}: migration ${stopped.id} is partly applied, yet later ones are applied: its history differs from the plan's chain; compare \`npm run bedrock -- history ${service}\` with the migrations folder`);
  }
  const lastAppliedId = lastApplied >= 0 ? plan.migrations[lastApplied].id : '';
  const interleaved = rows.filter((r) => !planned.has(r.id) && r.id < lastAppliedId);
  if (interleaved.length > 0) {
    throw new RunnerError(`${service}: the database holds ${interleaved.map((r) => r.id).join(', ')}, which the plan's chain does not contain before its applied migrations: its history differs from the plan`);
  }
}

function refuseDowngrade({ plan }: Placed, beyond: readonly LedgerRow[], allowDowngrades: boolean): void {
  if (beyond.length === 0 || allowDowngrades) return;
  const halfway = beyond.filter((r) => r.status === 'rolling_back').map((r) => r.id);
  throw new RunnerError(
    `${plan.service}: the database holds ${beyond.map((r) => r.id).join(', ')} beyond the plan's head, and this environment does not allow downgrades. ` +
      (halfway.length > 0 ? `${halfway.join(', ')} stopped half-way through a rollback: finish it where downgrades are allowed, or settle it with \`npm run bedrock -- resolve\`. ` : '') +
      'Deploy a plan that includes them, or roll back where downgrades are allowed.',
  );
}

/**
 * A migration recorded by a runner before steps existed keeps only its down SQL; one whose file
 * ran outside a transaction has a down that must too (DROP INDEX CONCURRENTLY), and the runner
 * has no parser to split it. Refused before anything runs, rather than failing half-way.
 */
function refuseStepLessOutsideDowns({ plan }: Placed, beyond: readonly LedgerRow[]): void {
  const old = beyond.find((r) => r.down_steps === null && !r.transactional);
  if (!old) return;
  throw new RunnerError(
    `${plan.service}: rolling back ${old.id} needs its down run outside a transaction, but it was recorded by an older runner that kept no steps, and this plan no longer holds its file. ` +
      `Nothing ran. Deploy a plan that contains ${old.id} first (the runner then records its down steps from it), then roll back`,
  );
}

function pendingDown(row: LedgerRow): PendingDown {
  const resumed = row.status === 'rolling_back';
  return { row, from: resumed ? (row.steps_done ?? 0) : 0, resumed, interrupted: resumed && row.error === null };
}

/** From the migration stopped half-way (resumed at its step), or after the last applied one. */
function pendingUps({ plan, rows }: Placed, lastApplied: number): PendingUp[] {
  const last = rows.find((r) => r.id === plan.migrations[lastApplied]?.id);
  const rest = plan.migrations.slice(lastApplied + 1).map((migration) => ({ migration, from: 0, resumed: false, interrupted: false }));
  if (last?.status !== 'partial') return rest;
  return [{ migration: plan.migrations[lastApplied], from: last.steps_done ?? 0, resumed: true, interrupted: last.error === null }, ...rest];
}
