// The differ: the typed changes that turn one state of a service's schema into another, and
// those that turn it back. It compares data and writes no SQL (lib/sql/render-change.ts does).
// Renames happen only where the model declares them (renamedFrom, see name-correspondence.ts);
// keys, indexes and sequences named after a renamed table or column are renamed with it, so the
// result equals a fresh create of the new model.
import { ColumnModel, EnumModel, ForeignKeyModel, isNotNull, sameType, ServiceSchema, TableModel } from '../schema/schema-model';
import { sequenceName } from '../schema/naming';
import { referencedColumns } from '../sql/parser';
import { Change, ChangeData, change, EnumColumnConversion, TableRef } from './change';
import { TableTransfer } from './table-transfer';
import { inPhaseOrder } from './change-phases';
import { correspondence, Correspondence, renameOrder } from './name-correspondence';
import { UnsupportedChange } from './unsupported-change';

export { UnsupportedChange } from './unsupported-change';

/** The changes of a migration, up and down, each in the order it runs. */
export interface SchemaDiff {
  readonly up: readonly Change[];
  readonly down: readonly Change[];
}

export interface DiffOptions {
  /**
   * The migration has data sections, where a person fills a new NOT NULL column: such a column
   * without a default is added nullable, and made NOT NULL (in its online form) after the data
   * sections, instead of being refused. @default false
   */
  readonly filledByData?: boolean;
}

export function diffSchemas(before: ServiceSchema, after: ServiceSchema, options: DiffOptions = {}): SchemaDiff {
  const names = correspondence(before, after);
  return { up: new Plan(before, after, names, 'up', options).changes(), down: new Plan(after, before, names.inverted(), 'down').changes() };
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((c) => b.includes(c));
const ref = (schema: string, name: string): TableRef => ({ schema, name });
const isEnumOf = (type: ColumnModel['type'], e: EnumModel): boolean => type.kind === 'enum' && type.schema === e.schema && type.name === e.name;
/** A name no object has: what a reference to a dropped table or column becomes, so it never matches. */
const gone = (name: string): string => `\u0000${name}`;

type Named = { readonly name: string };
type NamedKind = 'uniques' | 'checks' | 'indexes' | 'foreignKeys';

/** The changes from one state to the other. */
class Plan {
  private readonly out: Change[] = [];
  /** Keys dropped (in new names): foreign keys that depend on them are dropped and added again. */
  private readonly droppedKeys: { table: string; columns: readonly string[] }[] = [];
  /** Columns whose type changes (`table.column`, new names): foreign keys over them are dropped and added again. */
  private readonly retyped = new Set<string>();
  /** Checks and indexes (by table's new name, then old name) that must be dropped and created again. */
  private readonly recreate = new Map<string, Set<string>>();

  constructor(
    private readonly from: ServiceSchema,
    private readonly to: ServiceSchema,
    private readonly names: Correspondence,
    private readonly direction: 'up' | 'down',
    private readonly options: DiffOptions = {},
  ) {}

  changes(): Change[] {
    this.planTransfers();
    this.planEnums();
    this.planTables();
    return inPhaseOrder(this.out);
  }

  // ---- transfers (table-transfer.ts) ----

  /** Tables that arrive or leave by a transfer, by name: not created or dropped. */
  private readonly transferred = new Set<string>();
  /** Enums that move with them: not created or dropped either. */
  private readonly movedEnums = new Set<string>();

  /**
   * A table that appears with `transferredFrom` is adopted (up) and, the other way, returned;
   * one that disappears while the schema lists it as released is released (up) and, the other
   * way, reclaimed. A transfer moves the table as it is, renamed nothing.
   */
  private planTransfers(): void {
    const up = this.direction === 'up';
    for (const table of up ? this.to.tables : this.from.tables) {
      const origin = table.transferredFrom;
      if (!origin || (up ? this.from : this.to).tables.some((t) => t.name === table.name)) continue;
      const types = this.enumsOnlyIn(table, up ? this.from : this.to);
      this.addTransfer(table, {
        action: up ? 'adopt' : 'return',
        service: this.to.service,
        fromSchema: up ? origin.schema : table.schema,
        toSchema: up ? table.schema : origin.schema,
        other: { service: origin.service, schema: origin.schema },
        types,
        ...(up && origin.release !== undefined ? { after: origin.release } : {}),
      });
    }
    const released = (up ? this.to : this.from).released ?? [];
    for (const table of up ? this.from.tables : this.to.tables) {
      const gift = released.find((r) => r.table === table.name);
      if (!gift || (up ? this.to : this.from).tables.some((t) => t.name === table.name)) continue;
      this.addTransfer(table, { action: up ? 'release' : 'reclaim', service: this.to.service, fromSchema: table.schema, toSchema: table.schema, other: { service: gift.service, schema: gift.schema }, types: gift.types });
    }
  }

  private addTransfer(table: TableModel, transfer: Omit<TableTransfer, 'table' | 'sequences'>): void {
    this.transferred.add(table.name);
    for (const type of transfer.types) this.movedEnums.add(type);
    const sequences = table.columns.filter((c) => c.identity !== undefined || c.serial === true).map((c) => sequenceName(table.name, c.name));
    this.add({ kind: 'TransferTable', table: ref(transfer.fromSchema, table.name), transfer: { ...transfer, table: table.name, sequences } });
  }

  /** The enums of the schema `table` is in that its columns use and `other` lacks: they move with it. */
  private enumsOnlyIn(table: TableModel, other: ServiceSchema): string[] {
    const used = new Set(table.columns.flatMap((c) => (c.type.kind === 'enum' && c.type.schema === table.schema ? [c.type.name] : [])));
    return [...used].filter((name) => !other.enums.some((e) => e.name === name)).sort();
  }

  private add(data: ChangeData): void {
    this.out.push(change(data));
  }

  // ---- enums ----

  private planEnums(): void {
    for (const type of this.to.enums) {
      const old = this.from.enums.find((e) => e.name === type.name);
      if (!old && this.movedEnums.has(type.name)) continue;
      if (!old) {
        this.add({ kind: 'CreateEnum', type });
        continue;
      }
      const rebuilt = !sameJson(old.values, type.values) && this.planEnumValues(old, type);
      if (!rebuilt && old.comment !== type.comment) this.add({ kind: 'CommentOnEnum', type, comment: type.comment });
    }
    for (const type of this.from.enums) {
      if (!this.to.enums.some((e) => e.name === type.name) && !this.movedEnums.has(type.name)) this.add({ kind: 'DropEnum', type });
    }
  }

  /** Plans the change of labels; true when the type had to be rebuilt. */
  private planEnumValues(old: EnumModel, type: EnumModel): boolean {
    const kept = type.values.filter((v) => old.values.includes(v));
    // A value added with ADD VALUE cannot be used in the transaction that adds it (55P04). An up
    // gets the additions in a migration of their own (generate splits it); a down cannot be
    // split, so it rebuilds the type, whose values a new type may use at once.
    if (sameJson(kept, old.values) && this.direction === 'up') {
      // Only additions, order kept: ADD VALUE each, before the label that follows it.
      type.values.forEach((value, i) => {
        if (old.values.includes(value)) return;
        const before = type.values.slice(i + 1).find((v) => old.values.includes(v));
        this.add({ kind: 'AddEnumValue', type, value, ...(before !== undefined ? { before } : {}) });
      });
      return false;
    }
    const columns: EnumColumnConversion[] = [];
    for (const table of this.to.tables) {
      const oldTable = this.oldTableOf(table);
      if (!oldTable) continue;
      for (const column of table.columns) {
        const oldName = this.names.oldColumn(table.name, column.name);
        const oldColumn = oldTable.columns.find((c) => c.name === oldName);
        if (!oldColumn || !isEnumOf(oldColumn.type, type)) continue;
        columns.push({
          table: ref(table.schema, table.name),
          column: column.name,
          array: oldColumn.type.array === true,
          hadDefault: oldColumn.default !== undefined,
          ...(oldColumn.default !== undefined && sameType(column.type, oldColumn.type) && column.default !== undefined ? { defaultAfter: column.default } : {}),
        });
        // The column's type changes (to the new type): a foreign key over it is re-added around it.
        this.retyped.add(`${table.name}.${column.name}`);
        // A check or partial index comparing the column with a label names the old type, and
        // no operator compares the two types: it is dropped first and created again after.
        this.recreateExpressionsOn(oldTable, table.name, oldColumn.name);
      }
    }
    this.add({ kind: 'RebuildEnum', type, removed: old.values.filter((v) => !type.values.includes(v)), columns });
    return true;
  }

  /** Marks the checks and partial indexes of `oldTable` whose expression names `column`. */
  private recreateExpressionsOn(oldTable: TableModel, newName: string, column: string): void {
    const marked = this.recreate.get(newName) ?? new Set<string>();
    for (const check of oldTable.checks) if (referencedColumns(check.expression).has(column)) marked.add(check.name);
    for (const index of oldTable.indexes) if (index.where !== undefined && referencedColumns(index.where).has(column)) marked.add(index.name);
    this.recreate.set(newName, marked);
  }

  // ---- tables ----

  private oldTableOf(table: TableModel): TableModel | undefined {
    const oldName = this.names.oldTable(table.name);
    return oldName === undefined ? undefined : this.from.tables.find((t) => t.name === oldName);
  }

  private planTables(): void {
    const pairs: [TableModel, TableModel][] = [];
    for (const table of this.to.tables) {
      const old = this.oldTableOf(table);
      if (old) pairs.push([old, table]);
      else if (!this.transferred.has(table.name)) this.createTable(table);
    }
    for (const old of this.from.tables) {
      if (this.names.newTable(old.name) === undefined && !this.transferred.has(old.name)) this.dropTable(old);
    }
    const order = renameOrder(
      pairs.map(([old, table]) => [old.name, table.name] as const),
      `tables of ${this.to.schema}`,
    ).map(([, to]) => to);
    // Renamed tables in an order that frees each name before it is taken; the others after.
    const ordered = [...pairs].sort(([, a], [, b]) => rank(order, a.name) - rank(order, b.name));
    // `old` in the new names, once per table: its keys and foreign keys compare with the new ones.
    const renamed = ordered.map(([old, table]) => [old, this.inNewNames(old, table), table] as const);
    for (const [old, renamedOld, table] of renamed) this.alterTable(old, renamedOld, table);
    for (const [old, renamedOld, table] of renamed) this.planNamed(renamedOld, table, old.name, 'foreignKeys');
  }

  private createTable(table: TableModel): void {
    this.add({ kind: 'CreateTable', table });
    for (const foreignKey of table.foreignKeys) this.add({ kind: 'AddForeignKey', table: ref(table.schema, table.name), foreignKey });
  }

  private dropTable(table: TableModel): void {
    const at = ref(table.schema, table.name);
    // Its own foreign keys first, so that dropped tables referencing each other drop in any order.
    for (const fk of table.foreignKeys) this.add({ kind: 'DropForeignKey', table: at, name: fk.name });
    this.add({ kind: 'DropTable', table: at, freesName: this.to.tables.some((t) => t.name === table.name) });
  }

  private alterTable(old: TableModel, renamedOld: TableModel, table: TableModel): void {
    if (old.name !== table.name) this.add({ kind: 'RenameTable', table: ref(old.schema, old.name), to: table.name });
    this.planColumns(old, table);
    this.planPrimaryKey(renamedOld, table, old.name);
    for (const kind of ['uniques', 'checks', 'indexes'] as const) this.planNamed(renamedOld, table, old.name, kind);
    if (old.comment !== table.comment) this.add({ kind: 'CommentOnTable', table: ref(table.schema, table.name), comment: table.comment });
  }

  /**
   * `old` described with the new names of its table, columns and referenced tables, so its keys,
   * indexes and foreign keys compare directly with the new ones. Checks and predicates that name
   * a renamed or dropped column are marked to be created again (their text names the old column).
   */
  private inNewNames(old: TableModel, table: TableModel): TableModel {
    const column = (c: string) => this.names.newColumn(table.name, c) ?? gone(c);
    const moved = new Set(old.columns.map((c) => c.name).filter((c) => column(c) !== c));
    for (const name of moved) this.recreateExpressionsOn(old, table.name, name);
    return {
      ...old,
      name: table.name,
      columns: old.columns.map((c) => ({ ...c, name: column(c.name) })),
      ...(old.primaryKey ? { primaryKey: { ...old.primaryKey, columns: old.primaryKey.columns.map(column) } } : {}),
      uniques: old.uniques.map((u) => ({ ...u, columns: u.columns.map(column) })),
      indexes: old.indexes.map((i) => ({ ...i, columns: i.columns.map((c) => ({ ...c, column: column(c.column) })), ...(i.include ? { include: i.include.map(column) } : {}) })),
      foreignKeys: old.foreignKeys.map((f) => {
        const target = this.names.newTable(f.references.table);
        const targetColumn = (c: string) => (target === undefined ? gone(c) : (this.names.newColumn(target, c) ?? gone(c)));
        return {
          ...f,
          columns: f.columns.map(column),
          references: { ...f.references, table: target ?? gone(f.references.table), columns: f.references.columns.map(targetColumn) },
        };
      }),
    };
  }

  private planColumns(old: TableModel, table: TableModel): void {
    const pairs = table.columns.flatMap((column) => {
      const oldName = this.names.oldColumn(table.name, column.name);
      return oldName === undefined ? [] : [[oldName, column.name] as const];
    });
    for (const [from, to] of renameOrder(pairs, `${table.schema}.${table.name}`)) this.renameColumn(old, table, from, to);
    for (const column of table.columns) {
      const oldName = this.names.oldColumn(table.name, column.name);
      const previous = old.columns.find((c) => c.name === oldName);
      if (previous) this.alterColumn(old, previous, table, column);
      else this.addColumn(table, column);
    }
    for (const column of old.columns) {
      if (this.names.newColumn(table.name, column.name) !== undefined) continue;
      // A dropped column whose name a renamed column takes goes first, under the old table name.
      const freesName = table.columns.some((c) => c.name === column.name);
      const renamedInto = freesName ? this.names.oldColumn(table.name, column.name) : undefined;
      this.add({
        kind: 'DropColumn',
        table: ref(table.schema, freesName ? old.name : table.name),
        column: column.name,
        freesName,
        ...(renamedInto !== undefined ? { renamedInto } : {}),
      });
    }
  }

  private renameColumn(old: TableModel, table: TableModel, from: string, to: string): void {
    this.add({ kind: 'RenameColumn', table: ref(table.schema, table.name), column: from, to });
    const previous = old.columns.find((c) => c.name === from)!;
    const column = table.columns.find((c) => c.name === to)!;
    this.renameSequence(old, previous, table, column);
  }

  /** An identity or serial column's sequence is named after its table and column: it follows them. */
  private renameSequence(old: TableModel, previous: ColumnModel, table: TableModel, column: ColumnModel): void {
    const hasSequence = (c: ColumnModel) => c.identity !== undefined || c.serial === true;
    const from = sequenceName(old.name, previous.name);
    const to = sequenceName(table.name, column.name);
    if (from !== to && hasSequence(previous) && hasSequence(column)) this.add({ kind: 'RenameSequence', table: ref(table.schema, table.name), name: from, to });
  }

  private addColumn(table: TableModel, column: ColumnModel): void {
    // Only a new column is judged so: the down re-adds a dropped one as it was (on a table with
    // rows that fails, and says so: its data is gone).
    if (this.direction === 'up' && column.notNull && column.default === undefined && !column.identity && !column.serial) {
      if (this.options.filledByData) {
        // Expand, fill (the data sections), contract: SetNotNull runs after the data sections
        // (data-phases.ts), in its online form on the table with rows.
        this.add({ kind: 'AddColumn', table: ref(table.schema, table.name), column: { ...column, notNull: false } });
        this.add({ kind: 'SetNotNull', table: ref(table.schema, table.name), column: column.name });
        return;
      }
      throw new UnsupportedChange(
        `${table.schema}.${table.name}: the new column "${column.name}" is NOT NULL without a default, so adding it fails on a table with rows: ` +
          'give it a default (.default(...) or .defaultSql(...)); or generate with --data and fill it in the data section (it is added nullable, filled, then made NOT NULL); or add it nullable, fill it, then make it notNull() in a later migration',
      );
    }
    this.add({ kind: 'AddColumn', table: ref(table.schema, table.name), column });
  }

  private alterColumn(oldTable: TableModel, previous: ColumnModel, table: TableModel, column: ColumnModel): void {
    const at = ref(table.schema, table.name);
    const name = column.name;
    // A renamed table's sequences follow it (a renamed column's followed in renameColumn).
    if (oldTable.name !== table.name && previous.name === name) this.renameSequence(oldTable, previous, table, column);
    const typeChanges = !sameType(previous.type, column.type);
    if ((previous.serial || column.serial) && (typeChanges || previous.serial !== column.serial)) {
      throw new UnsupportedChange(`${table.schema}.${table.name}.${name}: changing a serial column's type is not supported: add an identity column instead (bigint().generatedAlwaysAsIdentity())`);
    }
    const defaultChanges = !sameJson(previous.default, column.default);
    if (previous.identity && !column.identity) this.add({ kind: 'DropIdentity', table: at, column: name });
    if (previous.default !== undefined && (defaultChanges || typeChanges)) this.add({ kind: 'DropDefault', table: at, column: name });
    if (typeChanges) {
      this.retyped.add(`${table.name}.${name}`);
      const viaText = previous.type.kind === 'enum' || column.type.kind === 'enum';
      this.add({ kind: 'AlterColumnType', table: at, column: name, from: previous.type, to: column.type, viaText });
    }
    if (column.default !== undefined && (defaultChanges || typeChanges)) this.add({ kind: 'SetDefault', table: at, column: name, value: column.default });
    // What PostgreSQL enforces is compared, not what was declared: a primary key implies NOT NULL.
    const was = isNotNull(oldTable, previous);
    const now = isNotNull(table, column);
    if (was !== now) this.add({ kind: now ? 'SetNotNull' : 'DropNotNull', table: at, column: name });
    if (column.identity && !previous.identity) this.add({ kind: 'AddIdentity', table: at, column: name, generation: column.identity });
    if (column.identity && previous.identity && column.identity !== previous.identity) this.add({ kind: 'SetIdentityGeneration', table: at, column: name, generation: column.identity });
    if (previous.comment !== column.comment) this.add({ kind: 'CommentOnColumn', table: at, column: name, comment: column.comment });
  }

  private planPrimaryKey(old: TableModel, table: TableModel, oldName: string): void {
    const before = old.primaryKey;
    const after = table.primaryKey;
    if (before && after && sameJson(before.columns, after.columns)) {
      if (before.name !== after.name) this.add({ kind: 'RenameConstraint', table: ref(table.schema, table.name), name: before.name, to: after.name });
      return;
    }
    if (before) {
      this.add({ kind: 'DropConstraint', table: ref(table.schema, oldName), name: before.name, what: 'primary key' });
      this.droppedKeys.push({ table: table.name, columns: before.columns });
    }
    if (after) this.add({ kind: 'AddPrimaryKey', table: ref(table.schema, table.name), key: after });
  }

  /**
   * Uniques, checks, indexes and foreign keys: same name and definition, nothing; same
   * definition under another name, a rename; anything else is dropped (under the table's old
   * name, before the renames) and created again.
   */
  private planNamed(old: TableModel, table: TableModel, oldName: string, kind: NamedKind): void {
    const definition = (item: Named) => JSON.stringify({ ...item, name: undefined });
    const forced = this.recreate.get(table.name) ?? new Set<string>();
    const stays = (item: Named) => !forced.has(item.name) && !(kind === 'foreignKeys' && this.mustReAdd(table.name, item as ForeignKeyModel));
    const before = old[kind] as readonly Named[];
    const after = table[kind] as readonly Named[];
    const same = (a: Named, b: Named) => a.name === b.name && definition(a) === definition(b) && stays(a);
    const unmatched = before.filter((b) => !after.some((a) => same(b, a)));
    const at = ref(table.schema, table.name);
    for (const item of after) {
      if (before.some((b) => same(b, item))) continue;
      // A rename needs the new name to be free: not held by an object that is dropped later.
      const renamed = before.some((b) => b.name === item.name) ? undefined : unmatched.find((b) => stays(b) && definition(b) === definition(item) && !after.some((a) => a.name === b.name));
      if (renamed) {
        unmatched.splice(unmatched.indexOf(renamed), 1);
        this.add({ kind: kind === 'indexes' ? 'RenameIndex' : 'RenameConstraint', table: at, name: renamed.name, to: item.name });
      } else this.add(createData(kind, at, item));
    }
    const oldAt = ref(table.schema, oldName);
    for (const item of unmatched) {
      this.add(dropData(kind, oldAt, item));
      if (kind === 'uniques') this.droppedKeys.push({ table: table.name, columns: (item as TableModel['uniques'][number]).columns });
    }
  }

  /**
   * A foreign key uses the referenced table's key on its columns: dropping that key needs it
   * gone. And PostgreSQL checks the two sides' types at each type change, so changing both
   * sides (int to bigint) fails half-way unless the key is dropped first and added after.
   */
  private mustReAdd(table: string, fk: ForeignKeyModel): boolean {
    const retyped = fk.columns.some((c) => this.retyped.has(`${table}.${c}`)) || fk.references.columns.some((c) => this.retyped.has(`${fk.references.table}.${c}`));
    return retyped || this.droppedKeys.some((key) => key.table === fk.references.table && sameSet(key.columns, fk.references.columns));
  }
}

function rank(order: readonly string[], name: string): number {
  const index = order.indexOf(name);
  return index < 0 ? order.length : index;
}

function createData(kind: NamedKind, table: TableRef, item: Named): ChangeData {
  if (kind === 'uniques') return { kind: 'AddUnique', table, key: item as TableModel['uniques'][number] };
  if (kind === 'checks') return { kind: 'AddCheck', table, check: item as TableModel['checks'][number] };
  if (kind === 'indexes') return { kind: 'CreateIndex', table, index: item as TableModel['indexes'][number] };
  return { kind: 'AddForeignKey', table, foreignKey: item as ForeignKeyModel };
}

function dropData(kind: NamedKind, table: TableRef, item: Named): ChangeData {
  if (kind === 'indexes') return { kind: 'DropIndex', table, name: item.name };
  if (kind === 'foreignKeys') return { kind: 'DropForeignKey', table, name: item.name };
  return { kind: 'DropConstraint', table, name: item.name, what: kind === 'uniques' ? 'unique constraint' : 'check constraint' };
}
