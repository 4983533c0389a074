// What a step destroys that a backup must copy first, as the plan carries it. Decided where
// PostgreSQL's parser is at hand (backup-plan.ts, at synth or by the CLI) and read here by the
// runner, which has no parser: a step's `backups` travel in the manifest and, for a down, in
// the ledger's down_steps, so a rollback months later still knows what to copy.
import { PlannedStep } from './planned-migration';

/** Why a copy is taken. */
export type BackupReason = 'drop table' | 'truncate' | 'drop column' | 'type change';

/** A table, or some of its columns, that a step drops or rewrites. */
export interface BackupTarget {
  /** Unquoted names, as the catalog holds them. */
  readonly schema: string;
  readonly table: string;
  /**
   * The columns whose values the step destroys; the copy holds them with the table's primary
   * key (all its columns when it has none). Absent: the whole table (DROP TABLE, TRUNCATE).
   */
  readonly columns?: readonly string[];
  readonly reasons: readonly BackupReason[];
}

/** A planned step with what it destroys; `backups` absent (plans and ledger rows of older versions): nothing known. */
export type StepWithBackups = PlannedStep & { readonly backups?: readonly BackupTarget[] };

const REASONS: readonly BackupReason[] = ['drop table', 'truncate', 'drop column', 'type change'];

/**
 * The targets of `steps` from index `from` on (the steps still to run), one per table: a whole
 * table when any step drops or truncates it, else the union of the columns. Throws on a
 * malformed entry: a backup silently skipped is data silently lost.
 */
export function pendingBackupTargets(steps: readonly PlannedStep[], from: number): BackupTarget[] {
  const byTable = new Map<string, { schema: string; table: string; columns: Set<string> | undefined; reasons: Set<BackupReason> }>();
  for (const step of steps.slice(from)) {
    for (const target of backupTargetsOf(step)) {
      const key = JSON.stringify([target.schema, target.table]);
      const found = byTable.get(key) ?? { schema: target.schema, table: target.table, columns: new Set<string>(), reasons: new Set<BackupReason>() };
      found.columns = target.columns === undefined || found.columns === undefined ? undefined : new Set([...found.columns, ...target.columns]);
      for (const reason of target.reasons) found.reasons.add(reason);
      byTable.set(key, found);
    }
  }
  return [...byTable.values()].map(({ schema, table, columns, reasons }) => ({ schema, table, ...(columns ? { columns: [...columns] } : {}), reasons: [...reasons] }));
}

/** A step's targets, checked for shape (they come from a manifest or a ledger row). */
export function backupTargetsOf(step: PlannedStep): readonly BackupTarget[] {
  const targets = (step as StepWithBackups).backups;
  if (targets === undefined) return [];
  if (!Array.isArray(targets) || !targets.every(isTarget)) throw new Error(`REFUSED: the step at line ${step.line} names what it destroys in a form this runner does not read: re-run cdktf synth`);
  return targets;
}

function isTarget(value: BackupTarget): boolean {
  const name = (text: unknown) => typeof text === 'string' && text.length > 0;
  return (
    typeof value === 'object' &&
    value !== null &&
    name(value.schema) &&
    name(value.table) &&
    (value.columns === undefined || (Array.isArray(value.columns) && value.columns.length > 0 && value.columns.every(name))) &&
    Array.isArray(value.reasons) &&
    value.reasons.length > 0 &&
    value.reasons.every((r) => REASONS.includes(r))
  );
}
