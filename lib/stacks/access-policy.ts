// Who may do what on a service's tables, as data: the owner's app role reads and writes,
// every other service's app role reads. Stacks turn this into grant resources.
import { appRoleName, ServiceRegistry } from '../services/service-registry';

/** Privileges on tables and sequences of one schema for one role. */
export interface RoleAccess {
  readonly role: string;
  readonly tables: readonly string[];
  readonly sequences: readonly string[];
  /**
   * The only tables the grant covers (a reader that declared its reads); undefined for the
   * whole schema, kept up to date for new tables by default privileges.
   */
  readonly objects?: readonly string[];
}

/** DML only: never TRUNCATE (it skips DELETE triggers and locks the whole table), never REFERENCES. */
export const WRITER_TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;
export const READER_TABLE_PRIVILEGES = ['SELECT'] as const;
export const WRITER_SEQUENCE_PRIVILEGES = ['SELECT', 'USAGE'] as const;

/**
 * The access each app role of `services` gets to the tables of `owner`: the owner's app role
 * writes; a reader that declared its reads gets SELECT on those tables only (none: no grant);
 * any other reader SELECT on the whole schema.
 */
export function tableAccess(owner: string, services: readonly string[], registry?: ServiceRegistry): RoleAccess[] {
  return services.flatMap((service): RoleAccess[] => {
    const role = appRoleName(service);
    if (service === owner) return [{ role, tables: WRITER_TABLE_PRIVILEGES, sequences: WRITER_SEQUENCE_PRIVILEGES }];
    const declared = registry?.has(service) ? registry.readsOf(service) : undefined;
    if (declared === undefined) return [{ role, tables: READER_TABLE_PRIVILEGES, sequences: [] }];
    // A read of some columns is granted on its whole table for now: column grants must never be
    // revoked by a table-level REVOKE the provider runs later in the same apply (PostgreSQL drops
    // a role's column grants with its table grant), which needs the grant resources ordered
    // across updates and removals; until then the contract binds the owner, not the grant.
    const objects = [...new Set(declared.filter((r) => r.table.startsWith(`${owner}.`)).map((r) => r.table.slice(owner.length + 1)))].sort();
    return objects.length > 0 ? [{ role, tables: READER_TABLE_PRIVILEGES, sequences: [], objects }] : [];
  });
}

/** The role that holds one shared-write exception's DML (its writer's app role is a member). */
export function sharedWriterRoleName(writer: string, table: string): string {
  return `${writer}_writes_${table}`;
}

/** One line per privilege a role holds on this schema, for the plan (an output). */
export function accessLines(schema: string, access: readonly RoleAccess[]): string[] {
  return access.flatMap((a) => {
    const on = a.objects ? `tables ${a.objects.map((o) => `${schema}.${o}`).join(', ')}` : `all tables in schema ${schema}`;
    const lines = [`${a.role}: ${a.tables.join(', ')} on ${on}`];
    if (a.sequences.length > 0) lines.push(`${a.role}: ${a.sequences.join(', ')} on all sequences in schema ${schema}`);
    return lines;
  });
}
