// A column's type between data and SQL: read from SQL text with PostgreSQL's parser (a custom
// ColumnType's `sql`, a snapshot written before types were data) and written back by one
// function. Built-in types keep their SQL names (`integer`, `character varying(16)`), so the
// text is the one PostgreSQL's documentation uses and the one older snapshots hold.
import { SqlType } from '../schema/schema-model';
import { qualifiedName, quoteIdentifier } from './identifier';
import { cached, ParseNode, parseTypeName } from './parser';

/** The parser's internal name of each built-in type, and the SQL name the model keeps. */
const BUILTIN_NAMES: Readonly<Record<string, string>> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  serial: 'serial',
  bigserial: 'bigserial',
  numeric: 'numeric',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
  text: 'text',
  varchar: 'character varying',
  bpchar: 'character',
  bytea: 'bytea',
  uuid: 'uuid',
  inet: 'inet',
  json: 'json',
  jsonb: 'jsonb',
  date: 'date',
  time: 'time without time zone',
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  interval: 'interval',
};

/** Says whether `schema.name` is an enum type of the service (so its columns convert through text). */
export type EnumLookup = (schema: string, name: string) => boolean;

const noEnums: EnumLookup = () => false;

/** The type a TypeName node of the parser names. */
export function sqlTypeOfNode(node: ParseNode, isEnum: EnumLookup = noEnums): SqlType | { problem: string } {
  const names = (node.names as { String: { sval: string } }[]).map((n) => n.String.sval);
  const params: (number | string)[] = [];
  for (const modifier of (node.typmods ?? []) as ParseNode[]) {
    const constant = modifier.A_Const as { ival?: { ival?: number } } | undefined;
    const column = modifier.ColumnRef as { fields: { String?: { sval: string } }[] } | undefined;
    if (constant?.ival) params.push(constant.ival.ival ?? 0);
    else if (column?.fields.length === 1 && column.fields[0].String) params.push(column.fields[0].String.sval);
    else return { problem: 'its type modifiers must be whole numbers or names' };
  }
  if (node.setof || node.pct_type) return { problem: 'it is not a plain type name' };
  const array = Array.isArray(node.arrayBounds) && node.arrayBounds.length > 0 ? ({ array: true } as const) : {};
  const internal = names[names.length - 1];
  const systemName = names.length === 1 || (names.length === 2 && names[0] === 'pg_catalog');
  // interval's modifiers encode fields (`interval day`) as well as a precision: no spelling of
  // them as plain parameters means the same, so they are refused rather than changed.
  if (systemName && internal === 'interval' && params.length > 0) return { problem: 'interval fields and precision are not supported: use interval' };
  const builtin = systemName ? BUILTIN_NAMES[internal] : undefined;
  if (builtin && params.every((p) => typeof p === 'number') && spelledWithParams(internal, params.length)) {
    return { kind: 'builtin', name: builtin, ...(params.length > 0 ? { params: params as number[] } : {}), ...array };
  }
  // A time precision sits inside the SQL name (`timestamp(3) with time zone`) and a bare bpchar
  // is not `character` (which means character(1)): both keep PostgreSQL's internal name.
  if (systemName && BUILTIN_NAMES[internal]) return { kind: 'named', names: ['pg_catalog', internal], ...(params.length > 0 ? { params } : {}), ...array };
  if (names.length === 2 && params.length === 0 && isEnum(names[0], names[1])) return { kind: 'enum', schema: names[0], name: names[1], ...array };
  return { kind: 'named', names, ...(params.length > 0 ? { params } : {}), ...array };
}

/** Whether `name(params)` (parameters last) spells the type with that many parameters. */
function spelledWithParams(internal: string, count: number): boolean {
  if (internal === 'time' || internal === 'timestamp' || internal === 'timestamptz') return count === 0;
  if (internal === 'bpchar') return count === 1;
  return true;
}

const typeOfText = cached((sql: string): SqlType | { problem: string } => {
  const parsed = parseTypeName(sql);
  return 'problem' in parsed ? parsed : sqlTypeOfNode(parsed.node);
});

/** The type `sql` names, e.g. `numeric(20,8)`, or the problem with it. */
export function parseSqlType(sql: string, isEnum: EnumLookup = noEnums): SqlType | { problem: string } {
  const type = typeOfText(sql);
  if ('problem' in type || type.kind !== 'named' || type.names.length !== 2 || type.params || !isEnum(type.names[0], type.names[1])) return type;
  return { kind: 'enum', schema: type.names[0], name: type.names[1], ...(type.array ? { array: true } : {}) };
}

const SQL_NAMES = new Set(Object.values(BUILTIN_NAMES));

/**
 * The type as written in DDL: `numeric(20,8)`, `"portfolio"."side"[]`. Built-in names are
 * written unquoted (`double precision` is no identifier), so they must be one of the known ones.
 */
export function renderType(type: SqlType): string {
  if (type.kind === 'builtin' && (!SQL_NAMES.has(type.name) || !(type.params ?? []).every(Number.isSafeInteger))) {
    throw new Error(`not a built-in type: ${JSON.stringify(type)}`);
  }
  const suffix = type.array ? '[]' : '';
  if (type.kind === 'enum') return `${qualifiedName(type.schema, type.name)}${suffix}`;
  const params = type.params?.length ? `(${type.params.map((p) => (typeof p === 'number' ? String(p) : quoteIdentifier(p))).join(',')})` : '';
  const name = type.kind === 'builtin' ? type.name : type.names.map(quoteIdentifier).join('.');
  return `${name}${params}${suffix}`;
}
