// Model edits as data: each one a small change to a model description that can be applied
// (described in words by edit-words.ts) and replayed on another state (which shrinking needs: when an earlier
// edit is left out, an edit whose subject no longer exists is skipped instead of failing).
// Dependent parts go with what they depend on (prune): dropping a column drops the
// constraints on it, as a user editing the model would have to.
import { CheckDesc, ColumnDesc, ColumnType, DefaultDesc, EnumDesc, ForeignKeyDesc, IndexDesc, ModelDesc, Predicate, sameType, TableDesc, UniqueDesc } from './model-description';

export type Mutation =
  | { readonly kind: 'addTable'; readonly table: TableDesc }
  | { readonly kind: 'dropTable'; readonly table: string }
  | { readonly kind: 'renameTable'; readonly from: string; readonly to: string }
  | { readonly kind: 'setTableComment'; readonly table: string; readonly comment?: string }
  | { readonly kind: 'addColumn'; readonly table: string; readonly column: ColumnDesc }
  | { readonly kind: 'dropColumn'; readonly table: string; readonly column: string }
  | { readonly kind: 'renameColumn'; readonly table: string; readonly from: string; readonly to: string }
  | { readonly kind: 'changeType'; readonly table: string; readonly column: string; readonly type: ColumnType }
  | { readonly kind: 'setNotNull'; readonly table: string; readonly column: string; readonly notNull: boolean }
  | { readonly kind: 'setDefault'; readonly table: string; readonly column: string; readonly default?: DefaultDesc }
  | { readonly kind: 'setColumnComment'; readonly table: string; readonly column: string; readonly comment?: string }
  /** Sets, moves or (columns undefined) drops the primary key; `keepOldAsUnique` keeps the old key columns unique. */
  | { readonly kind: 'setPrimaryKey'; readonly table: string; readonly columns?: readonly string[]; readonly keepOldAsUnique?: UniqueDesc }
  | { readonly kind: 'addUnique'; readonly table: string; readonly unique: UniqueDesc }
  | { readonly kind: 'dropUnique'; readonly table: string; readonly id: string }
  | { readonly kind: 'addCheck'; readonly table: string; readonly check: CheckDesc }
  | { readonly kind: 'dropCheck'; readonly table: string; readonly id: string }
  | { readonly kind: 'addIndex'; readonly table: string; readonly index: IndexDesc }
  | { readonly kind: 'dropIndex'; readonly table: string; readonly id: string }
  | { readonly kind: 'addForeignKey'; readonly table: string; readonly foreignKey: ForeignKeyDesc }
  | { readonly kind: 'dropForeignKey'; readonly table: string; readonly id: string }
  | { readonly kind: 'setForeignKeyAction'; readonly table: string; readonly id: string; readonly onDelete: ForeignKeyDesc['onDelete'] }
  | { readonly kind: 'setIdentity'; readonly table: string; readonly column: string; readonly identity?: ColumnDesc['identity'] }
  | { readonly kind: 'setEnumComment'; readonly enum: string; readonly comment?: string }
  | { readonly kind: 'addEnum'; readonly enum: EnumDesc }
  | { readonly kind: 'dropEnum'; readonly enum: string }
  /** Adds `value` before the label `before`, or last. */
  | { readonly kind: 'addEnumValue'; readonly enum: string; readonly value: string; readonly before?: string }
  | { readonly kind: 'removeEnumValue'; readonly enum: string; readonly value: string }
  | { readonly kind: 'reorderEnum'; readonly enum: string; readonly values: readonly string[] };

/** One step of a sequence: an edit class (for grouping failures) and its parts, applied in order. */
export interface Edit {
  readonly kind: string;
  readonly parts: readonly Mutation[];
}

// ---- applying ----

/**
 * The model after the edit's parts, with rename hints (renamedFrom) as one migration must see
 * them; parts that do not apply to this state are skipped and listed.
 */
export function applyEdit(model: ModelDesc, edit: Edit): { model: ModelDesc; applied: Mutation[]; pruned: string[] } {
  const next = structuredClone(model);
  const applied: Mutation[] = [];
  const pruned: string[] = [];
  for (const part of edit.parts) {
    if (!applyMutation(next, part)) continue;
    applied.push(part);
    pruned.push(...prune(next));
  }
  return { model: next, applied, pruned };
}

export const tableOf = (m: ModelDesc, name: string) => m.tables.find((t) => t.name === name);
export const columnOf = (t: TableDesc | undefined, name: string) => t?.columns.find((c) => c.name === name);

/** Applies one part in place; false when its subject is missing or its new name is taken. */
function applyMutation(m: ModelDesc, part: Mutation): boolean {
  switch (part.kind) {
    case 'addTable':
      if (tableOf(m, part.table.name)) return false;
      m.tables.push({ ...structuredClone(part.table), added: true, columns: part.table.columns.map((c) => ({ ...structuredClone(c), added: true })) });
      return true;
    case 'dropTable':
      return remove(m.tables, (t) => t.name === part.table);
    case 'renameTable':
      return renameTable(m, part.from, part.to);
    case 'setTableComment': {
      const t = tableOf(m, part.table);
      if (!t) return false;
      setOptional(t, 'comment', part.comment);
      return true;
    }
    case 'addColumn': {
      const t = tableOf(m, part.table);
      if (!t || columnOf(t, part.column.name)) return false;
      t.columns.push({ ...structuredClone(part.column), added: true });
      return true;
    }
    case 'dropColumn': {
      const t = tableOf(m, part.table);
      return t !== undefined && t.columns.length > 1 && remove(t.columns, (c) => c.name === part.column);
    }
    case 'renameColumn':
      return renameColumn(m, part.table, part.from, part.to);
    case 'changeType':
    case 'setNotNull':
    case 'setDefault':
    case 'setColumnComment': {
      const c = columnOf(tableOf(m, part.table), part.column);
      if (!c) return false;
      if (part.kind === 'changeType') c.type = structuredClone(part.type);
      if (part.kind === 'setNotNull') c.notNull = part.notNull;
      if (part.kind === 'setDefault') setOptional(c, 'default', part.default && structuredClone(part.default));
      if (part.kind === 'setColumnComment') setOptional(c, 'comment', part.comment);
      return true;
    }
    case 'setIdentity': {
      const c = columnOf(tableOf(m, part.table), part.column);
      if (!c || (c.type.kind !== 'integer' && c.type.kind !== 'bigint') || c.type.array) return false;
      setOptional(c, 'identity', part.identity);
      if (part.identity) delete c.default;
      return true;
    }
    case 'setForeignKeyAction': {
      const fk = tableOf(m, part.table)?.foreignKeys.find((f) => f.id === part.id);
      if (!fk) return false;
      fk.onDelete = part.onDelete;
      return true;
    }
    case 'setEnumComment': {
      const e = m.enums.find((x) => x.name === part.enum);
      if (!e) return false;
      setOptional(e, 'comment', part.comment);
      return true;
    }
    case 'setPrimaryKey':
      return setPrimaryKey(m, part);
    case 'addUnique':
    case 'addCheck':
    case 'addIndex':
    case 'addForeignKey': {
      const t = tableOf(m, part.table);
      if (!t) return false;
      if (part.kind === 'addUnique') t.uniques.push(structuredClone(part.unique));
      if (part.kind === 'addCheck') t.checks.push(structuredClone(part.check));
      if (part.kind === 'addIndex') t.indexes.push(structuredClone(part.index));
      if (part.kind === 'addForeignKey') t.foreignKeys.push(structuredClone(part.foreignKey));
      return true;
    }
    case 'dropUnique':
    case 'dropCheck':
    case 'dropIndex':
    case 'dropForeignKey': {
      const t = tableOf(m, part.table);
      if (!t) return false;
      const list: { id: string }[] = { dropUnique: t.uniques, dropCheck: t.checks, dropIndex: t.indexes, dropForeignKey: t.foreignKeys }[part.kind];
      return remove(list, (x) => x.id === part.id);
    }
    case 'addEnum':
      if (m.enums.some((e) => e.name === part.enum.name)) return false;
      m.enums.push(structuredClone(part.enum));
      return true;
    case 'dropEnum': {
      const used = m.tables.some((t) => t.columns.some((c) => c.type.kind === 'enum' && c.type.enum === part.enum));
      return !used && remove(m.enums, (e) => e.name === part.enum);
    }
    case 'addEnumValue': {
      const e = m.enums.find((x) => x.name === part.enum);
      if (!e || e.values.includes(part.value)) return false;
      const at = part.before === undefined ? -1 : e.values.indexOf(part.before);
      e.values.splice(at < 0 ? e.values.length : at, 0, part.value);
      return true;
    }
    case 'removeEnumValue': {
      const e = m.enums.find((x) => x.name === part.enum);
      return e !== undefined && e.values.length > 1 && remove(e.values, (v) => v === part.value);
    }
    case 'reorderEnum': {
      const e = m.enums.find((x) => x.name === part.enum);
      const same = e !== undefined && e.values.length === part.values.length && e.values.every((v) => part.values.includes(v));
      if (!same || e.values.join() === part.values.join()) return false;
      e.values = [...part.values];
      return true;
    }
  }
}

function remove<T>(list: T[], match: (item: T) => boolean): boolean {
  const at = list.findIndex(match);
  if (at < 0) return false;
  list.splice(at, 1);
  return true;
}

function setOptional<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value === undefined) delete target[key];
  else target[key] = value;
}

/** A declared rename: the hint names the name before this edit (chains collapse, a name back to itself is no rename). */
function renamed(item: { name: string; renamedFrom?: string; added?: boolean }, to: string): void {
  const original = item.renamedFrom ?? item.name;
  item.name = to;
  if (item.added) return;
  if (original === to) delete item.renamedFrom;
  else item.renamedFrom = original;
}

function renameTable(m: ModelDesc, from: string, to: string): boolean {
  const t = tableOf(m, from);
  if (!t || tableOf(m, to)) return false;
  renamed(t, to);
  for (const other of m.tables) for (const fk of other.foreignKeys) if (fk.table === from) fk.table = to;
  return true;
}

function renameColumn(m: ModelDesc, table: string, from: string, to: string): boolean {
  const t = tableOf(m, table);
  const c = columnOf(t, from);
  if (!t || !c || columnOf(t, to)) return false;
  renamed(c, to);
  const swap = (list: string[]) => list.forEach((name, i) => name === from && (list[i] = to));
  const swapPredicate = (p: Predicate | undefined) => p && p.column === from && (p.column = to);
  if (t.primaryKey) swap(t.primaryKey);
  t.uniques.forEach((u) => swap(u.columns));
  t.indexes.forEach((i) => (swap(i.columns), swap(i.include ?? []), swapPredicate(i.where)));
  t.checks.forEach((k) => swapPredicate(k.predicate));
  t.foreignKeys.forEach((fk) => swap(fk.columns));
  for (const other of m.tables) for (const fk of other.foreignKeys) if (fk.table === table) swap(fk.refColumns);
  return true;
}

function setPrimaryKey(m: ModelDesc, part: Extract<Mutation, { kind: 'setPrimaryKey' }>): boolean {
  const t = tableOf(m, part.table);
  if (!t || (part.columns ?? []).some((c) => !columnOf(t, c))) return false;
  if (part.columns === undefined && !t.primaryKey) return false;
  const old = t.primaryKey;
  if (part.keepOldAsUnique && old && !t.uniques.some((u) => u.columns.join() === old.join())) t.uniques.push({ ...structuredClone(part.keepOldAsUnique), columns: [...old] });
  if (part.columns) t.primaryKey = [...part.columns];
  else delete t.primaryKey;
  return true;
}

// ---- keeping the model consistent ----

const isNumber = (t: ColumnType) => !t.array && (t.kind === 'integer' || t.kind === 'bigint' || t.kind === 'numeric');
const isString = (t: ColumnType) => !t.array && (t.kind === 'varchar' || t.kind === 'text');

/** Whether a predicate still makes sense on the table (its column, type and label exist). */
export function predicateFits(p: Predicate, t: TableDesc, m: ModelDesc): boolean {
  const c = columnOf(t, p.column);
  if (!c) return false;
  if (p.op === 'positive') return isNumber(c.type);
  if (p.op === 'nonEmpty') return isString(c.type);
  if (p.op === 'notNull') return true;
  const type = c.type;
  return type.kind === 'enum' && !type.array && (m.enums.find((e) => e.name === type.enum)?.values.includes(p.label ?? '') ?? false);
}

/** Removes what refers to something gone; returns what it removed, in words. */
export function prune(m: ModelDesc): string[] {
  const removed: string[] = [];
  const keep = <T>(list: T[], ok: (item: T) => boolean, what: (item: T) => string): T[] =>
    list.filter((item) => ok(item) || (removed.push(what(item)), false));
  m.tables.forEach((t, position) => {
    const has = (c: string) => columnOf(t, c) !== undefined;
    if (t.primaryKey && !t.primaryKey.every(has)) {
      removed.push(`${t.name}: primary key`);
      delete t.primaryKey;
    }
    t.uniques = keep(t.uniques, (u) => u.columns.every(has), (u) => `${t.name}: unique ${u.id}`);
    t.checks = keep(t.checks, (k) => predicateFits(k.predicate, t, m), (k) => `${t.name}: check ${k.name}`);
    t.indexes = keep(t.indexes, (i) => [...i.columns, ...(i.include ?? [])].every(has) && (!i.where || predicateFits(i.where, t, m)), (i) => `${t.name}: index ${i.id}`);
    t.foreignKeys = keep(t.foreignKeys, (fk) => foreignKeyFits(fk, t, m, position), (fk) => `${t.name}: foreign key ${fk.id}`);
    for (const c of t.columns) {
      const type = c.type;
      if (type.kind !== 'enum' || type.array || c.default?.kind !== 'literal') continue;
      const label = String(c.default.value);
      if (!m.enums.find((e) => e.name === type.enum)?.values.includes(label)) {
        removed.push(`${t.name}.${c.name}: default '${label}'`);
        delete c.default;
      }
    }
  });
  return removed;
}

function foreignKeyFits(fk: ForeignKeyDesc, t: TableDesc, m: ModelDesc, position: number): boolean {
  const targetAt = m.tables.findIndex((x) => x.name === fk.table);
  const target = m.tables[targetAt];
  if (!target || targetAt >= position || fk.columns.length !== fk.refColumns.length) return false;
  const keys = [target.primaryKey, ...target.uniques.map((u) => u.columns)].filter((k): k is string[] => k !== undefined);
  const sameSet = (k: readonly string[]) => k.length === fk.refColumns.length && k.every((c) => fk.refColumns.includes(c));
  if (!keys.some(sameSet)) return false;
  return fk.columns.every((c, i) => {
    const mine = columnOf(t, c);
    const theirs = columnOf(target, fk.refColumns[i]);
    return mine !== undefined && theirs !== undefined && sameType(mine.type, theirs.type);
  });
}
