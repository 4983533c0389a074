// The order a migration's changes run in, following from their kinds. Drops that make room come
// first and still address tables by their old names; then renames; then everything else under
// the new names. Within a phase the differ's order is kept (it orders renames so that none
// takes a name still in use).
import { Change, ChangeKind } from './change';

const PHASES: readonly (readonly ChangeKind[])[] = [
  ['DropForeignKey'],
  ['DropConstraint', 'DropIndex'],
  [], // drops that free a name a rename takes (DropTable, DropColumn with freesName)
  ['RenameTable'],
  ['RenameColumn', 'RenameConstraint', 'RenameIndex', 'RenameSequence'],
  ['DropColumn'],
  ['DropTable'],
  ['TransferTable'],
  ['CreateEnum', 'AddEnumValue', 'RebuildEnum'],
  ['CreateTable'],
  ['AddColumn', 'DropIdentity', 'DropDefault', 'AlterColumnType', 'SetDefault', 'SetNotNull', 'DropNotNull', 'AddIdentity', 'SetIdentityGeneration'],
  ['AddPrimaryKey', 'AddUnique', 'AddCheck', 'CreateIndex'],
  ['AddForeignKey'],
  ['CommentOnEnum', 'CommentOnTable', 'CommentOnColumn'],
  ['DropEnum'],
];

const FREEING_PHASE = 2;
const PHASE_OF = new Map<ChangeKind, number>(PHASES.flatMap((kinds, phase) => kinds.map((kind) => [kind, phase] as const)));

export function phaseOf(change: Change): number {
  if ((change.kind === 'DropTable' || change.kind === 'DropColumn') && change.freesName) return FREEING_PHASE;
  return PHASE_OF.get(change.kind)!;
}

/** The changes in the order they run (stable: the differ's order within a phase). */
export function inPhaseOrder(changes: readonly Change[]): Change[] {
  return changes
    .map((change, index) => ({ change, index, phase: phaseOf(change) }))
    .sort((a, b) => a.phase - b.phase || a.index - b.index)
    .map(({ change }) => change);
}
