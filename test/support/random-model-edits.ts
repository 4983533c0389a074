// Random model edits for the differ's property test: from the current model description, one
// edit of a random class, valid-ish (the model may still refuse it, which the test counts).
// The classes cover every kind of change the differ plans, and the combinations in which it
// was found to fail: chained renames, a rename plus a new object under the old name, a new
// enum value used as a default at once, moving a key that a foreign key references...
import { ColumnDesc, ColumnType, ForeignKeyDesc, IndexDesc, ModelDesc, TableDesc } from './model-description';
import { applyEdit, Edit, Mutation } from './model-edits';
import { isKeyable, LABELS, RandomParts, sameColumns } from './random-model-parts';
import { Random } from './seeded-random';

type Generator = (g: EditGenerator, m: ModelDesc) => Mutation[] | undefined;

/** A column in a table, as generators pass them around. */
interface At {
  readonly table: TableDesc;
  readonly column: ColumnDesc;
}

const allColumns = (m: ModelDesc): At[] => m.tables.flatMap((table) => table.columns.map((column) => ({ table, column })));

/** Generates the edits of one case. */
export class EditGenerator extends RandomParts {
  /** The next edit for `model`: a random class that applies to it (the first step always adds a table). */
  next(model: ModelDesc): Edit {
    for (let attempt = 0; attempt < 50; attempt++) {
      const [kind, generate] = model.tables.length === 0 ? (['add table', addTable] as const) : this.r.weighted(GENERATORS.map(([k, g, w]) => [[k, g] as const, w] as const));
      const parts = generate(this, model);
      if (parts && parts.length > 0) return { kind, parts };
    }
    return { kind: 'add table', parts: addTable(this, model)! };
  }
}

const indexMutation = (table: string, index: IndexDesc): Mutation => ({ kind: 'addIndex', table, index });
const foreignKeyMutation = (table: string, foreignKey: ForeignKeyDesc): Mutation => ({ kind: 'addForeignKey', table, foreignKey });

// ---- the edit classes ----

const addTable: Generator = (g, m) => {
  if (m.enums.length === 0 || g.r.chance(0.15)) {
    const created = g.newEnum();
    const withEnum: ModelDesc = { ...m, enums: [...m.enums, created] };
    return [{ kind: 'addEnum', enum: created }, { kind: 'addTable', table: g.table(withEnum) }];
  }
  return [{ kind: 'addTable', table: g.table(m) }];
};

const pickTable = (g: EditGenerator, m: ModelDesc, ok: (t: TableDesc) => boolean = () => true) => {
  const tables = m.tables.filter(ok);
  return tables.length > 0 ? g.r.pick(tables) : undefined;
};

const pickColumn = (g: EditGenerator, m: ModelDesc, ok: (at: At) => boolean = () => true): At | undefined => {
  const columns = allColumns(m).filter(ok);
  return columns.length > 0 ? g.r.pick(columns) : undefined;
};

/** Columns tied to this one by foreign keys (either way, transitively): their types must stay equal. */
function linkedColumns(m: ModelDesc, start: At): At[] {
  const found: At[] = [start];
  for (let i = 0; i < found.length; i++) {
    const { table, column } = found[i];
    const edges: [string, string][] = [];
    for (const fk of table.foreignKeys) fk.columns.forEach((c, k) => c === column.name && edges.push([fk.table, fk.refColumns[k]]));
    for (const other of m.tables) for (const fk of other.foreignKeys) if (fk.table === table.name) fk.refColumns.forEach((c, k) => c === column.name && edges.push([other.name, fk.columns[k]]));
    for (const [t, c] of edges) {
      const at = m.tables.find((x) => x.name === t);
      const col = at?.columns.find((x) => x.name === c);
      if (at && col && !found.some((f) => f.table === at && f.column === col)) found.push({ table: at, column: col });
    }
  }
  return found;
}

function retype(g: EditGenerator, m: ModelDesc, change: (t: ColumnType) => ColumnType | undefined): Mutation[] | undefined {
  const at = pickColumn(g, m, ({ column }) => change(column.type) !== undefined);
  if (!at) return undefined;
  const type = change(at.column.type)!;
  return linkedColumns(m, at).map(({ table, column }) => ({ kind: 'changeType', table: table.name, column: column.name, type }));
}

function widened(r: Random, t: ColumnType): ColumnType | undefined {
  if (t.kind === 'varchar') return !t.array && r.chance(0.3) ? { kind: 'text' } : { ...t, length: t.length + r.int(1, 20) };
  if (t.kind === 'integer') return { ...t, kind: 'bigint' };
  if (t.kind === 'numeric') {
    const more = r.int(1, 5);
    return r.chance(0.5) ? { ...t, precision: t.precision + more } : { ...t, precision: t.precision + more + 1, scale: t.scale + 1 };
  }
  return undefined;
}

function narrowed(r: Random, t: ColumnType): ColumnType | undefined {
  if (t.kind === 'varchar' && t.length > 3) return { ...t, length: r.int(3, t.length - 1) };
  if (t.kind === 'text' && !t.array) return { kind: 'varchar', length: r.int(3, 30) };
  if (t.kind === 'bigint') return { ...t, kind: 'integer' };
  if (t.kind === 'numeric' && t.precision - t.scale > 1) return { ...t, precision: t.precision - r.int(1, t.precision - t.scale - 1) };
  if (t.kind === 'numeric' && t.scale > 0) return { ...t, scale: t.scale - 1 };
  return undefined;
}

const usersOf = (m: ModelDesc, e: string) => allColumns(m).filter(({ column }) => column.type.kind === 'enum' && column.type.enum === e);

const GENERATORS: readonly (readonly [string, Generator, number])[] = [
  ['add table', addTable, 6],
  ['drop table', (g, m) => {
    const t = pickTable(g, m);
    return t && [{ kind: 'dropTable', table: t.name }];
  }, 2],
  ['rename table', (g, m) => {
    const t = pickTable(g, m);
    return t && [{ kind: 'renameTable', from: t.name, to: g.fresh('t') }];
  }, 4],
  ['rename table, new table with the old name', (g, m) => {
    const t = pickTable(g, m);
    return t && [{ kind: 'renameTable', from: t.name, to: g.fresh('t') }, { kind: 'addTable', table: g.table(m, t.name) }];
  }, 3],
  ['chained table renames', (g, m) => {
    if (m.tables.length < 2) return undefined;
    const [a, b] = g.r.shuffle(m.tables);
    return [{ kind: 'renameTable', from: b.name, to: g.fresh('t') }, { kind: 'renameTable', from: a.name, to: b.name }];
  }, 3],
  ['table comment', (g, m) => {
    const t = pickTable(g, m);
    return t && [{ kind: 'setTableComment', table: t.name, ...(t.comment === undefined || g.r.chance(0.6) ? { comment: `holds ${g.r.word(2, 8)}` } : {}) }];
  }, 2],
  ['add column', (g, m) => {
    const t = pickTable(g, m);
    // Now and then NOT NULL without a default: the differ must refuse that on a table with rows.
    return t && [{ kind: 'addColumn', table: t.name, column: g.column(m, { notNullWithoutDefault: g.r.chance(0.05) }) }];
  }, 6],
  ['drop column', (g, m) => {
    const at = pickColumn(g, m, ({ table }) => table.columns.length > 1);
    return at && [{ kind: 'dropColumn', table: at.table.name, column: at.column.name }];
  }, 4],
  ['rename column', (g, m) => {
    const at = pickColumn(g, m);
    return at && [{ kind: 'renameColumn', table: at.table.name, from: at.column.name, to: g.fresh('c') }];
  }, 4],
  ['chained column renames', (g, m) => {
    const t = pickTable(g, m, (x) => x.columns.length > 1);
    if (!t) return undefined;
    const [a, b] = g.r.shuffle(t.columns);
    return [{ kind: 'renameColumn', table: t.name, from: b.name, to: g.fresh('c') }, { kind: 'renameColumn', table: t.name, from: a.name, to: b.name }];
  }, 3],
  ['rename column, new column with the old name', (g, m) => {
    const at = pickColumn(g, m);
    return at && [{ kind: 'renameColumn', table: at.table.name, from: at.column.name, to: g.fresh('c') }, { kind: 'addColumn', table: at.table.name, column: { ...g.column(m), name: at.column.name } }];
  }, 3],
  ['rename column into a dropped name', (g, m) => {
    const t = pickTable(g, m, (x) => x.columns.length > 1);
    if (!t) return undefined;
    const [a, b] = g.r.shuffle(t.columns);
    return [{ kind: 'dropColumn', table: t.name, column: b.name }, { kind: 'renameColumn', table: t.name, from: a.name, to: b.name }];
  }, 2],
  ['widen type', (g, m) => retype(g, m, (t) => widened(g.r, t)), 4],
  ['narrow type', (g, m) => retype(g, m, (t) => narrowed(g.r, t)), 3],
  ['toggle notNull', (g, m) => {
    // Key columns half the time: a primary key implies NOT NULL whatever the model says.
    const plain = ({ column }: At) => !column.identity;
    const keyed = g.r.chance(0.5) ? pickColumn(g, m, (at) => plain(at) && at.table.primaryKey?.includes(at.column.name) === true) : undefined;
    const at = keyed ?? pickColumn(g, m, plain);
    return at && [{ kind: 'setNotNull', table: at.table.name, column: at.column.name, notNull: !at.column.notNull }];
  }, 4],
  ['set default', (g, m) => {
    const at = pickColumn(g, m, ({ column }) => !column.identity);
    const value = at && g.defaultFor(at.column.type, m);
    return at && value && [{ kind: 'setDefault', table: at.table.name, column: at.column.name, default: value }];
  }, 3],
  ['drop default', (g, m) => {
    const at = pickColumn(g, m, ({ column }) => column.default !== undefined);
    return at && [{ kind: 'setDefault', table: at.table.name, column: at.column.name }];
  }, 2],
  ['column comment', (g, m) => {
    const at = pickColumn(g, m);
    return at && [{ kind: 'setColumnComment', table: at.table.name, column: at.column.name, ...(at.column.comment === undefined || g.r.chance(0.6) ? { comment: `note ${g.r.word(2, 6)}` } : {}) }];
  }, 2],
  ['add primary key', (g, m) => {
    const at = pickColumn(g, m, ({ table, column }) => !table.primaryKey && isKeyable(column.type));
    return at && [{ kind: 'setPrimaryKey', table: at.table.name, columns: [at.column.name] }];
  }, 2],
  ['drop primary key', (g, m) => {
    const t = pickTable(g, m, (x) => x.primaryKey !== undefined);
    return t && [{ kind: 'setPrimaryKey', table: t.name }];
  }, 2],
  ['move primary key', (g, m) => {
    const candidates = allColumns(m).filter(({ table, column }) => table.primaryKey && isKeyable(column.type) && table.primaryKey.join() !== column.name);
    const preferred = candidates.filter(({ column }) => column.notNull);
    const at = preferred.length > 0 && g.r.chance(0.7) ? g.r.pick(preferred) : candidates.length > 0 ? g.r.pick(candidates) : undefined;
    if (!at) return undefined;
    // A foreign key to the old key needs it kept as a unique (or it is dropped with the key).
    const referenced = m.tables.some((t) => t.foreignKeys.some((fk) => fk.table === at.table.name && sameColumns(fk.refColumns, at.table.primaryKey!)));
    const keep = g.r.chance(referenced ? 0.8 : 0.25) ? { id: g.fresh('k'), ...(g.r.chance(0.5) ? { name: g.fresh('uq') } : {}), columns: [] } : undefined;
    // Promoting a unique to the key: the unique goes (a key is unique already).
    const promoted = at.table.uniques.filter((u) => u.columns.join() === at.column.name);
    return [
      ...promoted.map((u): Mutation => ({ kind: 'dropUnique', table: at.table.name, id: u.id })),
      { kind: 'setPrimaryKey', table: at.table.name, columns: [at.column.name], ...(keep ? { keepOldAsUnique: keep } : {}) },
    ];
  }, 4],
  ['add unique', (g, m) => {
    // Now and then on exactly the primary key's columns (which the model may refuse).
    const keyed = g.r.chance(0.1) ? pickTable(g, m, (t) => t.primaryKey !== undefined) : undefined;
    const fresh = ({ table, column }: At) => isKeyable(column.type) && table.primaryKey?.join() !== column.name && !table.uniques.some((u) => u.columns.join() === column.name);
    const at = keyed ? undefined : pickColumn(g, m, fresh);
    const table = keyed ?? at?.table;
    if (!table) return undefined;
    const columns = keyed ? [...keyed.primaryKey!] : [at!.column.name];
    const taken = table.uniques.some((u) => u.name === undefined && sameColumns(u.columns, columns));
    const unique = { id: g.fresh('k'), ...(taken || g.r.chance(0.5) ? { name: g.fresh('uq') } : {}), columns, ...(g.r.chance(0.15) ? { nullsNotDistinct: true } : {}) };
    return [{ kind: 'addUnique', table: table.name, unique }];
  }, 3],
  ['drop unique', (g, m) => {
    const t = pickTable(g, m, (x) => x.uniques.length > 0);
    return t && [{ kind: 'dropUnique', table: t.name, id: g.r.pick(t.uniques).id }];
  }, 2],
  ['add check', (g, m) => {
    const t = pickTable(g, m);
    const predicate = t && g.predicate(t, m, true);
    return t && predicate && [{ kind: 'addCheck', table: t.name, check: { id: g.fresh('k'), name: g.fresh('ck'), predicate } }];
  }, 3],
  ['drop check', (g, m) => {
    const t = pickTable(g, m, (x) => x.checks.length > 0);
    return t && [{ kind: 'dropCheck', table: t.name, id: g.r.pick(t.checks).id }];
  }, 2],
  ['add index', (g, m) => {
    const t = pickTable(g, m);
    const parts: Mutation[] = [];
    if (t) g.index(t, m, (index) => parts.push(indexMutation(t.name, index)));
    return parts;
  }, 3],
  ['drop index', (g, m) => {
    const t = pickTable(g, m, (x) => x.indexes.length > 0);
    return t && [{ kind: 'dropIndex', table: t.name, id: g.r.pick(t.indexes).id }];
  }, 2],
  ['add foreign key', (g, m) => {
    const t = pickTable(g, m, (x) => m.tables.indexOf(x) > 0);
    const fk = t && g.foreignKey(m, t, false);
    return t && fk && [...fk.columns.map((column): Mutation => ({ kind: 'addColumn', table: t.name, column })), foreignKeyMutation(t.name, fk.foreignKey)];
  }, 4],
  ['change foreign key action', (g, m) => {
    const t = pickTable(g, m, (x) => x.foreignKeys.length > 0);
    const fk = t && g.r.pick(t.foreignKeys);
    return t && fk && [{ kind: 'setForeignKeyAction', table: t.name, id: fk.id, onDelete: fk.onDelete === 'cascade' ? 'no action' : 'cascade' }];
  }, 1],
  ['toggle identity', (g, m) => {
    const at = pickColumn(g, m, ({ column }) => (column.type.kind === 'integer' || column.type.kind === 'bigint') && !column.type.array);
    if (!at) return undefined;
    const identity = at.column.identity ? undefined : g.r.chance(0.7) ? ('always' as const) : ('by default' as const);
    return [{ kind: 'setIdentity', table: at.table.name, column: at.column.name, ...(identity ? { identity } : {}) }];
  }, 2],
  ['enum comment', (g, m) => {
    const e = pickFrom(g, m.enums);
    return e && [{ kind: 'setEnumComment', enum: e.name, ...(e.comment === undefined || g.r.chance(0.6) ? { comment: `kinds of ${g.r.word(2, 6)}` } : {}) }];
  }, 1],
  ['drop foreign key', (g, m) => {
    const t = pickTable(g, m, (x) => x.foreignKeys.length > 0);
    return t && [{ kind: 'dropForeignKey', table: t.name, id: g.r.pick(t.foreignKeys).id }];
  }, 2],
  ['add enum', (g, m) => {
    const created = g.newEnum();
    const t = pickTable(g, m);
    const column: ColumnDesc = { name: g.fresh('c'), type: { kind: 'enum', enum: created.name }, notNull: false };
    return [{ kind: 'addEnum', enum: created }, ...(t && g.r.chance(0.7) ? [{ kind: 'addColumn', table: t.name, column } as Mutation] : [])];
  }, 2],
  ['drop enum', (g, m) => {
    const unused = m.enums.filter((e) => usersOf(m, e.name).length === 0);
    return unused.length > 0 ? [{ kind: 'dropEnum', enum: g.r.pick(unused).name }] : undefined;
  }, 1],
  ['add enum value', (g, m) => {
    const e = pickFrom(g, m.enums);
    const value = e && g.r.shuffle(LABELS).find((l) => !e.values.includes(l));
    if (!e || !value) return undefined;
    const at = g.r.int(0, e.values.length);
    return [{ kind: 'addEnumValue', enum: e.name, value, ...(at < e.values.length ? { before: e.values[at] } : {}) }];
  }, 5],
  ['add enum value used as default', (g, m) => {
    const at = pickColumn(g, m, ({ column }) => column.type.kind === 'enum' && !column.type.array);
    const type = at?.column.type;
    const e = type?.kind === 'enum' ? m.enums.find((x) => x.name === type.enum) : undefined;
    const value = e && g.r.shuffle(LABELS).find((l) => !e.values.includes(l));
    const position = e && g.r.int(0, e.values.length);
    if (!at || !e || !value) return undefined;
    return [
      { kind: 'addEnumValue', enum: e.name, value, ...(position! < e.values.length ? { before: e.values[position!] } : {}) },
      { kind: 'setDefault', table: at.table.name, column: at.column.name, default: { kind: 'literal', value } },
    ];
  }, 3],
  ['remove enum value', (g, m) => {
    const e = pickFrom(g, m.enums.filter((x) => x.values.length > 1));
    return e && [{ kind: 'removeEnumValue', enum: e.name, value: g.r.pick(e.values) }];
  }, 2],
  ['reorder enum values', (g, m) => {
    const e = pickFrom(g, m.enums.filter((x) => x.values.length > 1));
    const values = e && g.r.shuffle(e.values);
    return e && values && values.join() !== e.values.join() ? [{ kind: 'reorderEnum', enum: e.name, values }] : undefined;
  }, 2],
  ['two edits at once', (g, m) => {
    const simple = GENERATORS.filter(([kind]) => kind !== 'two edits at once');
    const [, first] = g.r.weighted(simple.map((x) => [x, x[2]] as const));
    const [, second] = g.r.weighted(simple.map((x) => [x, x[2]] as const));
    // The second is drawn from the model the first leaves (not from the same start: dropping an
    // enum and adding a column of it at once is no model at all).
    const parts = first(g, m) ?? [];
    const between = applyEdit(m, { kind: 'two edits at once', parts }).model;
    const both = [...parts, ...(second(g, between) ?? [])];
    // A column dropped and a new one given its name in one edit is, to the model, the same
    // column with a new type (nothing says otherwise): not the edit the parts describe.
    return reusesDroppedName(m, applyEdit(m, { kind: 'two edits at once', parts: both }).model) ? parts : both;
  }, 5],
];

/** A column new in `after` under the name of a column of `before` that no rename claims. */
function reusesDroppedName(before: ModelDesc, after: ModelDesc): boolean {
  return after.tables.some((table) => {
    const old = before.tables.find((t) => t.name === (table.renamedFrom ?? table.name));
    return old !== undefined && table.columns.some((c) => c.added && old.columns.some((o) => o.name === c.name) && !table.columns.some((k) => k.renamedFrom === c.name));
  });
}

function pickFrom<T>(g: EditGenerator, list: readonly T[]): T | undefined {
  return list.length > 0 ? g.r.pick(list) : undefined;
}

/** Every edit class, for reports that show which classes ran. */
export const EDIT_CLASSES: readonly string[] = ['add table', ...GENERATORS.map(([kind]) => kind).filter((k) => k !== 'add table')];
