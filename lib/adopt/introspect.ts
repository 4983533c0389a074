// Reads the legacy tables a service will own, as PostgreSQL holds them, with everything the
// table model cannot express said out loud. The catalog reader (lib/catalog/read-schema.ts) is
// the one drift and baseline use, so what introspect writes is compared the same way later.
import { ClientBase } from 'pg';
import { LiveTable, readEnums, readTables } from '../catalog/read-schema';
import { EnumModel, ForeignKeyModel, SqlType } from '../schema/schema-model';
import { parseSqlType } from '../sql/sql-type';
import { identifierProblem, quoteIdentifier } from '../sql/identifier';
import { LegacyOwnership } from './legacy-ownership';
import { unmodelled, UnmodelledObject } from './unmodelled';
import { EnumUser, enumUsers } from './enum-users';

export interface IntrospectProps {
  readonly service: string;
  /** Where the legacy tables are. @default public */
  readonly legacySchema?: string;
  /** The tables the service will own. */
  readonly tables: readonly string[];
  /** Every legacy table's owner that is known (the mapping, and tables already in code): decides which foreign keys cross services. */
  readonly owners: LegacyOwnership;
}

/** A foreign key into another service's table: in code it becomes an application-level reference. */
export interface CrossServiceReference {
  readonly table: string;
  readonly foreignKey: ForeignKeyModel;
  readonly targetService: string;
}

export interface Introspection {
  readonly service: string;
  readonly legacySchema: string;
  /** The service's tables, each after the tables its foreign keys point to. */
  readonly tables: readonly LiveTable[];
  /** The enum types the tables' columns use. */
  readonly enums: readonly EnumModel[];
  readonly crossService: readonly CrossServiceReference[];
  /** What the model cannot express, one sentence each naming the table: never dropped silently. */
  readonly unexpressed: readonly string[];
  /** The columns, indexes and constraints those sentences are about: the writer marks or leaves them out, never writes them as something else. */
  readonly unmodelledObjects: readonly UnmodelledObject[];
}

export class IntrospectError extends Error {}

/** The column's type as data, an enum of the legacy schema recognized as one. */
export function legacyType(text: string, legacySchema: string, enums: readonly EnumModel[]): SqlType | { problem: string } {
  const type = parseSqlType(text, (schema, name) => schema === legacySchema && enums.some((e) => e.name === name));
  // Read with the legacy schema on the path, its enums print unqualified (`kline_interval`).
  if (!('problem' in type) && type.kind === 'named' && type.names.length === 1 && !type.params && enums.some((e) => e.name === type.names[0])) {
    return { kind: 'enum', schema: legacySchema, name: type.names[0], ...(type.array ? { array: true } : {}) };
  }
  return type;
}

/** Tables ordered so every table comes after the tables of the same service its foreign keys reference. */
function dependencyOrder(tables: readonly LiveTable[]): LiveTable[] {
  const names = new Set(tables.map((t) => t.name));
  const done = new Set<string>();
  const ordered: LiveTable[] = [];
  const visit = (table: LiveTable, path: readonly string[]): void => {
    if (done.has(table.name) || path.includes(table.name)) return;
    for (const fk of table.foreignKeys) {
      const target = tables.find((t) => t.name === fk.references.table && names.has(t.name));
      if (target && target.name !== table.name) visit(target, [...path, table.name]);
    }
    done.add(table.name);
    ordered.push(table);
  };
  for (const table of [...tables].sort((a, b) => a.name.localeCompare(b.name))) visit(table, []);
  return ordered;
}

/** Foreign-key problems: cycles and self references cannot be declared with `ref()`. */
function foreignKeyFindings(tables: readonly LiveTable[], props: IntrospectProps, legacySchema: string): { crossService: CrossServiceReference[]; unexpressed: string[] } {
  const crossService: CrossServiceReference[] = [];
  const unexpressed: string[] = [];
  const order = dependencyOrder(tables).map((t) => t.name);
  for (const table of tables) {
    for (const fk of table.foreignKeys) {
      const target = fk.references;
      const owner = target.schema === legacySchema ? props.owners.get(target.table) : undefined;
      if (target.schema !== legacySchema) unexpressed.push(`table ${table.name} has foreign key ${fk.name} into ${target.schema}.${target.table}, outside the legacy schema: the model references tables of the services only`);
      else if (owner === undefined) unexpressed.push(`table ${table.name} has foreign key ${fk.name} into ${target.table}, which the mapping gives to no service: add ${target.table} to the ownership file`);
      else if (owner !== props.service) crossService.push({ table: table.name, foreignKey: fk, targetService: owner });
      else if (target.table === table.name) unexpressed.push(`table ${table.name} has foreign key ${fk.name} into itself: a table cannot reference itself in the model`);
      else if (order.indexOf(target.table) > order.indexOf(table.name)) unexpressed.push(`table ${table.name} has foreign key ${fk.name} into ${target.table}, which references ${table.name} back: the model cannot declare a cycle of foreign keys`);
    }
  }
  return { crossService, unexpressed };
}

/** The enum types the tables use, and columns whose enum type is outside the legacy schema. */
function enumsUsed(tables: readonly LiveTable[], legacySchema: string, allEnums: readonly EnumModel[]): EnumModel[] {
  const used = new Set<string>();
  for (const table of tables) {
    for (const column of table.columns) {
      const type = legacyType(column.type, legacySchema, allEnums);
      if (!('problem' in type) && type.kind === 'enum') used.add(type.name);
    }
  }
  return allEnums.filter((e) => used.has(e.name));
}

/** An enum the service's tables share with a column that is not theirs: an enum has one owner. */
function sharedEnumFinding(user: EnumUser): string {
  return `enum ${user.enumName} is also used by ${user.usedBy}, which is not this service's: an enum belongs to one service (give that column a type of its own first)`;
}

/** Enum names the model refuses (no acknowledgement can excuse them, unlike a table's or a column's). */
function enumNameProblems(enums: readonly EnumModel[]): string[] {
  return enums.flatMap((e) => {
    const problem = identifierProblem(e.name);
    return problem ? [`enum ${e.name}: ${problem}; rename the type in the legacy schema first`] : [];
  });
}

/**
 * Reads `props.tables` from the legacy schema in one read-only snapshot, with the legacy schema
 * (then public) on the path: the catalog prints its own objects unqualified (`'1m'::kline_interval`),
 * as the code should say them, and no SQL text is rewritten to get there.
 */
export async function introspect(client: ClientBase, props: IntrospectProps): Promise<Introspection> {
  const legacySchema = props.legacySchema ?? 'public';
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    await client.query(`SET LOCAL search_path = pg_catalog, ${quoteIdentifier(legacySchema)}, public, pg_temp`);
    // Only the service's tables are read (a 1,000-table schema is read six times over otherwise).
    const [read, allEnums] = await Promise.all([readTables(client, legacySchema, props.tables), readEnums(client, legacySchema)]);
    const missing = props.tables.filter((name) => !read.some((t) => t.name === name));
    if (missing.length > 0) {
      const have = (
        await client.query<{ name: string }>(`SELECT relname AS name FROM pg_catalog.pg_class WHERE relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1) AND relkind IN ('r', 'p') ORDER BY 1`, [legacySchema])
      ).rows.map((r) => r.name);
      throw new IntrospectError(
        `${props.service}: ${missing.map((m) => `table ${m}`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} not in schema ${legacySchema} ` +
          `(it holds ${have.length === 0 ? 'no tables' : have.slice(0, 20).join(', ') + (have.length > 20 ? ', ...' : '')}): check the names, or give --schema`,
      );
    }
    const tables = dependencyOrder(read);
    const enums = enumsUsed(tables, legacySchema, allEnums);
    const shared = await enumUsers(client, legacySchema, enums.map((e) => e.name), props.tables);
    const keys = foreignKeyFindings(tables, props, legacySchema);
    const found = await unmodelled(client, legacySchema, props.tables);
    await client.query('COMMIT');
    return {
      service: props.service,
      legacySchema,
      tables,
      enums,
      crossService: keys.crossService,
      unexpressed: [...found.findings, ...keys.unexpressed, ...shared.map(sharedEnumFinding), ...enumNameProblems(enums)],
      unmodelledObjects: found.objects,
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
