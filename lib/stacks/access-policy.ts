// Who may do what on a service's tables, as data: the owner's app role reads and writes,
// every other service's app role reads. Stacks turn this into grant resources.
import { appRoleName } from '../services/service-registry';

/** Privileges on tables and sequences for one role, applied schema-wide. */
export interface RoleAccess {
  readonly role: string;
  readonly tables: readonly string[];
  readonly sequences: readonly string[];
}

/** DML only: never TRUNCATE (it skips DELETE triggers and locks the whole table), never REFERENCES. */
export const WRITER_TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;
export const READER_TABLE_PRIVILEGES = ['SELECT'] as const;
export const WRITER_SEQUENCE_PRIVILEGES = ['SELECT', 'USAGE'] as const;

/** The access each app role of `services` gets to the tables of `owner`. */
export function tableAccess(owner: string, services: readonly string[]): RoleAccess[] {
  return services.map((service) =>
    service === owner
      ? { role: appRoleName(service), tables: WRITER_TABLE_PRIVILEGES, sequences: WRITER_SEQUENCE_PRIVILEGES }
      : { role: appRoleName(service), tables: READER_TABLE_PRIVILEGES, sequences: [] },
  );
}
