// The one place where identifiers are validated and quoted. Nothing else builds an identifier.
import { isReservedWord } from './reserved-words';

/** PostgreSQL truncates identifiers longer than NAMEDATALEN - 1 bytes. */
export const MAX_IDENTIFIER_BYTES = 63;

const SNAKE_CASE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/**
 * Returns what is wrong with `name` as a Bedrock identifier, or undefined when it is valid:
 * snake_case, at most 63 bytes, and not a word PostgreSQL reserves (such a name would need
 * quoting in every hand-written query).
 */
export function identifierProblem(name: string): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'the name is empty';
  if (!SNAKE_CASE.test(name)) {
    return `"${name}" is not snake_case: use lower-case letters, digits and single underscores, starting with a letter (e.g. "${suggestSnakeCase(name)}")`;
  }
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_IDENTIFIER_BYTES) {
    return `"${name}" is ${bytes} bytes long; PostgreSQL truncates names to ${MAX_IDENTIFIER_BYTES} bytes: choose a shorter name`;
  }
  if (isReservedWord(name)) {
    return `"${name}" is a reserved word in PostgreSQL: choose another name (e.g. "${name}_value")`;
  }
  return undefined;
}

/** Throws with `context` when the identifier is invalid. */
export function validateIdentifier(name: string, context: string): string {
  const problem = identifierProblem(name);
  if (problem) throw new Error(`${context}: ${problem}`);
  return name;
}

/**
 * Quotes an identifier for SQL. Every identifier in generated SQL goes through here, so a
 * name that was never validated cannot reach a plan.
 */
export function quoteIdentifier(name: string): string {
  const problem = identifierProblem(name);
  if (problem) throw new Error(`Refusing to quote an invalid identifier: ${problem}`);
  return `"${name}"`;
}

/** `"schema"."name"` */
export function qualifiedName(schema: string, name: string): string {
  return `${quoteIdentifier(schema)}.${quoteIdentifier(name)}`;
}

function suggestSnakeCase(name: string): string {
  const snake = String(name)
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/_+/g, '_')
    .toLowerCase();
  return /^[a-z]/.test(snake) ? snake : `x_${snake}`;
}
