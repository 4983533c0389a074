// Writes an introspected service as TypeScript a service engineer would have written: the
// library's column builders, enum types, keys, checks, indexes, foreign keys within the
// service and application-level references across services, with the legacy names kept only
// where they differ from PostgreSQL's defaults. Every string from the database is hostile: it
// reaches the source only through tsString (a literal) or tsComment (a comment line).
import { LiveColumn, LiveTable } from '../catalog/read-schema';
import { snakeCaseProblem, reservedWordProblem } from '../sql/identifier';
import { defaultValueOf } from '../sql/default-value';
import { foreignKeyName, indexName, primaryKeyName, uniqueName } from '../schema/naming';
import { elementType, EnumModel, IndexModel, SqlType } from '../schema/schema-model';
import { schemaName } from '../services/service-registry';
import { CrossServiceReference, Introspection, legacyType } from './introspect';
import { UnmodelledObject } from './unmodelled';
import { visibleText } from './visible-text';

export interface TableSourceProps {
  /** Where the library is imported from. @default '../../lib' (a file in stacks/<service>/) */
  readonly importFrom?: string;
  /** The exported function's name. @default `<service in camelCase>Tables` */
  readonly functionName?: string;
  /** A line saying where the tables came from, for the header (e.g. the Alembic revision). */
  readonly origin?: string;
}

export interface TableSource {
  readonly source: string;
  /** The introspection's list plus what the writer could not put in words (types, defaults). */
  readonly unexpressed: readonly string[];
}

/** A single-quoted TypeScript string: quotes, backslashes, control, line-separator and invisible characters escaped. */
export function tsString(text: string): string {
  const escaped = visibleText(text, { backslashes: true });
  // Double quotes when that saves escaping single ones (`"'binance'::text"`), as a person would write it.
  if (escaped.includes("'") && !escaped.includes('"')) return `"${escaped}"`;
  return `'${escaped.replace(/'/g, "\\'")}'`;
}

/** Text for a `//` comment: nothing in it can end the line or hide itself. */
export function tsComment(text: string): string {
  return visibleText(text, { backslashes: true });
}

const JS_RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await stack eval arguments undefined NaN Infinity'.split(' '),
);

const camelCase = (name: string): string => name.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase()).replace(/^[0-9]/, (d) => `_${d}`);

/** A property key: bare when it is a plain identifier, quoted otherwise. */
const key = (name: string): string => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : tsString(name));

const list = (names: readonly string[]): string => `[${names.map(tsString).join(', ')}]`;

/** Names for variables, unique in the file and never a builder's or a keyword. */
class Names {
  private readonly taken = new Set<string>([...JS_RESERVED, ...BUILDERS, 'EnumType', 'Table', 'ServiceStack']);
  pick(base: string, suffix: string): string {
    let name = camelCase(base) || suffix.toLowerCase();
    if (this.taken.has(name)) name = `${name}${suffix}`;
    while (this.taken.has(name)) name = `${name}_`;
    this.taken.add(name);
    return name;
  }
}

const BUILDERS = ['smallint', 'integer', 'bigint', 'serial', 'bigserial', 'numeric', 'real', 'doublePrecision', 'boolean', 'text', 'varchar', 'char', 'date', 'time', 'timestamp', 'timestamptz', 'interval', 'uuid', 'json', 'jsonb', 'bytea', 'inet'];

/** The builder for a built-in type without parameters, by its SQL name. */
const PLAIN_BUILDERS: Readonly<Record<string, string>> = {
  smallint: 'smallint',
  integer: 'integer',
  bigint: 'bigint',
  real: 'real',
  'double precision': 'doublePrecision',
  boolean: 'boolean',
  text: 'text',
  date: 'date',
  'time without time zone': 'time',
  'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamptz',
  interval: 'interval',
  uuid: 'uuid',
  json: 'json',
  jsonb: 'jsonb',
  bytea: 'bytea',
  inet: 'inet',
};

const TEXT_TYPES = new Set(['text', 'character varying', 'character']);
const NUMBER_TYPES = new Set(['smallint', 'integer', 'bigint', 'numeric', 'real', 'double precision']);


/** The finding about a column, index or constraint the model cannot express, if any. */
function unmodelledObject(ctx: Context, table: string, kind: UnmodelledObject['kind'], name: string): UnmodelledObject | undefined {
  return ctx.introspection.unmodelledObjects.find((o) => o.table === table && o.kind === kind && o.name === name);
}

const notExpressed = (indent: string, finding: string): string => `${indent}// NOT EXPRESSED: ${tsComment(finding)}`;

/** Integer-like keys come first in a JavaScript object whatever their place: the columns' order would change. */
const ARRAY_INDEX = /^(0|[1-9][0-9]{0,8})$/;

interface Context {
  readonly introspection: Introspection;
  readonly enumVariables: ReadonlyMap<string, string>;
  readonly tableVariables: ReadonlyMap<string, string>;
  readonly imports: Set<string>;
  readonly unexpressed: string[];
}

/** `numeric(30, 12)`, `klineInterval.column()`, or undefined with the reason recorded. */
function builderOf(type: SqlType, column: LiveColumn, table: string, ctx: Context): string | undefined {
  const base = elementType(type);
  let call: string | undefined;
  if (base.kind === 'enum') call = `${ctx.enumVariables.get(base.name)}.column()`;
  else if (base.kind === 'builtin') {
    const params = base.params ?? [];
    if (column.serial && base.name === 'integer') call = 'serial()';
    else if (column.serial && base.name === 'bigint') call = 'bigserial()';
    else if (column.serial) call = undefined;
    else if (base.name === 'numeric') call = `numeric(${params.join(', ')})`;
    else if (base.name === 'character varying' && params.length === 1) call = `varchar(${params[0]})`;
    else if (base.name === 'character' && params.length === 1) call = `char(${params[0]})`;
    else if (params.length === 0 && PLAIN_BUILDERS[base.name]) call = `${PLAIN_BUILDERS[base.name]}()`;
  }
  if (call === undefined) {
    ctx.unexpressed.push(`table ${table} column ${column.name} has type ${column.type}${column.serial ? ' (serial)' : ''}, which no column builder makes`);
    return undefined;
  }
  const builder = call.replace(/\(.*$/, '').replace(/^.*\./, '');
  if (BUILDERS.includes(builder)) ctx.imports.add(builder);
  return type.array ? `${call}.array()` : call;
}

/** `.default(0)` where a plain value says the same; `.defaultSql(...)` with the catalog's text otherwise. */
function defaultOf(column: LiveColumn, type: SqlType, ctx: Context): string {
  if (column.default === undefined) return '';
  const { legacySchema, enums } = ctx.introspection;
  const value = defaultValueOf(column.default, (schema, name) => schema === legacySchema && enums.some((e) => e.name === name));
  const base = type.array ? undefined : type;
  if (value.kind === 'literal' && base) {
    const literal = value.value;
    if (literal.kind === 'number' && base.kind === 'builtin' && NUMBER_TYPES.has(base.name) && String(Number(literal.text)) === literal.text) return `.default(${literal.text})`;
    if (literal.kind === 'boolean' && base.kind === 'builtin' && base.name === 'boolean') return `.default(${literal.value})`;
    // Only where the builder writes the same cast: for `DEFAULT 'x'` on varchar(32) PostgreSQL
    // stores `'x'::character varying`, the builder `::character varying(32)`, so that one stays SQL.
    // An enum's label cast to the enum, printed unqualified (`'1m'::kline_interval`).
    const cast = literal.kind === 'string' ? literal.cast : undefined;
    if (literal.kind === 'string' && base.kind === 'enum' && cast && !cast.array && ((cast.kind === 'enum' && cast.name === base.name) || (cast.kind === 'named' && cast.names.length === 1 && cast.names[0] === base.name))) {
      return `.default(${tsString(literal.text)})`;
    }
    if (literal.kind === 'string' && literal.cast && JSON.stringify(literal.cast) === JSON.stringify(base)) {
      if (base.kind === 'enum' || (base.kind === 'builtin' && TEXT_TYPES.has(base.name))) return `.default(${tsString(literal.text)})`;
      if (base.kind === 'builtin' && (base.name === 'jsonb' || base.name === 'json')) {
        const json = jsonValue(literal.text);
        if (json !== undefined) return `.default(${json})`;
      }
    }
  }
  return `.defaultSql(${tsString(column.default)})`;
}

/** A JSON object or array as TypeScript, when writing it back gives exactly the same text. */
function jsonValue(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || JSON.stringify(parsed) !== text) return undefined;
    return jsToSource(parsed);
  } catch {
    return undefined;
  }
}

function jsToSource(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jsToSource).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${key(k)}: ${jsToSource(v)}`).join(', ')} }`;
  }
  return typeof value === 'string' ? tsString(value) : JSON.stringify(value);
}

function columnSource(table: LiveTable, column: LiveColumn, ctx: Context): string {
  const { legacySchema, enums } = ctx.introspection;
  if (column.name === '__proto__' || ARRAY_INDEX.test(column.name)) {
    const finding = `table ${table.name} column ${column.name}: a name JavaScript treats specially in an object (${column.name === '__proto__' ? 'the prototype' : 'it would move first'}): rename the column first`;
    ctx.unexpressed.push(finding);
    return `${notExpressed('      ', finding)}\n`;
  }
  const type = legacyType(column.type, legacySchema, enums);
  if ('problem' in type) {
    ctx.unexpressed.push(`table ${table.name} column ${column.name} has type ${column.type}: ${type.problem}`);
    return `${notExpressed('      ', `${column.name} ${column.type}`)}\n`;
  }
  const builder = builderOf(type, column, table.name, ctx);
  if (builder === undefined) return `${notExpressed('      ', `${column.name} ${column.type}${column.serial ? ' (serial)' : ''}`)}\n`;
  // A generated column's expression, or a default from a sequence no column owns, is not a default: left out, and said.
  const marked = unmodelledObject(ctx, table.name, 'column', column.name);
  const keepsDefault = !marked || !/generated column|takes its default from sequence/.test(marked.finding);
  const implied = column.identity !== undefined || column.serial === true || (table.primaryKey?.columns.includes(column.name) ?? false);
  let chain = builder;
  if (column.identity === 'always') chain += '.generatedAlwaysAsIdentity()';
  if (column.identity === 'by default') chain += '.generatedByDefaultAsIdentity()';
  if (column.notNull && !implied) chain += '.notNull()';
  if (keepsDefault) chain += defaultOf(column, type, ctx);
  if (column.comment !== undefined) chain += `.comment(${tsString(column.comment)})`;
  return `${marked ? `${notExpressed('      ', marked.finding)}\n` : ''}      ${key(column.name)}: ${chain},\n`;
}

function indexSource(table: LiveTable, index: IndexModel): string {
  const columns = index.columns.map((c) =>
    c.order === undefined && c.nulls === undefined && c.opclass === undefined
      ? tsString(c.column)
      : `{ column: ${tsString(c.column)}${c.order ? `, order: ${tsString(c.order)}` : ''}${c.nulls ? `, nulls: ${tsString(c.nulls)}` : ''}${c.opclass ? `, opclass: ${tsString(c.opclass)}` : ''} }`,
  );
  const parts = [
    ...(index.name !== indexName(table.name, index.columns.map((c) => c.column)) ? [`name: ${tsString(index.name)}`] : []),
    `columns: [${columns.join(', ')}]`,
    ...(index.unique ? ['unique: true'] : []),
    ...(index.method !== 'btree' ? [`method: ${tsString(index.method)}`] : []),
    ...(index.where !== undefined ? [`where: ${tsString(index.where)}`] : []),
    ...(index.include ? [`include: ${list(index.include)}`] : []),
  ];
  return `{ ${parts.join(', ')} }`;
}

const ACTION_DEFAULT = 'no action';

function foreignKeySource(table: LiveTable, fk: LiveTable['foreignKeys'][number], ctx: Context): string {
  const target = ctx.tableVariables.get(fk.references.table)!;
  const parts = [
    ...(fk.name !== foreignKeyName(table.name, fk.columns) ? [`name: ${tsString(fk.name)}`] : []),
    `columns: ${list(fk.columns)}`,
    `references: ${target}.ref(${fk.references.columns.map(tsString).join(', ')})`,
    ...(fk.onDelete !== ACTION_DEFAULT ? [`onDelete: ${tsString(fk.onDelete)}`] : []),
    ...(fk.onUpdate !== ACTION_DEFAULT ? [`onUpdate: ${tsString(fk.onUpdate)}`] : []),
  ];
  return `{ ${parts.join(', ')} }`;
}

function appReferenceSource(reference: CrossServiceReference): string[] {
  const fk = reference.foreignKey;
  const actions = [fk.onDelete !== ACTION_DEFAULT ? `ON DELETE ${fk.onDelete.toUpperCase()}` : '', fk.onUpdate !== ACTION_DEFAULT ? `ON UPDATE ${fk.onUpdate.toUpperCase()}` : ''].filter(Boolean).join(' ');
  return [
    `      // Was foreign key ${tsComment(fk.name)}${actions ? ` (${actions})` : ''} into ${tsComment(fk.references.table)}, owned by ${tsComment(reference.targetService)}: foreign keys never`,
    `      // cross services (BEDROCK-O3), so the application keeps this reference; \`adopt\` drops the constraint.`,
    `      { columns: ${list(fk.columns)}, table: ${tsString(`${schemaName(reference.targetService)}.${fk.references.table}`)}, targetColumns: ${list(fk.references.columns)} },`,
  ];
}

/** Names the model's rules would refuse (not snake_case, reserved words): acknowledged, since they are legacy. */
function namingAcknowledgements(table: LiveTable): string[] {
  const names = [table.name, ...table.columns.map((c) => c.name)];
  const rules: string[] = [];
  if (names.some((n) => snakeCaseProblem(n))) rules.push('BEDROCK-N1');
  if (names.some((n) => reservedWordProblem(n))) rules.push('BEDROCK-N2');
  return rules.map((rule) => `{ rule: ${tsString(rule)}, reason: 'legacy name from the Alembic schema: renaming it breaks the code that still uses it' }`);
}

function oneTableSource(table: LiveTable, ctx: Context): string {
  const variable = ctx.tableVariables.get(table.name);
  const lines: string[] = [`  ${variable ? `const ${variable} = ` : ''}new Table(stack, ${tsString(table.name)}, {`];
  if (table.comment !== undefined) lines.push(`    comment: ${tsString(table.comment)},`);
  lines.push('    columns: {');
  const columns = table.columns.map((c) => columnSource(table, c, ctx)).join('');
  lines.push(columns.replace(/\n$/, ''));
  lines.push('    },');
  const skipped = (kind: UnmodelledObject['kind'], name: string): boolean => unmodelledObject(ctx, table.name, kind, name) !== undefined;
  const skippedLines = (kind: UnmodelledObject['kind'], names: readonly string[]): string[] =>
    names.filter((n) => skipped(kind, n)).map((n) => notExpressed('    ', unmodelledObject(ctx, table.name, kind, n)!.finding));
  lines.push(
    ...skippedLines('constraint', [...(table.primaryKey ? [table.primaryKey.name] : []), ...table.uniques.map((u) => u.name), ...table.checks.map((c) => c.name), ...table.foreignKeys.map((f) => f.name)]),
    ...skippedLines('index', table.indexes.map((i) => i.name)),
  );
  table = {
    ...table,
    primaryKey: table.primaryKey && !skipped('constraint', table.primaryKey.name) ? table.primaryKey : undefined,
    uniques: table.uniques.filter((u) => !skipped('constraint', u.name)),
    checks: table.checks.filter((c) => !skipped('constraint', c.name)),
    foreignKeys: table.foreignKeys.filter((f) => !skipped('constraint', f.name)),
    indexes: table.indexes.filter((i) => !skipped('index', i.name)),
  };
  if (table.primaryKey) {
    lines.push(`    primaryKey: ${list(table.primaryKey.columns)},`);
    if (table.primaryKey.name !== primaryKeyName(table.name)) lines.push(`    primaryKeyName: ${tsString(table.primaryKey.name)},`);
  }
  if (table.uniques.length > 0) {
    const uniques = table.uniques.map(
      (u) => `{ ${u.name !== uniqueName(table.name, u.columns) ? `name: ${tsString(u.name)}, ` : ''}columns: ${list(u.columns)}${u.nullsNotDistinct ? ', nullsNotDistinct: true' : ''} }`,
    );
    lines.push('    uniques: [', ...uniques.map((u) => `      ${u},`), '    ],');
  }
  if (table.checks.length > 0) {
    lines.push('    checks: [', ...table.checks.map((c) => `      { name: ${tsString(c.name)}, expression: ${tsString(c.expression)} },`), '    ],');
  }
  if (table.indexes.length > 0) lines.push('    indexes: [', ...table.indexes.map((i) => `      ${indexSource(table, i)},`), '    ],');
  const inside = table.foreignKeys.filter((fk) => declaredBefore(ctx.introspection, fk.references.table, table.name) && ctx.tableVariables.has(fk.references.table) && !ctx.introspection.crossService.some((r) => r.foreignKey === fk));
  if (inside.length > 0) lines.push('    foreignKeys: [', ...inside.map((fk) => `      ${foreignKeySource(table, fk, ctx)},`), '    ],');
  const across = ctx.introspection.crossService.filter((r) => r.table === table.name);
  if (across.length > 0) lines.push('    appReferences: [', ...across.flatMap(appReferenceSource), '    ],');
  const acknowledgements = namingAcknowledgements(table);
  if (acknowledgements.length > 0) lines.push('    acknowledgements: [', ...acknowledgements.map((a) => `      ${a},`), '    ],');
  lines.push('  });');
  return lines.join('\n');
}

function enumSource(e: EnumModel, variable: string): string {
  const comment = e.comment !== undefined ? `, comment: ${tsString(e.comment)}` : '';
  return `  const ${variable} = new EnumType(stack, ${tsString(e.name)}, { values: ${list(e.values)}${comment} });`;
}

/**
 * Whether `target` is written before `table`: a foreign key can only `ref()` a table declared
 * above it (one into itself or back along a cycle is listed by introspect as not expressed).
 */
function declaredBefore(introspection: Introspection, target: string, table: string): boolean {
  const order = introspection.tables.map((t) => t.name);
  return order.indexOf(target) >= 0 && order.indexOf(target) < order.indexOf(table);
}

/** Which tables are referenced by a foreign key inside the service, so they need a variable. */
function referencedTables(introspection: Introspection): Set<string> {
  const names = new Set(introspection.tables.map((t) => t.name));
  const referenced = new Set<string>();
  for (const table of introspection.tables) {
    for (const fk of table.foreignKeys) {
      const unmodelled = introspection.unmodelledObjects.some((o) => o.table === table.name && o.kind === 'constraint' && o.name === fk.name);
      if (!unmodelled && names.has(fk.references.table) && fk.references.schema === introspection.legacySchema && declaredBefore(introspection, fk.references.table, table.name)) referenced.add(fk.references.table);
    }
  }
  return referenced;
}

/** The TypeScript of `stacks/<service>/tables.ts` for the introspected tables. */
export function tableSource(introspection: Introspection, props: TableSourceProps = {}): TableSource {
  const names = new Names();
  const functionName = props.functionName ?? `${camelCase(introspection.service)}Tables`;
  names.pick(functionName, 'Tables');
  const enumVariables = new Map(introspection.enums.map((e) => [e.name, names.pick(e.name, 'Enum')]));
  const tableVariables = new Map([...referencedTables(introspection)].map((t) => [t, names.pick(t, 'Table')]));
  const ctx: Context = { introspection, enumVariables, tableVariables, imports: new Set(['ServiceStack']), unexpressed: [...introspection.unexpressed] };
  if (introspection.tables.length > 0) ctx.imports.add('Table');
  if (introspection.enums.length > 0) ctx.imports.add('EnumType');
  const body = [...introspection.enums.map((e) => enumSource(e, enumVariables.get(e.name)!)), ...(introspection.enums.length > 0 ? [''] : []), introspection.tables.map((t) => oneTableSource(t, ctx)).join('\n\n')];
  const header = [
    `// ${tsComment(introspection.service)}'s tables, written by \`bedrock introspect\` from schema ${tsComment(introspection.legacySchema)}${props.origin ? ` (${tsComment(props.origin)})` : ''}.`,
    '// Review it as hand-written code: from now on the tables change here, through generated migrations.',
    ...(ctx.unexpressed.length > 0
      ? ['// NOT EXPRESSED: the model cannot say these; below they are left out or marked NOT EXPRESSED, never written as something else.', '// adopt refuses until each is resolved in the database:', ...ctx.unexpressed.map((u) => `//   - ${tsComment(u)}`)]
      : []),
  ];
  const imports = [...ctx.imports].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }) || a.localeCompare(b));
  const source = [...header, `import { ${imports.join(', ')} } from ${tsString(props.importFrom ?? '../../lib')};`, '', `export function ${functionName}(stack: ServiceStack): void {`, ...body, '}', ''].join('\n');
  return { source, unexpressed: ctx.unexpressed };
}
