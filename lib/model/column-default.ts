// How a column's default becomes SQL: a literal rendered by the column's type, or an SQL
// expression the user wrote, checked with PostgreSQL's parser. Either is spliced after
// DEFAULT as is, so either must read there as exactly one expression.
import { ColumnType, describeValue } from './column-type';
import { defaultExpressionProblems } from './expression-checks';
import { nulCharacterProblem } from '../sql/hidden-characters';
import { expressionProblem, readsSameAsDefault } from '../sql/parser';
import { defaultValueOf } from '../sql/default-value';
import { DefaultValue } from '../schema/schema-model';

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
  return { value: defaultValueOf(sql, (typeSchema) => typeSchema === schema), problems };
}

function literalDefault(value: unknown, type: ColumnType): { sql?: string; problems: string[] } {
  let sql: string;
  try {
    sql = type.literal(value);
  } catch (error) {
    return { problems: [`default ${describeValue(value)} does not fit type ${type.sql}: ${(error as Error).message}`] };
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
