// The differ: the statements that turn one state of a service's schema into another, and
// the statements that turn it back. Renames happen only where the model declares them
// (renamedFrom); keys, indexes and sequences named after a renamed table or column are
// renamed with it, so the result equals a fresh create of the new model.
import { ColumnModel } from '../model/column';
import { EnumModel, ForeignKeyModel, IndexModel, KeyModel, TableModel } from '../model/table-model';
import * as ddl from '../sql/ddl';
import { ServiceSchema } from './service-schema';

/** What a generated migration holds. */
export interface SchemaChange {
  readonly up: readonly string[];
  readonly down: readonly string[];
  /** Changes in `up` that can lose data, in words (dropped tables and columns, narrowed types). */
  readonly destructive: readonly string[];
  /** One line per change, for the person generating and the reviewer. */
  readonly summary: readonly string[];
}

/** A change the differ will not generate, with what to do instead. */
export class UnsupportedChange extends Error {}

export function diffSchemas(before: ServiceSchema, after: ServiceSchema): SchemaChange {
  const renames = declaredRenames(before, after);
  const up = new Plan(before, after, renames);
  const down = new Plan(after, before, renames.inverted());
  return { up: up.statements(), down: down.statements(), destructive: up.destructive, summary: up.summary };
}

/** Renames declared in the new model, kept only where the old name exists before. */
class Renames {
  constructor(
    /** new table name -> old table name */
    readonly tables: ReadonlyMap<string, string>,
    /** new table name -> (new column name -> old column name) */
    readonly columns: ReadonlyMap<string, ReadonlyMap<string, string>>,
  ) {}

  /** The previous name of a table now called `name`. */
  tableFrom(name: string): string {
    return this.tables.get(name) ?? name;
  }

  /** The current name of a table previously called `name`. */
  tableTo(name: string): string {
    for (const [to, from] of this.tables) if (from === name) return to;
    return this.tables.has(name) ? `\u0000${name}` : name; // a renamed-away name no longer exists
  }

  columnFrom(table: string, column: string): string {
    return this.columns.get(table)?.get(column) ?? column;
  }

  columnTo(table: string, column: string): string {
    for (const [to, from] of this.columns.get(table) ?? []) if (from === column) return to;
    return column;
  }

  inverted(): Renames {
    const tables = new Map([...this.tables].map(([to, from]) => [from, to]));
    const columns = new Map(
      [...this.columns].map(([table, map]) => [this.tables.get(table) ?? table, new Map([...map].map(([to, from]) => [from, to]))]),
    );
    return new Renames(tables, columns);
  }
}

function declaredRenames(before: ServiceSchema, after: ServiceSchema): Renames {
  const oldTables = new Set(before.tables.map((t) => t.name));
  const tables = new Map<string, string>();
  const columns = new Map<string, Map<string, string>>();
  for (const table of after.tables) {
    const from = table.renamedFrom !== undefined && oldTables.has(table.renamedFrom) && !oldTables.has(table.name) ? table.renamedFrom : undefined;
    if (from) tables.set(table.name, from);
    const old = before.tables.find((t) => t.name === (from ?? table.name));
    if (!old) continue;
    const oldColumns = new Set(old.columns.map((c) => c.name));
    const renamed = new Map<string, string>();
    for (const column of table.columns) {
      if (column.renamedFrom !== undefined && oldColumns.has(column.renamedFrom) && !oldColumns.has(column.name)) renamed.set(column.name, column.renamedFrom);
    }
    if (renamed.size > 0) columns.set(table.name, renamed);
  }
  return new Renames(tables, columns);
}

type Phase =
  | 'renames'
  | 'dropForeignKeys'
  | 'dropIndexes'
  | 'dropColumns'
  | 'dropTables'
  | 'types'
  | 'createTables'
  | 'columns'
  | 'addConstraints'
  | 'foreignKeys'
  | 'comments'
  | 'dropTypes';

// Renames come first, so every later statement can use the new names.
const PHASES: readonly Phase[] = ['renames', 'dropForeignKeys', 'dropIndexes', 'dropColumns', 'dropTables', 'types', 'createTables', 'columns', 'addConstraints', 'foreignKeys', 'comments', 'dropTypes'];

/** Types whose change to the other is a widening that keeps every value. */
const SAFE_WIDENINGS: readonly [RegExp, (from: RegExpExecArray, to: string) => boolean][] = [
  [/^smallint$/, (_m, to) => to === 'integer' || to === 'bigint'],
  [/^integer$/, (_m, to) => to === 'bigint'],
  [/^character varying\((\d+)\)$/, (m, to) => to === 'text' || to === 'character varying' || (/^character varying\((\d+)\)$/.exec(to) !== null && Number(/\d+/.exec(to)![0]) >= Number(m[1]))],
  [/^character varying$/, (_m, to) => to === 'text'],
  [/^numeric\((\d+),(\d+)\)$/, (m, to) => to === 'numeric' || isWiderNumeric(Number(m[1]), Number(m[2]), to)],
  [/^real$/, (_m, to) => to === 'double precision'],
  [/^json$/, (_m, to) => to === 'jsonb'],
  [/^timestamp without time zone$/, () => false],
];

function isWiderNumeric(precision: number, scale: number, to: string): boolean {
  const match = /^numeric\((\d+),(\d+)\)$/.exec(to);
  return match !== null && Number(match[2]) >= scale && Number(match[1]) - Number(match[2]) >= precision - scale;
}

function keepsValues(from: string, to: string): boolean {
  return SAFE_WIDENINGS.some(([pattern, wider]) => {
    const match = pattern.exec(from);
    return match !== null && wider(match, to);
  });
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const isEnumType = (type: string): boolean => type.startsWith('"');

/** The statements from one state to the other, grouped in phases that keep dependencies valid. */
class Plan {
  readonly destructive: string[] = [];
  readonly summary: string[] = [];
  private readonly phases = new Map<Phase, string[]>(PHASES.map((p) => [p, []]));

  constructor(
    private readonly from: ServiceSchema,
    private readonly to: ServiceSchema,
    private readonly renames: Renames,
  ) {
    this.planEnums();
    this.planTables();
  }

  statements(): string[] {
    return PHASES.flatMap((phase) => this.phases.get(phase)!);
  }

  private add(phase: Phase, ...statements: string[]): void {
    this.phases.get(phase)!.push(...statements);
  }

  // ---- enums ----

  private planEnums(): void {
    for (const type of this.to.enums) {
      const old = this.from.enums.find((e) => e.name === type.name);
      if (!old) {
        this.add('types', ...ddl.createEnum(type));
        this.summary.push(`create enum ${type.schema}.${type.name}`);
        continue;
      }
      const rebuilt = !sameJson(old.values, type.values) && this.planEnumValues(old, type);
      if (!rebuilt && old.comment !== type.comment) this.add('comments', ddl.commentOnType(type, type.comment));
    }
    for (const type of this.from.enums) {
      if (!this.to.enums.some((e) => e.name === type.name)) {
        this.add('dropTypes', ddl.dropEnum(type));
        this.summary.push(`drop enum ${type.schema}.${type.name}`);
      }
    }
  }

  /** Plans the change of labels; true when the type had to be rebuilt. */
  private planEnumValues(old: EnumModel, type: EnumModel): boolean {
    const kept = type.values.filter((v) => old.values.includes(v));
    if (kept.length === old.values.length && sameJson(kept, old.values)) {
      // Only additions, order kept: ADD VALUE each, before the label that follows it.
      type.values.forEach((value, i) => {
        if (old.values.includes(value)) return;
        const before = type.values.slice(i + 1).find((v) => old.values.includes(v));
        this.add('types', ddl.addEnumValue(type, value, before));
        this.summary.push(`add value '${value}' to enum ${type.schema}.${type.name}`);
      });
      return false;
    }
    // Values removed or reordered: PostgreSQL cannot drop a label, so the type is rebuilt and
    // every column using it converted through text (a row holding a removed value fails).
    const removed = old.values.filter((v) => !type.values.includes(v));
    if (removed.length > 0) this.destructive.push(`enum ${type.schema}.${type.name} loses ${removed.map((v) => `'${v}'`).join(', ')} (rows holding them make the migration fail)`);
    this.summary.push(`rebuild enum ${type.schema}.${type.name} with values ${type.values.map((v) => `'${v}'`).join(', ')}`);
    const replaced = `${type.name.slice(0, 50)}_replaced`;
    this.add('types', ddl.renameType(type.schema, type.name, replaced), ...ddl.createEnum(type));
    const qualified = `"${type.schema}"."${type.name}"`;
    for (const table of this.to.tables) {
      const oldTable = this.from.tables.find((t) => t.name === this.renames.tableFrom(table.name));
      if (!oldTable) continue;
      for (const column of table.columns) {
        const oldColumn = oldTable.columns.find((c) => c.name === this.renames.columnFrom(table.name, column.name));
        if (!oldColumn || (oldColumn.type !== qualified && oldColumn.type !== `${qualified}[]`)) continue;
        if (oldColumn.default !== undefined) this.add('types', ddl.dropDefault(table, column.name));
        this.add('types', ddl.alterColumnTypeViaText(table, column.name, oldColumn.type.endsWith('[]') ? `${qualified}[]` : qualified));
        if (oldColumn.default !== undefined && column.type === oldColumn.type && column.default !== undefined) this.add('types', ddl.setDefault(table, column.name, column.default));
      }
    }
    this.add('types', ddl.dropEnum({ ...type, name: replaced }));
    return true;
  }

  // ---- tables ----

  private planTables(): void {
    for (const table of this.to.tables) {
      const oldName = this.renames.tableFrom(table.name);
      const old = this.from.tables.find((t) => t.name === oldName);
      if (!old) this.createTable(table);
      else this.alterTable(old, table);
    }
    for (const old of this.from.tables) {
      if (!this.to.tables.some((t) => this.renames.tableFrom(t.name) === old.name)) this.dropTable(old);
    }
  }

  private createTable(table: TableModel): void {
    this.add('createTables', ddl.createTable(table));
    this.add('addConstraints', ...table.indexes.map((index) => ddl.createIndex(table, index)));
    this.add('foreignKeys', ...table.foreignKeys.map((fk) => ddl.addForeignKey(table, fk)));
    this.add('comments', ...ddl.tableComments(table));
    this.summary.push(`create table ${table.schema}.${table.name}`);
  }

  private dropTable(table: TableModel): void {
    // Foreign keys into it from tables that stay are dropped by their own tables' plans.
    this.add('dropForeignKeys', ...table.foreignKeys.map((fk) => ddl.dropConstraint(table, fk.name)));
    this.add('dropTables', ddl.dropTable(table));
    this.destructive.push(`drop table ${table.schema}.${table.name} and its rows`);
    this.summary.push(`drop table ${table.schema}.${table.name}`);
  }

  private alterTable(old: TableModel, table: TableModel): void {
    if (old.name !== table.name) {
      this.add('renames', ddl.renameTable(table.schema, old.name, table.name));
      this.summary.push(`rename table ${table.schema}.${old.name} to ${table.name}`);
    }
    // From here on `old` is described with the new names, so definitions compare directly.
    const renamedOld = this.inNewNames(old, table.name);
    this.planColumns(old, renamedOld, table);
    this.planPrimaryKey(renamedOld, table);
    this.planNamed(renamedOld, table, 'uniques', (t, k) => ddl.addUnique(t, k as KeyModel), (t, k) => ddl.dropConstraint(t, k.name), (t, a, b) => ddl.renameConstraint(t, a, b), 'dropIndexes');
    this.planNamed(renamedOld, table, 'checks', (t, c) => ddl.addCheck(t, c as { name: string; expression: string }), (t, c) => ddl.dropConstraint(t, c.name), (t, a, b) => ddl.renameConstraint(t, a, b), 'dropIndexes');
    this.planNamed(renamedOld, table, 'indexes', (t, i) => ddl.createIndex(t, i as IndexModel), (t, i) => ddl.dropIndex(t.schema, i.name), (t, a, b) => ddl.renameIndex(t.schema, a, b), 'dropIndexes');
    this.planNamed(renamedOld, table, 'foreignKeys', (t, f) => ddl.addForeignKey(t, f as ForeignKeyModel), (t, f) => ddl.dropConstraint(t, f.name), (t, a, b) => ddl.renameConstraint(t, a, b), 'dropForeignKeys');
    if (old.comment !== table.comment) this.add('comments', ddl.commentOnTable(table, table.comment));
  }

  /** `old` with the new table name and column names, and references to renamed tables mapped. */
  private inNewNames(old: TableModel, name: string): TableModel {
    const column = (c: string) => this.renames.columnTo(name, c);
    return {
      ...old,
      name,
      columns: old.columns.map((c) => ({ ...c, name: column(c.name) })),
      ...(old.primaryKey ? { primaryKey: { ...old.primaryKey, columns: old.primaryKey.columns.map(column) } } : {}),
      uniques: old.uniques.map((u) => ({ ...u, columns: u.columns.map(column) })),
      indexes: old.indexes.map((i) => ({ ...i, columns: i.columns.map((c) => ({ ...c, column: column(c.column) })), ...(i.include ? { include: i.include.map(column) } : {}) })),
      foreignKeys: old.foreignKeys.map((f) => {
        const target = this.renames.tableTo(f.references.table);
        return {
          ...f,
          columns: f.columns.map(column),
          references: { ...f.references, table: target, columns: f.references.columns.map((c) => this.renames.columnTo(target, c)) },
        };
      }),
    };
  }

  private planColumns(original: TableModel, old: TableModel, table: TableModel): void {
    for (const column of table.columns) {
      const previous = old.columns.find((c) => c.name === column.name);
      if (!previous) {
        this.addColumn(table, column);
        continue;
      }
      const originalName = this.renames.columnFrom(table.name, column.name);
      if (originalName !== column.name) {
        this.add('renames', ddl.renameColumn(table, originalName, column.name));
        this.summary.push(`rename column ${table.schema}.${table.name}.${originalName} to ${column.name}`);
      }
      if (previous.identity || previous.serial) {
        const previousSequence = `${original.name}_${originalName}_seq`;
        const sequence = `${table.name}_${column.name}_seq`;
        if (previousSequence !== sequence && (column.identity || column.serial)) this.add('renames', ddl.renameSequence(table.schema, previousSequence, sequence));
      }
      this.alterColumn(table, previous, column);
    }
    for (const column of old.columns) {
      if (!table.columns.some((c) => c.name === column.name)) {
        this.add('dropColumns', ddl.dropColumn(table, column.name));
        this.destructive.push(`drop column ${table.schema}.${table.name}.${column.name} and its data`);
        this.summary.push(`drop column ${table.schema}.${table.name}.${column.name}`);
      }
    }
  }

  private addColumn(table: TableModel, column: ColumnModel): void {
    if (column.notNull && column.default === undefined && !column.identity && !column.serial) {
      throw new UnsupportedChange(
        `${table.schema}.${table.name}: the new column "${column.name}" is NOT NULL without a default, so adding it fails on a table with rows: ` +
          'give it a default (.default(...) or .defaultSql(...)), or add it nullable, fill it, then make it notNull() in a later migration',
      );
    }
    this.add('columns', ddl.addColumn(table, column));
    if (column.comment !== undefined) this.add('comments', ddl.commentOnColumn(table, column.name, column.comment));
    this.summary.push(`add column ${table.schema}.${table.name}.${column.name} ${column.type}`);
  }

  private alterColumn(table: TableModel, previous: ColumnModel, column: ColumnModel): void {
    const where = `${table.schema}.${table.name}.${column.name}`;
    if ((previous.serial || column.serial) && (previous.type !== column.type || previous.serial !== column.serial)) {
      throw new UnsupportedChange(`${where}: changing a serial column's type is not supported: add an identity column instead (bigint().generatedAlwaysAsIdentity())`);
    }
    const typeChanges = previous.type !== column.type;
    const defaultChanges = previous.default !== column.default;
    if (previous.identity && previous.identity !== column.identity && !column.identity) this.add('columns', ddl.dropIdentity(table, column.name));
    if (previous.default !== undefined && (defaultChanges || typeChanges)) this.add('columns', ddl.dropDefault(table, column.name));
    if (typeChanges) {
      this.add('columns', isEnumType(column.type) || isEnumType(previous.type) ? ddl.alterColumnTypeViaText(table, column.name, column.type) : ddl.alterColumnType(table, column));
      if (!keepsValues(previous.type, column.type)) this.destructive.push(`change ${where} from ${previous.type} to ${column.type} (values that do not fit are cut, rounded or refused)`);
      this.summary.push(`change type of ${where} from ${previous.type} to ${column.type}`);
    }
    if (column.default !== undefined && (defaultChanges || typeChanges)) this.add('columns', ddl.setDefault(table, column.name, column.default));
    if (defaultChanges && !typeChanges) this.summary.push(column.default === undefined ? `drop default of ${where}` : `set default of ${where} to ${column.default}`);
    if (previous.notNull !== column.notNull) {
      this.add('columns', ddl.setNotNull(table, column.name, column.notNull));
      this.summary.push(`${column.notNull ? 'set' : 'drop'} NOT NULL on ${where}`);
    }
    if (column.identity && !previous.identity) this.add('columns', ddl.addIdentity(table, column.name, column.identity));
    if (column.identity && previous.identity && column.identity !== previous.identity) this.add('columns', ddl.setIdentityGeneration(table, column.name, column.identity));
    if (previous.comment !== column.comment) this.add('comments', ddl.commentOnColumn(table, column.name, column.comment));
  }

  private planPrimaryKey(old: TableModel, table: TableModel): void {
    const before = old.primaryKey;
    const after = table.primaryKey;
    if (before && after && sameJson(before.columns, after.columns)) {
      if (before.name !== after.name) this.add('renames', ddl.renameConstraint(table, before.name, after.name));
      return;
    }
    if (before) this.add('dropIndexes', ddl.dropConstraint(table, before.name));
    if (after) this.add('addConstraints', ddl.addPrimaryKey(table, after));
    if (before || after) this.summary.push(`${after ? 'set' : 'drop'} primary key of ${table.schema}.${table.name}${after ? ` (${after.columns.join(', ')})` : ''}`);
  }

  /**
   * Uniques, checks, indexes and foreign keys: same name and definition, nothing; same
   * definition under another name, a rename; anything else is dropped and created again.
   */
  private planNamed<K extends 'uniques' | 'checks' | 'indexes' | 'foreignKeys'>(
    old: TableModel,
    table: TableModel,
    kind: K,
    create: (t: TableModel, item: TableModel[K][number]) => string,
    drop: (t: TableModel, item: TableModel[K][number]) => string,
    rename: (t: TableModel, from: string, to: string) => string,
    dropPhase: Phase,
  ): void {
    const definition = (item: { name: string }) => JSON.stringify({ ...item, name: undefined });
    const before = [...old[kind]] as { name: string }[];
    const after = [...table[kind]] as { name: string }[];
    const unmatched = before.filter((b) => !after.some((a) => a.name === b.name && definition(a) === definition(b)));
    for (const item of after) {
      if (before.some((b) => b.name === item.name && definition(b) === definition(item))) continue;
      // A rename needs the new name to be free: not held by an object that is dropped later.
      const renamed = before.some((b) => b.name === item.name) ? undefined : unmatched.find((b) => definition(b) === definition(item) && !after.some((a) => a.name === b.name));
      if (renamed) {
        unmatched.splice(unmatched.indexOf(renamed), 1);
        this.add('renames', rename(table, renamed.name, item.name));
        continue;
      }
      this.add(kind === 'foreignKeys' ? 'foreignKeys' : 'addConstraints', create(table, item as TableModel[K][number]));
      this.summary.push(`add ${describeKind(kind)} ${item.name} on ${table.schema}.${table.name}`);
    }
    for (const item of unmatched) {
      this.add(dropPhase, drop(table, item as TableModel[K][number]));
      if (!after.some((a) => a.name === item.name)) this.summary.push(`drop ${describeKind(kind)} ${item.name} on ${table.schema}.${table.name}`);
    }
  }
}

function describeKind(kind: 'uniques' | 'checks' | 'indexes' | 'foreignKeys'): string {
  return { uniques: 'unique constraint', checks: 'check constraint', indexes: 'index', foreignKeys: 'foreign key' }[kind];
}
