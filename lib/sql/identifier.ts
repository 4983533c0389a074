// The one place where identifiers are validated and quoted. Nothing else builds an identifier.
import { isReservedWord } from './reserved-words';
import { hiddenCharacterProblem } from './hidden-characters';

/** PostgreSQL truncates identifiers longer than NAMEDATALEN - 1 bytes. */
export const MAX_IDENTIFIER_BYTES = 63;

const SNAKE_CASE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/**
 * What makes `name` unusable as a PostgreSQL identifier at all (empty, NUL, longer than
 * PostgreSQL keeps), or undefined. No acknowledgement can lift these.
 */
export function identifierError(name: string): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'the name is empty';
  if (name.includes('\u0000')) return 'a name cannot contain the NUL character';
  // Quoted, any character is safe for PostgreSQL; but a reviewer reads names in the plan, and a
  // line break or bidi mark in one makes the SQL read differently from what runs.
  const layout = /[\t\n\r]/.exec(name);
  if (layout) return `a name cannot contain a tab or line break (at character ${layout.index + 1}): a reviewer could not read it`;
  const hidden = hiddenCharacterProblem(name);
  if (hidden) return `a name ${hidden.replace(/^it /, '').replace(/: remove it, or if a value needs it.*$/, ': remove it')}`;
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_IDENTIFIER_BYTES) {
    return `"${name}" is ${bytes} bytes long; PostgreSQL truncates names to ${MAX_IDENTIFIER_BYTES} bytes: choose a shorter name`;
  }
  return undefined;
}

/** Bedrock's naming convention: snake_case (rule BEDROCK-N1). */
export function snakeCaseProblem(name: string): string | undefined {
  if (SNAKE_CASE.test(name)) return undefined;
  return `"${name}" is not snake_case: use lower-case letters, digits and single underscores, starting with a letter (e.g. "${suggestSnakeCase(name)}")`;
}

/** A word PostgreSQL reserves needs quoting in every hand-written query (rule BEDROCK-N2). */
export function reservedWordProblem(name: string): string | undefined {
  return isReservedWord(name) ? `"${name}" is a reserved word in PostgreSQL: choose another name (e.g. "${name}_value")` : undefined;
}

/**
 * Everything wrong with `name` as a Bedrock identifier: unusable, not snake_case, or a
 * reserved word. For names no rule acknowledgement may excuse (services, enums, roles).
 */
export function identifierProblem(name: string): string | undefined {
  return identifierError(name) ?? snakeCaseProblem(name) ?? reservedWordProblem(name);
}

/** Throws with `context` when the identifier is invalid. */
export function validateIdentifier(name: string, context: string): string {
  const problem = identifierProblem(name);
  if (problem) throw new Error(`${context}: ${problem}`);
  return name;
}

/**
 * Quotes an identifier for SQL. Every identifier in generated SQL goes through here. Names off
 * the convention (acknowledged on their construct) are quoted too, embedded quotes doubled;
 * a name PostgreSQL cannot hold is refused.
 */
export function quoteIdentifier(name: string): string {
  const problem = identifierError(name);
  if (problem) throw new Error(`Refusing to quote an invalid identifier: ${problem}`);
  return `"${name.replace(/"/g, '""')}"`;
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
