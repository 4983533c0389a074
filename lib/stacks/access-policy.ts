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
    // Tables read by columns are granted to a role of their own (columnReads), not here.
    const objects = declared.filter((r) => !r.columns && r.table.startsWith(`${owner}.`)).map((r) => r.table.slice(owner.length + 1)).sort();
    return objects.length > 0 ? [{ role, tables: READER_TABLE_PRIVILEGES, sequences: [], objects }] : [];
  });
}

/** A reader's column read contract on one of `owner`'s tables, and the role holding its grants. */
export interface ColumnReadGrant {
  readonly reader: string;
  /** NOLOGIN, holds SELECT on the columns; the reader's app role is its member. */
  readonly role: string;
  readonly table: string;
  readonly columns: readonly string[];
}

/**
 * The column read contracts on `owner`'s tables among `services`. Each gets a role of its own:
 * PostgreSQL drops a role's column grants on a table whenever that role's table-level SELECT
 * on it is revoked, and the provider revokes table grants when their objects change; a grant to
 * another role (whose member the reader is) is never touched by them.
 */
export function columnReads(owner: string, services: readonly string[], registry?: ServiceRegistry): ColumnReadGrant[] {
  return services.flatMap((reader) =>
    reader === owner || !registry?.has(reader)
      ? []
      : (registry.readsOf(reader) ?? [])
          .filter((r) => r.columns && r.table.startsWith(`${owner}.`))
          .map((r) => {
            const table = r.table.slice(owner.length + 1);
            return { reader, role: columnReaderRoleName(reader, table), table, columns: [...r.columns!].sort() };
          }),
  );
}

/** The role holding `reader`'s column grants on `table`. */
export function columnReaderRoleName(reader: string, table: string): string {
  return `${reader}_reads_${table}`;
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

/** One line per column read contract, for the plan's access output. */
export function columnReadLines(schema: string, reads: readonly ColumnReadGrant[]): string[] {
  return reads.map((r) => `${r.role} (member: ${appRoleName(r.reader)}): SELECT (${r.columns.join(', ')}) on table ${schema}.${r.table}`);
}
