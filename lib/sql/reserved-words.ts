// Words PostgreSQL 18 reserves: its RESERVED_KEYWORD and TYPE_FUNC_NAME_KEYWORD categories
// (src/include/parser/kwlist.h). Neither can name a column without quoting, so hand-written
// queries against such a name break. test/unit/reserved-words.test.ts checks every entry
// against PostgreSQL's own lexer (libpg-query); kept static so validation never waits for
// the parser to load.

const RESERVED = [
  'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast',
  'check', 'collate', 'column', 'constraint', 'create', 'current_catalog', 'current_date', 'current_role',
  'current_time', 'current_timestamp', 'current_user', 'default', 'deferrable', 'desc', 'distinct', 'do',
  'else', 'end', 'except', 'false', 'fetch', 'for', 'foreign', 'from', 'grant', 'group', 'having', 'in',
  'initially', 'intersect', 'into', 'lateral', 'leading', 'limit', 'localtime', 'localtimestamp', 'not',
  'null', 'offset', 'on', 'only', 'or', 'order', 'placing', 'primary', 'references', 'returning', 'select',
  'session_user', 'some', 'symmetric', 'system_user', 'table', 'then', 'to', 'trailing', 'true', 'union',
  'unique', 'user', 'using', 'variadic', 'when', 'where', 'window', 'with',
] as const;

const TYPE_FUNCTION_NAME = [
  'authorization', 'binary', 'collation', 'concurrently', 'cross', 'current_schema', 'freeze', 'full',
  'ilike', 'inner', 'is', 'isnull', 'join', 'left', 'like', 'natural', 'notnull', 'outer', 'overlaps',
  'right', 'similar', 'tablesample', 'verbose',
] as const;

export const RESERVED_WORDS: ReadonlySet<string> = new Set<string>([...RESERVED, ...TYPE_FUNCTION_NAME]);

/** True when PostgreSQL reserves `word` (lower case) so that it cannot name a column unquoted. */
export function isReservedWord(word: string): boolean {
  return RESERVED_WORDS.has(word);
}
