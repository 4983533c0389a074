// What an edit means for the data, worked out from the model descriptions alone (not from the
// differ's output, which is what it checks): which tables and columns survive under which
// names, which values a type change keeps, and so whether the migration may lose data.
import { ColumnType, ModelDesc, sameType, typeName } from './model-description';
import { columnOf, tableOf } from './model-edits';


/** Each table and column that survives the edit (under its new name), from the rename hints. */
export interface Lineage {
  readonly from: string;
  readonly to: string;
  readonly columns: readonly { readonly from: string; readonly to: string; readonly sameType: boolean }[];
}

function successor<T extends { name: string; renamedFrom?: string; added?: boolean }>(after: readonly T[], name: string): T | undefined {
  return after.find((x) => x.renamedFrom === name) ?? after.find((x) => x.name === name && x.renamedFrom === undefined && !x.added);
}

export function lineage(before: ModelDesc, after: ModelDesc): Lineage[] {
  return before.tables.flatMap((t) => {
    const next = successor(after.tables, t.name);
    if (!next) return [];
    const columns = t.columns.flatMap((c) => {
      const to = successor(next.columns, c.name);
      return to ? [{ from: c.name, to: to.name, sameType: sameType(c.type, to.type) }] : [];
    });
    return [{ from: t.name, to: next.name, columns }];
  });
}

/**
 * New NOT NULL columns without a default on tables that exist before the edit: the one change
 * the differ must refuse (adding one fails on a table with rows).
 */
export function requiredNewColumns(before: ModelDesc, after: ModelDesc): string[] {
  return lineage(before, after).flatMap((line) => {
    const next = tableOf(after, line.to)!;
    const kept = new Set(line.columns.map((c) => c.to));
    return next.columns.filter((c) => !kept.has(c.name) && c.notNull && c.default === undefined && !c.identity).map((c) => `${next.name}.${c.name}`);
  });
}

/** Whether every value of type `from` is kept by `to` (a widening). */
export function keepsValues(from: ColumnType, to: ColumnType): boolean {
  if (Boolean(from.array) !== Boolean(to.array)) return false;
  if (sameType(from, to)) return true;
  if (from.kind === 'varchar') return to.kind === 'text' || (to.kind === 'varchar' && to.length >= from.length);
  if (from.kind === 'integer') return to.kind === 'bigint';
  if (from.kind === 'numeric' && to.kind === 'numeric') return to.scale >= from.scale && to.precision - to.scale >= from.precision - from.scale;
  return false;
}

/** The data the edit loses, in words (empty when it keeps every value). */
export function dataLoss(before: ModelDesc, after: ModelDesc): string[] {
  const losses: string[] = [];
  const kept = lineage(before, after);
  for (const t of before.tables) {
    const line = kept.find((l) => l.from === t.name);
    if (!line) {
      losses.push(`drop table ${t.name}`);
      continue;
    }
    const next = tableOf(after, line.to)!;
    for (const c of t.columns) {
      const to = line.columns.find((x) => x.from === c.name);
      if (!to) losses.push(`drop column ${t.name}.${c.name}`);
      else if (!keepsValues(c.type, columnOf(next, to.to)!.type)) losses.push(`narrow ${t.name}.${c.name} to ${typeName(columnOf(next, to.to)!.type)}`);
    }
  }
  for (const e of before.enums) {
    const next = after.enums.find((x) => x.name === e.name);
    const lost = next ? e.values.filter((v) => !next.values.includes(v)) : [];
    if (lost.length > 0) losses.push(`enum ${e.name} loses ${lost.join(', ')}`);
  }
  return losses;
}
