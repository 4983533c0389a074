// SQL text from a parse tree (libpg-query's JSON), for the statements the runner edits before it
// runs them: one UPDATE or DELETE of a batched data section, with the batch's key range added to
// its WHERE (batched-statement.ts). libpg-query 18.1.5 has no deparser (its WASM exports parse,
// scan, fingerprint and normalize only), so this is ours, for the part of the grammar a data
// change uses: expressions, sub-selects, joins. Anything else is refused by name, never guessed.
//
// It need not be clever to be right: every compound expression is written in parentheses (which
// PostgreSQL's grammar drops from the tree), every name quoted, every string through quoteLiteral.
// And it is never trusted alone: batched-statement.ts parses what it wrote and requires the very
// tree it was given (positions aside), so a node written wrong is a refusal, not a wrong UPDATE.
import { quoteIdentifier } from './identifier';
import { quoteLiteral } from './literal';

/** A node of libpg-query's JSON: `{ NodeType: { ...fields } }`. */
type Tree = Record<string, unknown>;
type Fields = Record<string, unknown>;

/** A part of a tree this renderer does not write: refused, naming it. */
export class Unrenderable extends Error {
  constructor(readonly what: string) {
    super(`${what} is not written by the batch renderer`);
  }
}

/** The text of an UpdateStmt or DeleteStmt node (`{ UpdateStmt: {...} }`). */
export function deparseStatement(statement: Tree): string {
  const [kind, fields] = only(statement);
  if (kind === 'UpdateStmt') return update(fields);
  if (kind === 'DeleteStmt') return deleteFrom(fields);
  throw new Unrenderable(kind);
}

function only(node: unknown): [string, Fields] {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) throw new Unrenderable('a malformed node');
  const entries = Object.entries(node as Tree);
  if (entries.length !== 1) throw new Unrenderable('a malformed node');
  return [entries[0][0], (entries[0][1] ?? {}) as Fields];
}

/** Fails on fields this renderer does not write (a clause it would otherwise drop silently). */
function known(kind: string, fields: Fields, allowed: readonly string[]): void {
  const extra = Object.keys(fields).filter((key) => !allowed.includes(key) && key !== 'location');
  if (extra.length > 0) throw new Unrenderable(`${kind} with ${extra.join(', ')}`);
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const name = (value: unknown): string => quoteIdentifier(stringOf(value));

function stringOf(node: unknown): string {
  const [kind, fields] = only(node);
  if (kind !== 'String') throw new Unrenderable(`${kind} where a name belongs`);
  return typeof fields.sval === 'string' ? fields.sval : '';
}

function update(fields: Fields): string {
  known('UPDATE', fields, ['relation', 'targetList', 'fromClause', 'whereClause']);
  const targets = list(fields.targetList).map((item) => {
    const [kind, target] = only(item);
    if (kind !== 'ResTarget') throw new Unrenderable(`${kind} in SET`);
    known('a SET item', target, ['name', 'val']);
    const [valueKind] = only(target.val);
    if (valueKind === 'MultiAssignRef') throw new Unrenderable('SET (a, b) = ...');
    return `${quoteIdentifier(String(target.name))} = ${expression(target.val)}`;
  });
  const from = list(fields.fromClause);
  return [`UPDATE ${relation(fields.relation)} SET ${targets.join(', ')}`, ...(from.length > 0 ? [`FROM ${from.map(fromItem).join(', ')}`] : []), ...where(fields.whereClause)].join(' ');
}

function deleteFrom(fields: Fields): string {
  known('DELETE', fields, ['relation', 'usingClause', 'whereClause']);
  const using = list(fields.usingClause);
  return [`DELETE FROM ${relation(fields.relation)}`, ...(using.length > 0 ? [`USING ${using.map(fromItem).join(', ')}`] : []), ...where(fields.whereClause)].join(' ');
}

const where = (clause: unknown): string[] => (clause === undefined ? [] : [`WHERE ${expression(clause)}`]);

/** A RangeVar's fields (the target of UPDATE and DELETE, or a table in FROM). */
function relation(value: unknown): string {
  const fields = (value ?? {}) as Fields;
  known('a table reference', fields, ['schemaname', 'relname', 'inh', 'relpersistence', 'alias']);
  if (fields.relpersistence !== 'p') throw new Unrenderable('a temporary or unlogged table reference');
  const table = `${fields.schemaname !== undefined ? `${quoteIdentifier(String(fields.schemaname))}.` : ''}${quoteIdentifier(String(fields.relname))}`;
  return `${fields.inh === true ? '' : 'ONLY '}${table}${alias(fields.alias)}`;
}

function alias(value: unknown): string {
  if (value === undefined) return '';
  const fields = value as Fields;
  known('an alias', fields, ['aliasname', 'colnames']);
  const columns = list(fields.colnames);
  return ` AS ${quoteIdentifier(String(fields.aliasname))}${columns.length > 0 ? ` (${columns.map(name).join(', ')})` : ''}`;
}

function fromItem(node: unknown): string {
  const [kind, fields] = only(node);
  switch (kind) {
    case 'RangeVar':
      return relation(fields);
    case 'RangeSubselect':
      known('a sub-select in FROM', fields, ['lateral', 'subquery', 'alias']);
      return `${fields.lateral === true ? 'LATERAL ' : ''}(${select(fields.subquery)})${alias(fields.alias)}`;
    case 'JoinExpr':
      return join(fields);
    default:
      throw new Unrenderable(`${kind} in FROM`);
  }
}

const JOINS: Readonly<Record<string, string>> = { JOIN_INNER: 'JOIN', JOIN_LEFT: 'LEFT JOIN', JOIN_FULL: 'FULL JOIN', JOIN_RIGHT: 'RIGHT JOIN' };

function join(fields: Fields): string {
  known('a join', fields, ['jointype', 'isNatural', 'larg', 'rarg', 'usingClause', 'quals', 'alias']);
  const type = JOINS[String(fields.jointype)];
  if (type === undefined) throw new Unrenderable(`a ${String(fields.jointype)} join`);
  const using = list(fields.usingClause);
  const natural = fields.isNatural === true;
  const condition = using.length > 0 ? ` USING (${using.map(name).join(', ')})` : fields.quals !== undefined ? ` ON ${expression(fields.quals)}` : '';
  const keyword = !natural && condition === '' && type === 'JOIN' ? 'CROSS JOIN' : `${natural ? 'NATURAL ' : ''}${type}`;
  return `(${fromItem(fields.larg)} ${keyword} ${fromItem(fields.rarg)}${condition})${alias(fields.alias)}`;
}

/** A SelectStmt's fields (sub-selects only): target list, FROM, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET. */
function select(node: unknown): string {
  const [kind, fields] = only(node);
  if (kind !== 'SelectStmt') throw new Unrenderable(`${kind} as a sub-select`);
  known('a sub-select', fields, ['distinctClause', 'targetList', 'fromClause', 'whereClause', 'groupClause', 'havingClause', 'sortClause', 'limitCount', 'limitOffset', 'limitOption', 'op']);
  if (fields.op !== 'SETOP_NONE') throw new Unrenderable('UNION, INTERSECT or EXCEPT');
  if (fields.limitOption !== 'LIMIT_OPTION_DEFAULT' && fields.limitOption !== 'LIMIT_OPTION_COUNT') throw new Unrenderable('FETCH ... WITH TIES');
  const distinct = fields.distinctClause === undefined ? '' : distinctOf(list(fields.distinctClause));
  const targets = list(fields.targetList).map((item) => {
    const [itemKind, target] = only(item);
    if (itemKind !== 'ResTarget') throw new Unrenderable(`${itemKind} in a select list`);
    known('a select item', target, ['name', 'val']);
    return `${expression(target.val)}${target.name !== undefined ? ` AS ${quoteIdentifier(String(target.name))}` : ''}`;
  });
  const parts = [`SELECT ${distinct}${targets.join(', ')}`];
  const from = list(fields.fromClause);
  if (from.length > 0) parts.push(`FROM ${from.map(fromItem).join(', ')}`);
  parts.push(...where(fields.whereClause));
  const group = list(fields.groupClause);
  if (group.length > 0) parts.push(`GROUP BY ${group.map(expression).join(', ')}`);
  if (fields.havingClause !== undefined) parts.push(`HAVING ${expression(fields.havingClause)}`);
  const sort = list(fields.sortClause);
  if (sort.length > 0) parts.push(`ORDER BY ${sort.map(sortBy).join(', ')}`);
  if (fields.limitCount !== undefined) parts.push(`LIMIT ${expression(fields.limitCount)}`);
  if (fields.limitOffset !== undefined) parts.push(`OFFSET ${expression(fields.limitOffset)}`);
  return parts.join(' ');
}

/** `DISTINCT ` (a list holding one empty node) or `DISTINCT ON (...) `. */
function distinctOf(items: unknown[]): string {
  if (items.length === 1 && Object.keys(items[0] as Tree).length === 0) return 'DISTINCT ';
  return `DISTINCT ON (${items.map(expression).join(', ')}) `;
}

const SORT_DIRECTIONS: Readonly<Record<string, string>> = { SORTBY_DEFAULT: '', SORTBY_ASC: ' ASC', SORTBY_DESC: ' DESC' };
const SORT_NULLS: Readonly<Record<string, string>> = { SORTBY_NULLS_DEFAULT: '', SORTBY_NULLS_FIRST: ' NULLS FIRST', SORTBY_NULLS_LAST: ' NULLS LAST' };

function sortBy(node: unknown): string {
  const [kind, fields] = only(node);
  if (kind !== 'SortBy') throw new Unrenderable(`${kind} in ORDER BY`);
  known('an ORDER BY item', fields, ['node', 'sortby_dir', 'sortby_nulls']);
  const direction = SORT_DIRECTIONS[String(fields.sortby_dir)];
  const nulls = SORT_NULLS[String(fields.sortby_nulls)];
  if (direction === undefined || nulls === undefined) throw new Unrenderable('ORDER BY ... USING');
  return `${expression(fields.node)}${direction}${nulls}`;
}

/** An expression; every compound one in parentheses of its own. */
export function expression(node: unknown): string {
  const [kind, fields] = only(node);
  switch (kind) {
    case 'ColumnRef':
      known('a column reference', fields, ['fields']);
      return list(fields.fields)
        .map((part) => (only(part)[0] === 'A_Star' ? '*' : name(part)))
        .join('.');
    case 'ParamRef':
      known('a parameter', fields, ['number']);
      return `$${Number(fields.number)}`;
    case 'A_Const':
      return constant(fields);
    case 'A_Expr':
      return operatorExpression(fields);
    case 'BoolExpr':
      return boolean(fields);
    case 'NullTest':
      known('IS NULL', fields, ['arg', 'nulltesttype']);
      return `(${expression(fields.arg)} ${fields.nulltesttype === 'IS_NOT_NULL' ? 'IS NOT NULL' : 'IS NULL'})`;
    case 'BooleanTest':
      return booleanTest(fields);
    case 'TypeCast':
      known('a cast', fields, ['arg', 'typeName']);
      return `CAST(${expression(fields.arg)} AS ${typeName(fields.typeName)})`;
    case 'FuncCall':
      return functionCall(fields);
    case 'CaseExpr':
      return caseExpression(fields);
    case 'CoalesceExpr':
      known('COALESCE', fields, ['args']);
      return `COALESCE(${list(fields.args).map(expression).join(', ')})`;
    case 'MinMaxExpr':
      known('GREATEST or LEAST', fields, ['op', 'args']);
      return `${fields.op === 'IS_GREATEST' ? 'GREATEST' : 'LEAST'}(${list(fields.args).map(expression).join(', ')})`;
    case 'SubLink':
      return subLink(fields);
    case 'A_ArrayExpr':
      known('an ARRAY', fields, ['elements', 'list_start', 'list_end']);
      return `ARRAY[${list(fields.elements).map(expression).join(', ')}]`;
    case 'RowExpr':
      known('a row', fields, ['args', 'row_format']);
      return fields.row_format === 'COERCE_IMPLICIT_CAST' ? `(${list(fields.args).map(expression).join(', ')})` : `ROW(${list(fields.args).map(expression).join(', ')})`;
    case 'A_Indirection':
      known('a subscript or field selection', fields, ['arg', 'indirection']);
      return `(${expression(fields.arg)})${list(fields.indirection).map(indirection).join('')}`;
    case 'CollateClause':
      known('COLLATE', fields, ['arg', 'collname']);
      return `(${expression(fields.arg)} COLLATE ${list(fields.collname).map(name).join('.')})`;
    case 'SQLValueFunction':
      return valueFunction(fields);
    case 'SetToDefault':
      return 'DEFAULT';
    case 'NamedArgExpr':
      known('a named argument', fields, ['arg', 'name', 'argnumber']);
      return `${quoteIdentifier(String(fields.name))} => ${expression(fields.arg)}`;
    default:
      throw new Unrenderable(kind);
  }
}

function constant(fields: Fields): string {
  known('a constant', fields, ['ival', 'fval', 'boolval', 'sval', 'bsval', 'isnull']);
  if (fields.isnull === true) return 'NULL';
  if (fields.ival !== undefined) return signed(String((fields.ival as Fields).ival ?? 0));
  if (fields.fval !== undefined) return signed(String((fields.fval as Fields).fval));
  if (fields.boolval !== undefined) return (fields.boolval as Fields).boolval === true ? 'TRUE' : 'FALSE';
  if (fields.sval !== undefined) return quoteLiteral(String((fields.sval as Fields).sval ?? ''));
  if (fields.bsval !== undefined) {
    const bits = String((fields.bsval as Fields).bsval);
    if (!/^[bx][0-9A-Fa-f]*$/.test(bits)) throw new Unrenderable('a bit string constant');
    return `${bits[0].toUpperCase()}'${bits.slice(1)}'`;
  }
  throw new Unrenderable('a constant of an unknown kind');
}

/** A negative number in parentheses: `- -1` must never become the comment `--1`. */
const signed = (number: string): string => (number.startsWith('-') ? `(${number})` : number);

const OPERATOR = /^[~!@#^&|`?+\-*/%<>=]+$/;

/** An operator, `OPERATOR(schema.op)` when qualified. */
function operatorName(names: unknown): string {
  const parts = list(names).map(stringOf);
  const op = parts[parts.length - 1];
  if (parts.length < 1 || parts.length > 2 || !OPERATOR.test(op)) throw new Unrenderable('an operator name');
  return parts.length === 1 ? op : `OPERATOR(${quoteIdentifier(parts[0])}.${op})`;
}

const LIKES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  AEXPR_LIKE: { '~~': 'LIKE', '!~~': 'NOT LIKE' },
  AEXPR_ILIKE: { '~~*': 'ILIKE', '!~~*': 'NOT ILIKE' },
  AEXPR_SIMILAR: { '~': 'SIMILAR TO', '!~': 'NOT SIMILAR TO' },
};

const BETWEENS: Readonly<Record<string, string>> = {
  AEXPR_BETWEEN: 'BETWEEN',
  AEXPR_NOT_BETWEEN: 'NOT BETWEEN',
  AEXPR_BETWEEN_SYM: 'BETWEEN SYMMETRIC',
  AEXPR_NOT_BETWEEN_SYM: 'NOT BETWEEN SYMMETRIC',
};

function operatorExpression(fields: Fields): string {
  known('an operator', fields, ['kind', 'name', 'lexpr', 'rexpr', 'rexpr_list_start', 'rexpr_list_end']);
  const kind = String(fields.kind);
  const left = () => expression(fields.lexpr);
  switch (kind) {
    case 'AEXPR_OP': {
      const op = operatorName(fields.name);
      return fields.lexpr === undefined ? `(${op} ${expression(fields.rexpr)})` : `(${left()} ${op} ${expression(fields.rexpr)})`;
    }
    case 'AEXPR_OP_ANY':
    case 'AEXPR_OP_ALL':
      return `(${left()} ${operatorName(fields.name)} ${kind === 'AEXPR_OP_ANY' ? 'ANY' : 'ALL'} (${expression(fields.rexpr)}))`;
    case 'AEXPR_DISTINCT':
      return `(${left()} IS DISTINCT FROM ${expression(fields.rexpr)})`;
    case 'AEXPR_NOT_DISTINCT':
      return `(${left()} IS NOT DISTINCT FROM ${expression(fields.rexpr)})`;
    case 'AEXPR_NULLIF':
      return `NULLIF(${left()}, ${expression(fields.rexpr)})`;
    case 'AEXPR_IN': {
      const op = operatorName(fields.name);
      if (op !== '=' && op !== '<>') throw new Unrenderable(`IN with operator ${op}`);
      return `(${left()} ${op === '=' ? 'IN' : 'NOT IN'} (${listItems(fields.rexpr).map(expression).join(', ')}))`;
    }
    case 'AEXPR_LIKE':
    case 'AEXPR_ILIKE':
    case 'AEXPR_SIMILAR': {
      const word = LIKES[kind][operatorName(fields.name)];
      if (word === undefined) throw new Unrenderable(`${kind} with another operator`);
      return `(${left()} ${word} ${kind === 'AEXPR_SIMILAR' ? similarPattern(fields.rexpr) : expression(fields.rexpr)})`;
    }
    default: {
      const between = BETWEENS[kind];
      if (between === undefined) throw new Unrenderable(`an operator expression of kind ${kind}`);
      const [low, high] = listItems(fields.rexpr);
      return `(${left()} ${between} ${expression(low)} AND ${expression(high)})`;
    }
  }
}

/** SIMILAR TO's pattern, which the grammar wraps in similar_to_escape(pattern [, escape]). */
function similarPattern(node: unknown): string {
  const [kind, fields] = only(node);
  const names = kind === 'FuncCall' ? list(fields.funcname).map(stringOf).join('.') : '';
  const args = list(fields.args);
  if (names !== 'pg_catalog.similar_to_escape' || args.length < 1 || args.length > 2) throw new Unrenderable('a SIMILAR TO pattern');
  return `${expression(args[0])}${args.length === 2 ? ` ESCAPE ${expression(args[1])}` : ''}`;
}

function listItems(node: unknown): unknown[] {
  const [kind, fields] = only(node);
  if (kind !== 'List') throw new Unrenderable(`${kind} where a list belongs`);
  return list(fields.items);
}

function boolean(fields: Fields): string {
  known('AND, OR or NOT', fields, ['boolop', 'args']);
  const args = list(fields.args).map(expression);
  if (fields.boolop === 'NOT_EXPR') return `(NOT ${args[0]})`;
  return `(${args.join(fields.boolop === 'AND_EXPR' ? ' AND ' : ' OR ')})`;
}

const BOOLEAN_TESTS: Readonly<Record<string, string>> = {
  IS_TRUE: 'IS TRUE',
  IS_NOT_TRUE: 'IS NOT TRUE',
  IS_FALSE: 'IS FALSE',
  IS_NOT_FALSE: 'IS NOT FALSE',
  IS_UNKNOWN: 'IS UNKNOWN',
  IS_NOT_UNKNOWN: 'IS NOT UNKNOWN',
};

function booleanTest(fields: Fields): string {
  known('IS TRUE', fields, ['arg', 'booltesttype']);
  const test = BOOLEAN_TESTS[String(fields.booltesttype)];
  if (test === undefined) throw new Unrenderable('a boolean test');
  return `(${expression(fields.arg)} ${test})`;
}

function typeName(value: unknown): string {
  const fields = (value ?? {}) as Fields;
  known('a type name', fields, ['names', 'typmods', 'typemod', 'arrayBounds']);
  if (fields.typemod !== undefined && fields.typemod !== -1) throw new Unrenderable('a type modifier given as a number');
  const modifiers = list(fields.typmods);
  const bounds = list(fields.arrayBounds).map((bound) => {
    const size = (only(bound)[1].ival as number | undefined) ?? 0;
    return size < 0 ? '[]' : `[${size}]`;
  });
  return `${list(fields.names).map(name).join('.')}${modifiers.length > 0 ? `(${modifiers.map(expression).join(', ')})` : ''}${bounds.join('')}`;
}

/** Functions the grammar writes with keywords (COERCE_SQL_SYNTAX), by name and argument count. */
const SQL_SYNTAX: Readonly<Record<string, (args: string[]) => string>> = {
  'pg_catalog.extract/2': ([field, source]) => `EXTRACT(${field} FROM ${source})`,
  'pg_catalog.timezone/2': ([zone, time]) => `(${time} AT TIME ZONE ${zone})`,
  'pg_catalog.substring/2': ([text, from]) => `SUBSTRING(${text} FROM ${from})`,
  'pg_catalog.substring/3': ([text, from, count]) => `SUBSTRING(${text} FROM ${from} FOR ${count})`,
  'pg_catalog.position/2': ([text, search]) => `POSITION(${search} IN ${text})`,
};

function functionCall(fields: Fields): string {
  known('a function call', fields, ['funcname', 'args', 'agg_order', 'agg_filter', 'agg_star', 'agg_distinct', 'func_variadic', 'funcformat']);
  const names = list(fields.funcname).map(stringOf);
  const args = list(fields.args).map(expression);
  if (fields.funcformat === 'COERCE_SQL_SYNTAX') {
    const form = SQL_SYNTAX[`${names.join('.')}/${args.length}`];
    if (form === undefined || fields.agg_star || fields.agg_distinct || fields.agg_order || fields.agg_filter || fields.func_variadic) throw new Unrenderable(`the SQL syntax of ${names.join('.')}()`);
    return form(args);
  }
  if (fields.funcformat !== 'COERCE_EXPLICIT_CALL') throw new Unrenderable(`a function call written as ${String(fields.funcformat)}`);
  if (fields.func_variadic === true && args.length > 0) args[args.length - 1] = `VARIADIC ${args[args.length - 1]}`;
  const order = list(fields.agg_order);
  const inside = fields.agg_star === true ? '*' : `${fields.agg_distinct === true ? 'DISTINCT ' : ''}${args.join(', ')}${order.length > 0 ? ` ORDER BY ${order.map(sortBy).join(', ')}` : ''}`;
  const filter = fields.agg_filter !== undefined ? ` FILTER (WHERE ${expression(fields.agg_filter)})` : '';
  return `${names.map((part) => quoteIdentifier(part)).join('.')}(${inside})${filter}`;
}

function caseExpression(fields: Fields): string {
  known('CASE', fields, ['arg', 'args', 'defresult']);
  const whens = list(fields.args).map((item) => {
    const [kind, when] = only(item);
    if (kind !== 'CaseWhen') throw new Unrenderable(`${kind} in CASE`);
    known('WHEN', when, ['expr', 'result']);
    return `WHEN ${expression(when.expr)} THEN ${expression(when.result)}`;
  });
  const subject = fields.arg !== undefined ? ` ${expression(fields.arg)}` : '';
  const otherwise = fields.defresult !== undefined ? ` ELSE ${expression(fields.defresult)}` : '';
  return `(CASE${subject} ${whens.join(' ')}${otherwise} END)`;
}

function subLink(fields: Fields): string {
  known('a sub-query', fields, ['subLinkType', 'testexpr', 'operName', 'subselect']);
  const query = `(${select(fields.subselect)})`;
  switch (fields.subLinkType) {
    case 'EXISTS_SUBLINK':
      return `(EXISTS ${query})`;
    case 'EXPR_SUBLINK':
      return query;
    case 'ARRAY_SUBLINK':
      return `ARRAY${query}`;
    case 'ANY_SUBLINK': {
      const operator = list(fields.operName);
      return operator.length === 0 ? `(${expression(fields.testexpr)} IN ${query})` : `(${expression(fields.testexpr)} ${operatorName(fields.operName)} ANY ${query})`;
    }
    case 'ALL_SUBLINK':
      return `(${expression(fields.testexpr)} ${operatorName(fields.operName)} ALL ${query})`;
    default:
      throw new Unrenderable(`a ${String(fields.subLinkType)} sub-query`);
  }
}

function indirection(node: unknown): string {
  const [kind, fields] = only(node);
  if (kind === 'String') return `.${name(node)}`;
  if (kind === 'A_Star') return '.*';
  if (kind !== 'A_Indices') throw new Unrenderable(`${kind} as a subscript`);
  known('a subscript', fields, ['is_slice', 'lidx', 'uidx']);
  const bound = (value: unknown) => (value === undefined ? '' : expression(value));
  return fields.is_slice === true ? `[${bound(fields.lidx)}:${bound(fields.uidx)}]` : `[${bound(fields.uidx)}]`;
}

const VALUE_FUNCTIONS: Readonly<Record<string, string>> = {
  SVFOP_CURRENT_DATE: 'CURRENT_DATE',
  SVFOP_CURRENT_TIME: 'CURRENT_TIME',
  SVFOP_CURRENT_TIME_N: 'CURRENT_TIME',
  SVFOP_CURRENT_TIMESTAMP: 'CURRENT_TIMESTAMP',
  SVFOP_CURRENT_TIMESTAMP_N: 'CURRENT_TIMESTAMP',
  SVFOP_LOCALTIME: 'LOCALTIME',
  SVFOP_LOCALTIME_N: 'LOCALTIME',
  SVFOP_LOCALTIMESTAMP: 'LOCALTIMESTAMP',
  SVFOP_LOCALTIMESTAMP_N: 'LOCALTIMESTAMP',
  SVFOP_CURRENT_ROLE: 'CURRENT_ROLE',
  SVFOP_CURRENT_USER: 'CURRENT_USER',
  SVFOP_USER: 'USER',
  SVFOP_SESSION_USER: 'SESSION_USER',
  SVFOP_CURRENT_CATALOG: 'CURRENT_CATALOG',
  SVFOP_CURRENT_SCHEMA: 'CURRENT_SCHEMA',
};

function valueFunction(fields: Fields): string {
  known('a value function', fields, ['op', 'typmod']);
  const word = VALUE_FUNCTIONS[String(fields.op)];
  if (word === undefined) throw new Unrenderable(String(fields.op));
  return String(fields.op).endsWith('_N') ? `${word}(${Number(fields.typmod)})` : word;
}
