// Which table and column of one state of a schema is which of the other. A name kept is the
// same object unless a renamedFrom claims it; a renamedFrom names the object's previous name.
// Declared renames win over kept names, so a rename chain (a->b, b->c), a rename into a name
// that existed before (its old holder is dropped) and a rename plus a new object under the old
// name all mean what they say. Nothing is guessed.
import { ServiceSchema } from '../schema/schema-model';
import { UnsupportedChange } from './unsupported-change';

interface Renameable {
  readonly name: string;
  readonly renamedFrom?: string;
}

/** new name -> old name, for every object of `after` that existed in `before`. */
function pairByName(before: readonly Renameable[], after: readonly Renameable[], what: string): Map<string, string> {
  const oldNames = new Set(before.map((item) => item.name));
  // A hint the previous state already carries was applied by an earlier migration: left in the
  // code, it no longer means a rename (else generate would rename again, every time). Unless
  // the name is taken anew: the object that carried the hint is renamed away now, or the old
  // name is gone from the code (its object must then go somewhere: the rename says where).
  const newNames = new Set(after.map((item) => item.name));
  const stale = new Set(after.filter((item) => item.renamedFrom !== undefined && newNames.has(item.renamedFrom) && before.some((old) => old.name === item.name && old.renamedFrom === item.renamedFrom)));
  // Only live hints move a name away; a hint found live can free another: repeat until stable.
  for (let changed = true; changed; ) {
    const movedAway = new Set(after.flatMap((item) => (!stale.has(item) && item.renamedFrom !== undefined && oldNames.has(item.renamedFrom) ? [item.renamedFrom] : [])));
    changed = false;
    for (const item of stale) {
      if (movedAway.has(item.name)) {
        stale.delete(item);
        changed = true;
      }
    }
  }
  const applied = (item: Renameable) => stale.has(item);
  const claimed = new Map<string, string>(); // old name -> new name
  for (const item of after) {
    const from = item.renamedFrom;
    if (from === undefined || from === item.name || !oldNames.has(from) || applied(item)) continue;
    const other = claimed.get(from);
    if (other !== undefined) throw new UnsupportedChange(`${what}: ${other} and ${item.name} both say renamedFrom('${from}'): only one of them can keep its data; remove renamedFrom from the other`);
    claimed.set(from, item.name);
  }
  const pairs = new Map<string, string>([...claimed].map(([from, to]) => [to, from]));
  for (const item of after) {
    if (!pairs.has(item.name) && oldNames.has(item.name) && !claimed.has(item.name)) pairs.set(item.name, item.name);
  }
  return pairs;
}

const inverse = (map: ReadonlyMap<string, string>): Map<string, string> => new Map([...map].map(([to, from]) => [from, to]));

export class Correspondence {
  private readonly oldToNew: ReadonlyMap<string, string>;

  constructor(
    /** new table name -> old table name */
    private readonly tables: ReadonlyMap<string, string>,
    /** new table name -> (new column name -> old column name) */
    private readonly columns: ReadonlyMap<string, ReadonlyMap<string, string>>,
  ) {
    this.oldToNew = inverse(tables);
  }

  /** The old name of the table now called `name`; undefined for a new table. */
  oldTable(name: string): string | undefined {
    return this.tables.get(name);
  }

  /** The new name of the table once called `name`; undefined for a dropped table. */
  newTable(name: string): string | undefined {
    return this.oldToNew.get(name);
  }

  /** The old name of column `column` of the table now called `table`; undefined for a new column. */
  oldColumn(table: string, column: string): string | undefined {
    return this.columns.get(table)?.get(column);
  }

  /** The new name of the column once called `column`, in the table now called `table`. */
  newColumn(table: string, column: string): string | undefined {
    for (const [to, from] of this.columns.get(table) ?? []) if (from === column) return to;
    return undefined;
  }

  /** The same correspondence seen from the other side (for the down). */
  inverted(): Correspondence {
    const columns = new Map([...this.columns].map(([table, map]) => [this.tables.get(table)!, inverse(map)]));
    return new Correspondence(inverse(this.tables), columns);
  }
}

export function correspondence(before: ServiceSchema, after: ServiceSchema): Correspondence {
  const tables = pairByName(before.tables, after.tables, `tables of ${after.schema}`);
  const columns = new Map<string, Map<string, string>>();
  for (const [to, from] of tables) {
    const oldTable = before.tables.find((t) => t.name === from)!;
    const newTable = after.tables.find((t) => t.name === to)!;
    columns.set(to, pairByName(oldTable.columns, newTable.columns, `${after.schema}.${to}`));
  }
  return new Correspondence(tables, columns);
}

/**
 * The renames in an order that never renames into a name still taken: b->c before a->b. A
 * cycle (a->b, b->a) would need a temporary name, which reviewers could not follow.
 */
export function renameOrder(renames: readonly (readonly [from: string, to: string])[], what: string): (readonly [string, string])[] {
  const pending = renames.filter(([from, to]) => from !== to);
  const ordered: (readonly [string, string])[] = [];
  while (pending.length > 0) {
    const free = pending.findIndex(([, to]) => !pending.some(([from]) => from === to));
    if (free < 0) {
      throw new UnsupportedChange(`${what}: the renames ${pending.map(([f, t]) => `${f} -> ${t}`).join(', ')} form a cycle: rename through a new name in one migration, then on in the next`);
    }
    ordered.push(pending.splice(free, 1)[0]);
  }
  return ordered;
}
