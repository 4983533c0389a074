// How a column's default becomes SQL: a literal rendered by the column's type, or an SQL
// expression the user wrote, checked with PostgreSQL's parser. Either is spliced after
// DEFAULT as is, so either must read there as exactly one expression.
import { ColumnType, describeValue } from './column-type';
import { defaultExpressionProblems, schemasNamedInStrings } from './expression-checks';
import { nulCharacterProblem } from '../sql/hidden-characters';
import { expressionProblem, readsSameAsDefault } from '../sql/parser';
import { defaultValueOf } from '../sql/default-value';
import { DefaultValue, Literal, typeSchema } from '../schema/schema-model';

/** A column default: a JavaScript value rendered as a literal, or an explicit SQL expression. */
export type ColumnDefault =
  | { readonly kind: 'literal'; readonly value: unknown }
  | { readonly kind: 'expression'; readonly sql: string };

/**
 * The default as data, and every problem with it (each with its fix). Either way it is read
 * back with the parser, so a literal and an expression that spell the same constant are equal.
 * A two-part type name in the service's own schema is one of its enums (the only types a
 * service's migrations create).
 */
export function resolveDefault(given: ColumnDefault, type: ColumnType, schema: string): { value?: DefaultValue; problems: string[] } {
  const { sql, problems } = given.kind === 'literal' ? literalDefault(given.value, type) : expressionDefault(given.sql);
  if (sql === undefined || problems.length > 0) return { problems };
  const foreignRelation = schemasNamedInStrings(sql).find((s) => s !== schema && s !== 'pg_catalog');
  if (foreignRelation !== undefined) return { problems: [`default ${describeValue(sql)} names a relation of schema ${foreignRelation}: a service's defaults use its own sequences and tables only`] };
  const value = defaultValueOf(sql, (typeSchema) => typeSchema === schema);
  if (given.kind === 'literal') {
    // A type's literal() renders a constant (the built-in ones always do); anything else would
    // skip the checks defaultSql() gets.
    const shown = `default ${describeValue(given.value)}: type ${type.sql} rendered it as ${describeValue(sql)}`;
    if (value.kind === 'expression') return { problems: [`${shown}, which is not a constant: fix the type's literal()`] };
    const foreign = foreignCast(value.value, schema);
    if (foreign) return { problems: [`${shown}, a cast to ${foreign}, a type of another schema: fix the type's literal()`] };
  }
  return { value, problems };
}

/** The first type a literal is cast to that lies outside `schema` and pg_catalog. */
function foreignCast(literal: Literal, schema: string): string | undefined {
  if (literal.kind === 'array') {
    for (const element of literal.elements) {
      const found = foreignCast(element, schema);
      if (found) return found;
    }
  }
  const cast = 'cast' in literal ? literal.cast : undefined;
  const castSchema = cast && typeSchema(cast);
  return castSchema !== undefined && castSchema !== schema && castSchema !== 'pg_catalog' ? castSchema : undefined;
}

function literalDefault(value: unknown, type: ColumnType): { sql?: string; problems: string[] } {
  let sql: string;
  try {
    sql = type.literal(value);
  } catch (error) {
    return { problems: [`default ${describeValue(value)} does not fit type ${type.sql}: ${error instanceof Error ? error.message : String(error)}`] };
  }
  // The built-in types always pass; a ColumnType from elsewhere might render anything.
  const wellFormed = typeof sql === 'string' && !nulCharacterProblem(sql) && !expressionProblem(sql) && readsSameAsDefault(sql);
  if (wellFormed) return { sql, problems: [] };
  return { problems: [`default ${describeValue(value)}: type ${type.sql} rendered it as ${describeValue(sql)}, which is not one SQL expression: fix the type's literal()`] };
}

function expressionDefault(sql: unknown): { sql?: string; problems: string[] } {
  if (typeof sql !== 'string') return { problems: [`defaultSql: expected a string SQL expression, got ${describeValue(sql)}`] };
  const problems = defaultExpressionProblems(sql).map((p) => `defaultSql(${JSON.stringify(sql)}): ${p}`);
  return { sql: sql.trim(), problems };
}
