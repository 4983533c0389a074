// Random pieces of a model description for the differ's property test: column types, defaults
// that fit every type a column may be widened or narrowed to, conditions rows can satisfy,
// whole tables with keys, checks, indexes and foreign keys to earlier tables.
import { ColumnDesc, ColumnType, DefaultDesc, EnumDesc, ForeignKeyDesc, IndexDesc, ModelDesc, Predicate, TableDesc } from './model-description';
import { Random } from './seeded-random';

export const LABELS = ['red', 'green', 'blue', 'amber', 'violet', 'teal', 'black', 'white', 'grey', 'pink', 'gold', 'navy', 'open', 'closed'];

/** Types a key, unique or btree index can use here (no boolean, jsonb or arrays: rows would collide). */
export const isKeyable = (t: ColumnType) => !t.array && t.kind !== 'boolean' && t.kind !== 'jsonb';
export const sameColumns = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((c) => b.includes(c));

/** Random pieces of a model; names are fresh for the whole case (a counter), so replays never collide. */
export class RandomParts {
  private counter = 0;

  constructor(readonly r: Random) {}

  fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}${this.counter}`;
  }

  type(m: ModelDesc, keyable = false): ColumnType {
    const r = this.r;
    const choices: [() => ColumnType, number][] = [
      [() => ({ kind: 'varchar', length: r.int(3, 40) }), 20],
      [() => ({ kind: 'text' }), 8],
      [() => ({ kind: 'integer' }), 14],
      [() => ({ kind: 'bigint' }), 10],
      [() => ({ kind: 'numeric', ...numericShape(r) }), 10],
      [() => ({ kind: 'timestamptz' }), 6],
      ...(m.enums.length > 0 ? [[() => ({ kind: 'enum', enum: r.pick(m.enums).name }), 12] as [() => ColumnType, number]] : []),
      ...(keyable
        ? []
        : ([
            [() => ({ kind: 'boolean' }), 5],
            [() => ({ kind: 'jsonb' }), 5],
            [() => ({ kind: 'varchar', length: r.int(3, 20), array: true }), 6],
            [() => ({ kind: r.pick(['integer', 'bigint'] as const), array: true }), 5],
          ] as [() => ColumnType, number][])),
    ];
    return r.weighted(choices)();
  }

  /** A literal (or now()) that fits every type this type may be widened or narrowed to. */
  defaultFor(type: ColumnType, m: ModelDesc): DefaultDesc | undefined {
    const r = this.r;
    const literal = (value: unknown): DefaultDesc => ({ kind: 'literal', value });
    if (type.array) return literal(r.chance(0.5) ? [] : type.kind === 'varchar' ? [r.word(1, 3)] : [r.int(1, 9)]);
    switch (type.kind) {
      case 'varchar':
      case 'text':
        return literal(r.word(1, 3));
      case 'integer':
      case 'bigint':
      case 'numeric':
        return literal(r.int(1, 9));
      case 'boolean':
        return literal(r.chance(0.5));
      case 'timestamptz':
        return r.chance(0.7) ? { kind: 'sql', sql: 'now()' } : literal('2024-01-01T00:00:00Z');
      case 'jsonb':
        return literal(r.chance(0.5) ? {} : { n: r.int(1, 9) });
      case 'enum': {
        const values = m.enums.find((e) => e.name === type.enum)?.values ?? [];
        return values.length > 0 ? literal(r.pick(values)) : undefined;
      }
    }
  }

  column(m: ModelDesc, options: { keyable?: boolean; notNullWithoutDefault?: boolean } = {}): ColumnDesc {
    const type = this.type(m, options.keyable);
    // Identity columns now and then (more often as a new table's key): their sequences follow renames.
    if ((type.kind === 'integer' || type.kind === 'bigint') && !type.array && this.r.chance(options.keyable ? 0.3 : 0.03)) {
      return { name: this.fresh('c'), type, notNull: true, identity: this.r.chance(0.7) ? 'always' : 'by default' };
    }
    const withDefault = this.r.chance(0.4);
    const fallback = withDefault ? this.defaultFor(type, m) : undefined;
    const notNull = options.notNullWithoutDefault ? true : this.r.chance(0.3) && (fallback !== undefined || options.keyable === true);
    return {
      name: this.fresh('c'),
      type,
      notNull: notNull || options.notNullWithoutDefault === true,
      ...(fallback && !options.notNullWithoutDefault ? { default: fallback } : {}),
      ...(this.r.chance(0.25) ? { comment: `note ${this.r.word(2, 6)}` } : {}),
    };
  }

  /** A condition on one of the table's columns; `forCheck` keeps to those rows can satisfy. */
  predicate(table: TableDesc, m: ModelDesc, forCheck: boolean): Predicate | undefined {
    const options = table.columns.flatMap((c): Predicate[] => {
      const t = c.type;
      const labels = t.kind === 'enum' && !t.array ? (m.enums.find((e) => e.name === t.enum)?.values ?? []) : [];
      return [
        ...(!t.array && ['integer', 'bigint', 'numeric'].includes(t.kind) ? [{ column: c.name, op: 'positive' as const }] : []),
        ...(!t.array && ['varchar', 'text'].includes(t.kind) ? [{ column: c.name, op: 'nonEmpty' as const }] : []),
        ...labels.flatMap((label) => [{ column: c.name, op: 'notLabel' as const, label }, ...(forCheck ? [] : [{ column: c.name, op: 'isLabel' as const, label }])]),
        ...(forCheck ? [] : [{ column: c.name, op: 'notNull' as const }]),
      ];
    });
    return options.length > 0 ? this.r.pick(options) : undefined;
  }

  table(m: ModelDesc, name = this.fresh('t')): TableDesc {
    const r = this.r;
    const columns = [this.column(m, { keyable: true }), ...Array.from({ length: r.int(1, 4) }, () => this.column(m))];
    const keyable = columns.filter((c) => isKeyable(c.type)).map((c) => c.name);
    const table: TableDesc = { name, columns, uniques: [], checks: [], indexes: [], foreignKeys: [] };
    if (r.chance(0.85)) table.primaryKey = keyable.length > 1 && r.chance(0.15) ? keyable.slice(0, 2) : [columns[0].name];
    if (r.chance(0.3) && keyable.length > 0) {
      // Now and then exactly the key's columns (which the model may refuse); otherwise others.
      const others = keyable.filter((c) => table.primaryKey?.join() !== c);
      const unique = table.primaryKey && (r.chance(0.05) || others.length === 0) ? table.primaryKey : [r.pick(others)];
      table.uniques.push({ id: this.fresh('k'), ...(r.chance(0.5) ? { name: this.fresh('uq') } : {}), columns: [...unique], ...(r.chance(0.15) ? { nullsNotDistinct: true } : {}) });
    }
    for (let i = r.int(0, 2); i > 0; i--) {
      const check = this.predicate(table, m, true);
      if (check) table.checks.push({ id: this.fresh('k'), name: this.fresh('ck'), predicate: check });
    }
    for (let i = r.int(0, 2); i > 0; i--) this.index(table, m, (index) => table.indexes.push(index));
    if (r.chance(0.4)) table.comment = `holds ${r.word(2, 8)}`;
    const fk = m.tables.length > 0 && r.chance(0.5) ? this.foreignKey(m, table, true) : undefined;
    if (fk) {
      table.columns.push(...fk.columns);
      table.foreignKeys.push(fk.foreignKey);
    }
    return table;
  }

  index(table: TableDesc, m: ModelDesc, add: (index: IndexDesc) => void): void {
    const keyable = table.columns.filter((c) => isKeyable(c.type)).map((c) => c.name);
    if (keyable.length === 0) return;
    const columns = this.r.shuffle(keyable).slice(0, this.r.chance(0.3) ? 2 : 1);
    const where = this.r.chance(0.5) ? this.predicate(table, m, false) : undefined;
    const others = table.columns.filter((c) => !columns.includes(c.name)).map((c) => c.name);
    const include = others.length > 0 && this.r.chance(0.2) ? [this.r.pick(others)] : undefined;
    // A default name collides with another index on the same columns: then one is given.
    const taken = table.indexes.some((i) => i.name === undefined && sameColumns(i.columns, columns));
    add({
      id: this.fresh('k'),
      ...(taken || this.r.chance(0.4) ? { name: this.fresh('ix') } : {}),
      columns,
      ...(this.r.chance(0.1) ? { unique: true } : {}),
      ...(where ? { where } : {}),
      ...(this.r.chance(0.2) ? { descending: true } : {}),
      ...(include ? { include } : {}),
    });
  }

  /**
   * A foreign key from `table` to an earlier table's primary key or unique, on new nullable
   * columns of the same types (rows already there hold NULL, so adding it never conflicts).
   */
  foreignKey(m: ModelDesc, table: TableDesc, newTable: boolean): { columns: ColumnDesc[]; foreignKey: ForeignKeyDesc } | undefined {
    const position = newTable ? m.tables.length : m.tables.indexOf(table);
    const targets = m.tables.slice(0, position).flatMap((target) =>
      [target.primaryKey, ...target.uniques.map((u) => u.columns)]
        .filter((k): k is string[] => k !== undefined)
        .map((key) => ({ target, key })),
    );
    if (targets.length === 0) return undefined;
    const { target, key } = this.r.pick(targets);
    const columns = key.map((name): ColumnDesc => ({ name: this.fresh('c'), type: structuredClone(target.columns.find((c) => c.name === name)!.type), notNull: false }));
    return {
      columns,
      foreignKey: {
        id: this.fresh('k'),
        ...(this.r.chance(0.4) ? { name: this.fresh('fk') } : {}),
        columns: columns.map((c) => c.name),
        table: target.name,
        refColumns: [...key],
        onDelete: this.r.chance(0.3) ? 'cascade' : 'no action',
      },
    };
  }

  newEnum(): EnumDesc {
    return { name: this.fresh('e'), values: this.r.shuffle(LABELS).slice(0, this.r.int(1, 4)), ...(this.r.chance(0.3) ? { comment: `kinds of ${this.r.word(2, 6)}` } : {}) };
  }
}

function numericShape(r: Random): { precision: number; scale: number } {
  const scale = r.int(0, 4);
  return { precision: scale + r.int(2, 10), scale };
}
