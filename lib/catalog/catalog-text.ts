// Names read from the catalog, shown to a person or written into a fix: shown with every hidden
// character and backtick escaped (a hand-made object may be named anything), and quoted for SQL
// only when the name is one PostgreSQL and a reader agree on and holds no backtick (else the
// fix says to act by hand).
import { visibleText } from '../adopt/visible-text';
import { identifierError, quoteIdentifier } from '../sql/identifier';
import type { SchemaObject } from './schema-objects';

/**
 * PUBLIC, as grantees are kept here: `public` (PostgreSQL reserves that role name, and the
 * provider's resources spell PUBLIC so). The keyword in SQL, `PUBLIC` in messages.
 */
export const PUBLIC = 'public';

/**
 * A catalog name as a person may read it: hidden characters, line breaks and backticks escaped.
 * Backticks delimit every statement of a fix (and code in Markdown, where CI may post the
 * report): a name holding them would close the statement and open another, one a reader copies.
 */
export function shown(name: string): string {
  return visibleText(name).replace(/`/g, '\\u0060');
}

/** `schema.name` for messages. */
export function shownQualified(schema: string, name: string): string {
  return `${shown(schema)}.${shown(name)}`;
}

/** An object of a schema for messages: `datahub.v`, `datahub.f(integer)`, `t on datahub.klines`. */
export function described(schema: string, object: SchemaObject): string {
  if (object.table !== undefined) return `${shown(object.name)} on ${shownQualified(schema, object.table)}`;
  if (object.arguments !== undefined) return `${shownQualified(schema, object.name)}(${shown(object.arguments)})`;
  return shownQualified(schema, object.name);
}

/** A grantee for messages: PUBLIC, or the role's name. */
export function shownRole(role: string): string {
  return role === PUBLIC ? 'PUBLIC' : shown(role);
}

/** A grantee, as opposed to an object name, in the names of a fix. */
export interface Grantee {
  readonly grantee: string;
}

/**
 * A SQL statement built from catalog names, or, when one of them cannot be written safely, the
 * instruction to act by hand. `build` gets the names quoted, in the order given; a grantee
 * `public` becomes the keyword PUBLIC (a schema named public is quoted like any other name).
 */
export function sqlFix(names: readonly (string | Grantee)[], build: (...quoted: string[]) => string): string {
  const quoted = names.map((name) => (typeof name === 'string' ? quoted1(name) : name.grantee === PUBLIC ? 'PUBLIC' : quoted1(name.grantee)));
  if (quoted.some((q) => q === undefined)) {
    const plain = names.map((name) => (typeof name === 'string' ? name : name.grantee));
    return `by hand: a name involved (${plain.map((n) => JSON.stringify(shown(n))).join(', ')}) holds characters a reader cannot see or a backtick, so no statement is printed for it`;
  }
  return build(...(quoted as string[]));
}

/** The name quoted for SQL; undefined when a reader could not check it, or it holds a backtick (see shown). */
function quoted1(name: string): string | undefined {
  return identifierError(name) === undefined && !name.includes('`') ? quoteIdentifier(name) : undefined;
}
