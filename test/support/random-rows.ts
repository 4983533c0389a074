// Rows for the differ's property test: a few per table after every step, so each migration
// runs on tables holding data (a rewrite, a NOT NULL, a new constraint all meet real rows).
// Values fit the column types and the model's checks; foreign keys point at existing rows.
// Deterministic from the seed; a row the database refuses anyway (a duplicate key) is skipped.
import { ClientBase } from 'pg';
import { qualifiedName, quoteIdentifier } from '../../lib';
import { ColumnDesc, ModelDesc, Predicate, ScalarType, TableDesc } from './model-description';
import { Random } from './seeded-random';

/** A column left out of the INSERT, so its default applies. */
const OMIT = Symbol('omit');
/** No value fits (e.g. every enum label is excluded by a check): the row is skipped. */
const NONE = Symbol('none');
type Value = unknown | typeof OMIT | typeof NONE;

export async function insertRows(client: ClientBase, schema: string, model: ModelDesc, r: Random, perTable: number): Promise<{ inserted: number; skipped: number }> {
  const tally = { inserted: 0, skipped: 0 };
  for (const table of model.tables) {
    for (let i = 0; i < perTable; i++) {
      const row = await randomRow(client, schema, model, table, r);
      if (!row) {
        tally.skipped += 1;
        continue;
      }
      const names = Object.keys(row);
      const sql =
        names.length === 0
          ? `INSERT INTO ${qualifiedName(schema, table.name)} DEFAULT VALUES`
          : `INSERT INTO ${qualifiedName(schema, table.name)} (${names.map(quoteIdentifier).join(', ')}) VALUES (${names.map((_, k) => `$${k + 1}`).join(', ')})`;
      try {
        await client.query(sql, Object.values(row));
        tally.inserted += 1;
      } catch {
        tally.skipped += 1;
      }
    }
  }
  return tally;
}

async function randomRow(client: ClientBase, schema: string, model: ModelDesc, table: TableDesc, r: Random): Promise<Record<string, unknown> | undefined> {
  const row: Record<string, unknown> = {};
  const fromForeignKeys = new Set<string>();
  for (const fk of table.foreignKeys) {
    const columns = fk.columns.map((c) => table.columns.find((x) => x.name === c)!);
    const nullable = columns.every((c) => !c.notNull && !table.primaryKey?.includes(c.name));
    const target = nullable && r.chance(0.4) ? undefined : await existingKey(client, schema, fk.table, fk.refColumns, r);
    if (!target && !nullable) return undefined;
    fk.columns.forEach((c, i) => {
      row[c] = target ? target[i] : null;
      fromForeignKeys.add(c);
    });
  }
  for (const column of table.columns) {
    if (fromForeignKeys.has(column.name) || column.identity) continue;
    const value = columnValue(column, table, model, r);
    if (value === NONE) return undefined;
    if (value !== OMIT) row[column.name] = value;
  }
  return row;
}

/** The key of a random existing row of the target (ordered by the key, which is unique: deterministic). */
async function existingKey(client: ClientBase, schema: string, table: string, columns: readonly string[], r: Random): Promise<unknown[] | undefined> {
  const target = qualifiedName(schema, table);
  const count = Number((await client.query(`SELECT count(*) AS n FROM ${target}`)).rows[0].n);
  if (count === 0) return undefined;
  const list = columns.map(quoteIdentifier).join(', ');
  const { rows } = await client.query({ text: `SELECT ${list} FROM ${target} ORDER BY ${list} LIMIT 1 OFFSET $1`, values: [r.int(0, count - 1)], rowMode: 'array' });
  return rows[0] as unknown[] | undefined;
}

function columnValue(column: ColumnDesc, table: TableDesc, model: ModelDesc, r: Random): Value {
  const inKey = table.primaryKey?.includes(column.name) === true;
  const required = column.notNull || inKey;
  if (column.default && !inKey && r.chance(0.3)) return OMIT;
  if (!required && r.chance(0.15)) return null;
  const checks = table.checks.map((c) => c.predicate).filter((p) => p.column === column.name);
  const value = column.type.array ? Array.from({ length: r.int(0, 2) }, () => scalarValue(column.type, [], model, r)) : scalarValue(column.type, checks, model, r);
  if (value === NONE || (Array.isArray(value) && value.includes(NONE))) return required ? NONE : null;
  return value;
}

function scalarValue(type: ScalarType, checks: readonly Predicate[], model: ModelDesc, r: Random): Value {
  const has = (op: Predicate['op']) => checks.some((c) => c.op === op);
  switch (type.kind) {
    case 'varchar':
    case 'text':
      return !has('nonEmpty') && r.chance(0.05) ? '' : r.word(1, type.kind === 'varchar' ? Math.min(type.length, 8) : 8);
    case 'integer':
    case 'bigint':
      if (!has('positive') && r.chance(0.1)) return r.int(-50, 0);
      // Now and then a value an integer cannot hold, so narrowing meets it.
      return type.kind === 'bigint' && r.chance(0.15) ? String(3_000_000_000 + r.int(0, 1_000_000)) : r.int(1, 100_000);
    case 'numeric': {
      const whole = r.int(0, 10 ** Math.min(type.precision - type.scale, 6) - 1);
      const digits = Math.min(type.scale, 3);
      const fraction = digits > 0 ? String(r.int(0, 10 ** digits - 1)).padStart(digits, '0') : '';
      const text = fraction ? `${whole}.${fraction}` : String(whole);
      return has('positive') && Number(text) === 0 ? '1' : text;
    }
    case 'boolean':
      return r.chance(0.5);
    case 'timestamptz':
      return new Date(Date.UTC(2024, 0, 1) + r.int(0, 1_000_000) * 1000).toISOString();
    case 'jsonb':
      return JSON.stringify({ n: r.int(0, 9) });
    case 'enum': {
      const excluded = checks.filter((c) => c.op === 'notLabel').map((c) => c.label);
      const labels = (model.enums.find((e) => e.name === type.enum)?.values ?? []).filter((v) => !excluded.includes(v));
      return labels.length > 0 ? r.pick(labels) : NONE;
    }
  }
}
