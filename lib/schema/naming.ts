// PostgreSQL's default names for keys, indexes and sequences, in one place: the constructs name
// constraints with them, and the differ renames what follows a renamed table or column with them.
// Part of the leaf schema model: imports nothing else of the library.

export const primaryKeyName = (table: string): string => `${table}_pkey`;
export const uniqueName = (table: string, columns: readonly string[]): string => `${table}_${columns.join('_')}_key`;
export const indexName = (table: string, columns: readonly string[]): string => `${table}_${columns.join('_')}_idx`;
export const foreignKeyName = (table: string, columns: readonly string[]): string => `${table}_${columns.join('_')}_fkey`;
/** The sequence behind an identity or serial column. */
export const sequenceName = (table: string, column: string): string => `${table}_${column}_seq`;
