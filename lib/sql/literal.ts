// The one place where SQL string literals are produced.

/**
 * Quotes a string as a standard SQL literal ('...' with embedded quotes doubled). Generated
 * scripts run with standard_conforming_strings = on (the default since PostgreSQL 9.1),
 * so a backslash is an ordinary character. NUL cannot be stored in PostgreSQL text.
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) throw new Error('A SQL literal cannot contain the NUL character (\\u0000)');
  return `'${value.replace(/'/g, "''")}'`;
}
