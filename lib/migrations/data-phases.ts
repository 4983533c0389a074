// Where a migration's data sections run among its changes: after what makes room for the data
// (expand: new tables and columns, relaxed constraints, renames) and before what holds the data
// to a rule or takes it away (contract: NOT NULL, checks, keys, foreign keys, drops). Add column,
// backfill, SET NOT NULL; or add column, copy, drop the old column: one migration.
import { Change } from './change';

/**
 * The changes of a migration with data sections, in two groups that each keep the phase order
 * (change-phases.ts): `before` the data sections, `after` them. Moving a change later is safe
 * for the kinds moved: nothing in an earlier phase depends on a constraint existing or on a
 * column or table being gone, except a drop that frees a name another change takes (`freesName`),
 * which stays first; and what a moved change depends on (a key its foreign key references, the
 * table a dropped enum's columns lived in) moves with it and keeps its order.
 */
export function aroundData(changes: readonly Change[]): { readonly before: Change[]; readonly after: Change[] } {
  const before: Change[] = [];
  const after: Change[] = [];
  for (const change of changes) (holdsData(change) ? after : before).push(change);
  return { before, after };
}

/** Whether a change constrains or removes rows or values the data sections may still write or read. */
function holdsData(change: Change): boolean {
  switch (change.kind) {
    case 'SetNotNull':
    case 'AddCheck':
    case 'AddForeignKey':
    case 'AddPrimaryKey':
    case 'AddUnique':
    case 'DropEnum':
      return true;
    case 'CreateIndex':
      // A unique index refuses duplicates the data sections may be there to remove.
      return change.index.unique;
    case 'DropColumn':
    case 'DropTable':
      return !change.freesName;
    default:
      return false;
  }
}
