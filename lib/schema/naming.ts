// PostgreSQL's default names for keys, indexes and sequences, in one place: the constructs name
// constraints with them, and the differ renames what follows a renamed table or column with them.
// Part of the leaf schema model: imports nothing else of the library.

export const primaryKeyName = (table: string): string => `${table}_pkey`;
export const uniqueName = (table: string, columns: readonly string[]): string => `${table}_${columns.join('_')}_key`;
export const indexName = (table: string, columns: readonly string[]): string => `${table}_${columns.join('_')}_idx`;
export const foreignKeyName = (table: string, columns: readonly string[]): string => `${table}_${columns.join('_')}_fkey`;
/** The sequence behind an identity or serial column. */
export const sequenceName = (table: string, column: string): string => `${table}_${column}_seq`;

/**
 * The check constraint that stands in for NOT NULL while SET NOT NULL is made online (added NOT
 * VALID, validated, then dropped once the column is NOT NULL). Kept within PostgreSQL's 63
 * bytes: a long name is cut and given a hash of the whole, so two columns never share one.
 */
export function notNullCheckName(table: string, column: string): string {
  const full = `${table}_${column}_not_null_check`;
  if (Buffer.byteLength(full, 'utf8') <= 63) return full;
  let hash = 0x811c9dc5; // FNV-1a: stable across runs and machines, no dependency
  for (const byte of Buffer.from(full, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  let prefix = `${table}_${column}`;
  while (Buffer.byteLength(prefix, 'utf8') > 44) prefix = prefix.slice(0, -1);
  return `${prefix}_nn_${hash.toString(16).padStart(8, '0')}`;
}
