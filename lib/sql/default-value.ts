// A column default between data and SQL. A default written as SQL (what a column type's
// literal() returns, what defaultSql() was given, what a snapshot holds) is read with
// PostgreSQL's parser: a constant (a number, true/false, NULL, a string or ARRAY[...] of
// constants, with a cast) becomes Literal data, anything else stays an expression. Equal
// defaults so compare equal however they were spelled, and one function writes them.
import { DefaultValue, Literal } from '../schema/schema-model';
import { quoteLiteral } from './literal';
import { cached, expressionTree, ParseNode } from './parser';
import { EnumLookup, renderType, sqlTypeOfNode } from './sql-type';

/** The default `sql` denotes; `sql` is an expression expressionProblem() accepted. */
export function defaultValueOf(sql: string, isEnum?: EnumLookup): DefaultValue {
  const literal = literalOf(expressionTree(sql), isEnum);
  return literal ? { kind: 'literal', value: literal } : { kind: 'expression', sql: sql.trim() };
}

function literalOf(node: ParseNode, isEnum?: EnumLookup): Literal | undefined {
  if (node.A_Const) return constantOf(node.A_Const as ParseNode);
  if (node.A_ArrayExpr) {
    const elements = (((node.A_ArrayExpr as ParseNode).elements ?? []) as ParseNode[]).map((e) => literalOf(e, isEnum));
    return elements.every((e) => e !== undefined) ? { kind: 'array', elements: elements as Literal[] } : undefined;
  }
  const cast = node.TypeCast as { arg: ParseNode; typeName: ParseNode } | undefined;
  if (!cast) return undefined;
  const inner = literalOf(cast.arg, isEnum);
  const type = sqlTypeOfNode(cast.typeName, isEnum);
  if (!inner || 'problem' in type || (inner.kind !== 'string' && inner.kind !== 'array') || inner.cast) return undefined;
  return { ...inner, cast: type };
}

function constantOf(constant: ParseNode): Literal | undefined {
  if (constant.isnull) return { kind: 'null' };
  if (constant.sval) return { kind: 'string', text: (constant.sval as { sval?: string }).sval ?? '' };
  if (constant.boolval) return { kind: 'boolean', value: (constant.boolval as { boolval?: boolean }).boolval === true };
  if (constant.ival) return { kind: 'number', text: String((constant.ival as { ival?: number }).ival ?? 0) };
  if (constant.fval) return { kind: 'number', text: (constant.fval as { fval: string }).fval };
  return undefined; // a bit string (B'101') stays an expression
}

/** The default as SQL, after DEFAULT. */
export function renderDefault(value: DefaultValue): string {
  return value.kind === 'expression' ? value.sql : renderLiteral(value.value);
}

/** A constant as SQL: strings through quoteLiteral, numbers only when they read as numbers. */
export function renderLiteral(literal: Literal): string {
  const cast = 'cast' in literal && literal.cast ? `::${renderType(literal.cast)}` : '';
  switch (literal.kind) {
    case 'null':
      return 'NULL';
    case 'boolean':
      return literal.value ? 'true' : 'false';
    case 'number':
      if (!isPlainNumber(literal.text)) throw new Error(`not a number: ${JSON.stringify(literal.text)}`);
      return literal.text;
    case 'string':
      return `${quoteLiteral(literal.text)}${cast}`;
    case 'array':
      return `ARRAY[${literal.elements.map(renderLiteral).join(', ')}]${cast}`;
  }
  throw new Error(`not a literal: ${JSON.stringify(literal)}`);
}

/**
 * A number as every supported PostgreSQL reads it: a plain decimal, with an optional exponent
 * (no underscores, no hexadecimal, octal or binary: those need 16). Data may come from a
 * snapshot file, so a number is written bare only when it is one.
 */
export const isPlainNumber = cached((text: string): boolean => /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text));
