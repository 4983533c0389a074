// What backups are called: the schema a service's copies live in, each copy's table, and the id
// a person types to restore one. Shared by the platform stack (which creates the schema), the
// runner (which fills it) and `restore`.
import { MAX_IDENTIFIER_BYTES } from '../sql/identifier';

/**
 * The schema holding `service`'s backups: `<service>_backup`, owned by the service's owner role,
 * with no privilege for any app role (a copy of a dropped column must not become readable by
 * services that were never granted it).
 */
export function backupSchemaName(service: string): string {
  return `${service}_backup`;
}

/** The id of backup number `n` of a service, as `status` lists it and `restore` takes it: `b<n>`. */
export function backupId(number: number): string {
  return `b${number}`;
}

/** The number of a backup id (`b12` -> 12), or undefined when `id` is not one. */
export function backupNumber(id: string): number | undefined {
  const match = /^b([1-9]\d{0,9})$/.exec(id);
  return match ? Number(match[1]) : undefined;
}

/**
 * The copy's table: `b<n>_<source table>`, cut to PostgreSQL's 63 bytes at a character boundary
 * (a multi-byte character is never split). The `b<n>_` prefix alone makes it unique in the
 * backup schema; the rest only tells a person what it holds.
 */
export function backupTableName(number: number, table: string): string {
  const prefix = `${backupId(number)}_`;
  let name = prefix;
  for (const character of table) {
    if (Buffer.byteLength(name + character, 'utf8') > MAX_IDENTIFIER_BYTES) break;
    name += character;
  }
  return name;
}
