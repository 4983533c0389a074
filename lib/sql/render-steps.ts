// A migration's changes as steps: what runs in which transaction, and what runs outside one.
// Changes on a table that existed before the migration take their online forms
// (online-forms.ts); a table created in the same migration is empty, so its changes keep the
// plain forms, in one transaction with everything else brief.
import { Change, TableRef } from '../migrations/change';
import type { StepMode } from '../migrations/migration-file';
import { ChangePart, onlineParts } from './online-forms';
import { renderChange } from './render-change';

export interface RenderedStep {
  readonly mode: StepMode;
  readonly statements: readonly string[];
}

const key = (t: TableRef): string => JSON.stringify([t.schema, t.name]);

/** The steps of `changes`, in order: consecutive brief parts share one transaction. */
export function renderSteps(changes: readonly Change[]): RenderedStep[] {
  const created = createdTables(changes);
  const groups: ChangePart[] = [];
  const steps: RenderedStep[] = [];
  const flush = () => steps.push(...groups.splice(0).flatMap(stepsOf));
  for (const c of changes) {
    // A transfer is a step of its own, run as the deploying user (see transfer-statements.ts).
    if (c.kind === 'TransferTable') {
      flush();
      steps.push({ mode: 'transfer', statements: renderChange(c) });
    } else group(groups, partsOf(c, created));
  }
  flush();
  return steps;
}

/** Adds `parts` to `groups`: consecutive brief parts share one transaction. */
function group(groups: ChangePart[], parts: readonly ChangePart[]): void {
  for (const part of parts) {
    const last = groups[groups.length - 1];
    // A validate part stays alone, so its scan holds no lock taken before it.
    if (part.form === 'brief' && last?.form === 'brief') groups[groups.length - 1] = { form: 'brief', statements: [...last.statements, ...part.statements] };
    else groups.push(part);
  }
}

function stepsOf(group: ChangePart): RenderedStep[] {
  if (group.form === 'concurrent') return group.statements.map((statement) => ({ mode: 'outside transaction', statements: [statement] }));
  return [{ mode: group.form === 'offline' ? 'offline' : 'transaction', statements: group.statements }];
}

const createdTables = (changes: readonly Change[]): Set<string> => new Set(changes.flatMap((c) => (c.kind === 'CreateTable' ? [key(c.table)] : [])));

/** The parts of one change: online on a table with rows, plain otherwise. */
function partsOf(c: Change, created: ReadonlySet<string>): ChangePart[] {
  if (!onExistingTable(c, created)) return [{ form: 'brief', statements: renderChange(c) }];
  if (c.work === 'rewrite') return [{ form: 'offline', statements: renderChange(c) }];
  return onlineParts(c) ?? [{ form: 'brief', statements: renderChange(c) }];
}

/** Whether `c` works on a table that may hold rows: one not created by this migration. */
export function onExistingTable(c: Change, created: ReadonlySet<string>): boolean {
  if (c.kind === 'RebuildEnum') return c.columns.some((column) => !created.has(key(column.table)));
  if (!('table' in c) || c.kind === 'CreateTable') return false;
  return !created.has(key(c.table));
}

/** The changes that hold ACCESS EXCLUSIVE for a whole rewrite of a table with rows: no online form exists. */
export function offlineChanges(changes: readonly Change[]): Change[] {
  const created = createdTables(changes);
  return changes.filter((c) => c.work === 'rewrite' && onExistingTable(c, created));
}
