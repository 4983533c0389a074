// snapshots/<id>.json, the one type that formats and parses it: a service's whole schema after
// a migration, in canonical form. Parsing checks the shape field by field, so a damaged or
// foreign snapshot is refused with what is wrong instead of failing later in the differ.
// A column's type and default are stored as the SQL they render to (as snapshots always have),
// and read back into data with PostgreSQL's parser.
import { CheckModel, ColumnModel, EnumModel, ForeignKeyModel, IndexColumnModel, IndexModel, KeyModel, ReleasedTable, TableModel, TableOrigin } from '../schema/schema-model';
import { canonicalSchema, ServiceSchema } from './service-schema';
import { renderType, parseSqlType } from '../sql/sql-type';
import { defaultValueOf, renderDefault } from '../sql/default-value';
import { expressionProblem, readsSameAsDefault } from '../sql/parser';
import { defaultExpressionProblems } from '../model/expression-checks';
import { snapshotProblems } from './snapshot-checks';

/** A column as the file holds it: type and default as SQL text. */
type ColumnInFile = Omit<ColumnModel, 'type' | 'default'> & { readonly type: string; readonly default?: string };

/** The text of a snapshot file. Deterministic: same schema, same bytes. */
export function formatSnapshot(schema: ServiceSchema): string {
  const canonical = canonicalSchema(schema, { keepRenames: true });
  // renamedFrom last, where it was absent before: a snapshot without renames keeps its bytes.
  const tables = canonical.tables.map(({ renamedFrom, transferredFrom, ...table }) => ({
    ...table,
    columns: table.columns.map(columnInFile),
    ...(renamedFrom !== undefined ? { renamedFrom } : {}),
    ...(transferredFrom !== undefined ? { transferredFrom: { service: transferredFrom.service, schema: transferredFrom.schema, ...(transferredFrom.release !== undefined ? { release: transferredFrom.release } : {}) } } : {}),
  }));
  return `${JSON.stringify({ ...canonical, tables }, null, 2)}\n`;
}

function columnInFile(column: ColumnModel): ColumnInFile {
  // Field order as the file has always had it, so an unchanged schema writes the same bytes.
  const { name, notNull, identity, comment, serial, renamedFrom } = column;
  return {
    name,
    type: renderType(column.type),
    notNull,
    ...(column.default !== undefined ? { default: renderDefault(column.default) } : {}),
    ...(identity !== undefined ? { identity } : {}),
    ...(comment !== undefined ? { comment } : {}),
    ...(serial !== undefined ? { serial } : {}),
    ...(renamedFrom !== undefined ? { renamedFrom } : {}),
  };
}

/** The column as data, or what is wrong with its type or default. */
function columnFromFile(column: ColumnInFile, schema: string): ColumnModel | string {
  const ownEnum = (typeSchema: string) => typeSchema === schema;
  const type = parseSqlType(column.type, ownEnum);
  if ('problem' in type) return `column ${column.name}: type ${JSON.stringify(column.type)}: ${type.problem}`;
  const text = column.default;
  const problem = text === undefined ? undefined : (expressionProblem(text) ?? (readsSameAsDefault(text) ? defaultExpressionProblems(text)[0] : 'it is not one expression'));
  if (problem) return `column ${column.name}: default ${JSON.stringify(text)}: ${problem}`;
  // The fields in the model's order, so that equal columns serialize alike.
  return {
    name: column.name,
    type,
    notNull: column.notNull,
    ...(text !== undefined ? { default: defaultValueOf(text, ownEnum) } : {}),
    ...(column.identity !== undefined ? { identity: column.identity } : {}),
    ...(column.comment !== undefined ? { comment: column.comment } : {}),
    ...(column.serial !== undefined ? { serial: column.serial } : {}),
    ...(column.renamedFrom !== undefined ? { renamedFrom: column.renamedFrom } : {}),
  };
}

type Kind = 'string' | 'boolean' | 'strings' | Shape | readonly [Shape];
type Field = Kind | { readonly optional: Kind };
interface Shape {
  readonly [field: string]: Field;
}

// Each shape lists every field of its model type (`satisfies` makes tsc say when one changes).
// A rename hint is stored as the migration applied it, so a hint left in the code is known as done.
const KEY = { name: 'string', columns: 'strings', nullsNotDistinct: { optional: 'boolean' } } satisfies Record<keyof KeyModel, Field>;
const CHECK = { name: 'string', expression: 'string' } satisfies Record<keyof CheckModel, Field>;
const INDEX_COLUMN = { column: 'string', order: { optional: 'string' }, nulls: { optional: 'string' }, opclass: { optional: 'string' } } satisfies Record<keyof IndexColumnModel, Field>;
const INDEX = {
  name: 'string',
  columns: [INDEX_COLUMN],
  unique: 'boolean',
  method: 'string',
  where: { optional: 'string' },
  include: { optional: 'strings' },
} satisfies Record<keyof IndexModel, Field>;
const FOREIGN_KEY = {
  name: 'string',
  columns: 'strings',
  references: { schema: 'string', table: 'string', columns: 'strings' },
  onDelete: 'string',
  onUpdate: 'string',
} satisfies Record<keyof ForeignKeyModel, Field>;
const COLUMN = {
  name: 'string',
  type: 'string',
  notNull: 'boolean',
  default: { optional: 'string' },
  identity: { optional: 'string' },
  comment: { optional: 'string' },
  serial: { optional: 'boolean' },
  renamedFrom: { optional: 'string' },
} satisfies Record<keyof ColumnInFile, Field>;
const TABLE = {
  schema: 'string',
  name: 'string',
  comment: { optional: 'string' },
  columns: [COLUMN],
  primaryKey: { optional: KEY },
  uniques: [KEY],
  checks: [CHECK],
  indexes: [INDEX],
  foreignKeys: [FOREIGN_KEY],
  renamedFrom: { optional: 'string' },
  transferredFrom: { optional: { service: 'string', schema: 'string', release: { optional: 'string' } } satisfies Record<keyof TableOrigin, Field> },
} satisfies Record<keyof TableModel, Field>;
const ENUM = { schema: 'string', name: 'string', values: 'strings', comment: { optional: 'string' } } satisfies Record<keyof EnumModel, Field>;
const RELEASED = { table: 'string', service: 'string', schema: 'string', types: 'strings' } satisfies Record<keyof ReleasedTable, Field>;
const SNAPSHOT = { service: 'string', schema: 'string', enums: [ENUM], tables: [TABLE], released: { optional: [RELEASED] } } satisfies Record<keyof ServiceSchema, Field>;

function expected(kind: Kind): string {
  if (kind === 'string') return 'a string';
  if (kind === 'boolean') return 'true or false';
  if (kind === 'strings') return 'an array of strings';
  return Array.isArray(kind) ? 'an array of objects' : 'an object';
}

/** The first place where `value` does not have the shape, as `path: what is wrong`. */
function shapeProblem(value: unknown, kind: Kind, at: string): string | undefined {
  const wrong = `${at || 'it'} must be ${expected(kind)}`;
  if (kind === 'string') return typeof value === 'string' ? undefined : wrong;
  if (kind === 'boolean') return typeof value === 'boolean' ? undefined : wrong;
  if (kind === 'strings') return Array.isArray(value) && value.every((v) => typeof v === 'string') ? undefined : wrong;
  if (Array.isArray(kind)) {
    if (!Array.isArray(value)) return wrong;
    for (const [index, item] of value.entries()) {
      const problem = shapeProblem(item, (kind as readonly [Shape])[0], `${at}[${index}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return wrong;
  for (const [name, field] of Object.entries(kind as Shape)) {
    const path = at ? `${at}.${name}` : name;
    const present = (value as Record<string, unknown>)[name];
    const optional = typeof field === 'object' && 'optional' in field;
    if (present === undefined) {
      if (!optional) return `${path} is missing`;
      continue;
    }
    const problem = shapeProblem(present, optional ? (field as { optional: Kind }).optional : (field as Kind), path);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Reads a snapshot of `service` (whose schema is `schema`). Returns the schema, or what is
 * wrong with the text (without the file name or the fix, which the caller knows).
 */
export function parseSnapshot(text: string, service: string, schema: string): { schema: ServiceSchema } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: `it is not valid JSON (${(error as Error).message})` };
  }
  const shape = shapeProblem(value, SNAPSHOT, '');
  if (shape) return { problem: `it does not have the shape of a snapshot {service, schema, enums[], tables[]}: ${shape}` };
  const inFile = value as Omit<ServiceSchema, 'tables'> & { tables: (Omit<TableModel, 'columns'> & { columns: ColumnInFile[] })[] };
  const tables: TableModel[] = [];
  for (const table of inFile.tables) {
    const columns = table.columns.map((column) => columnFromFile(column, schema));
    const wrong = columns.find((c): c is string => typeof c === 'string');
    if (wrong !== undefined) return { problem: `table ${table.name}: ${wrong}` };
    tables.push({ ...table, columns: columns as ColumnModel[] });
  }
  const snapshot: ServiceSchema = { ...inFile, tables };
  const content = snapshotProblems(snapshot);
  if (content.length > 0) return { problem: content.join('; ') };
  if (snapshot.service !== service) return { problem: `it is the snapshot of service ${JSON.stringify(snapshot.service)}, not of ${service}` };
  const foreign = [snapshot, ...snapshot.enums, ...snapshot.tables].find((item) => item.schema !== schema);
  if (foreign) return { problem: `it holds schema ${JSON.stringify(foreign.schema)}, not ${service}'s schema ${schema}` };
  return { schema: snapshot };
}
