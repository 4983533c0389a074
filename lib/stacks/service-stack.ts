// One service's stack in one environment (e.g. `prod-datahub`): the service's tables are
// defined in it, and it holds the privileges on those tables. Only the owner's stack grants
// on its schema's tables, so no two stacks ever grant on the same object.
import { Construct } from 'constructs';
import { Aspects, DefaultPrivileges, Grant, GrantRole, Lazy, Role, TerraformOutput, TerraformResource } from '../cdk';
import { accessLines, ColumnReadGrant, columnReadLines, columnReads as columnReads_, RoleAccess, sharedWriterRoleName, tableAccess, WRITER_SEQUENCE_PRIVILEGES, WRITER_TABLE_PRIVILEGES } from './access-policy';
import { DirectoryState, MigrationDirectory } from '../migrations/migration-directory';
import { migrationFolderProblems } from '../migrations/folder-check';
import { ServiceSchema } from '../migrations/service-schema';
import type { ReleasedTable } from '../schema/schema-model';
import { ServiceMigrations } from '../migrations/service-migrations';
import { configureBackend } from './backend';
import { BedrockStack } from './bedrock-stack';
import { DEFAULT_POSTGRES_VERSION, EnvironmentConfig, environmentProblems, runnerSettingsOf } from './environment';
import { postgresProvider } from './postgres-provider';
import { ResourceChain } from './resource-chain';
import { EnumType } from '../model/enum-type';
import { ISchemaScope, markSchemaScope } from '../model/schema-scope';
import { Table } from '../model/table';
import { EnumModel, TableModel } from '../model/table-model';
import { appRoleName, ownerRoleName, schemaName, ServiceRegistry } from '../services/service-registry';
import { schemaProblems } from './schema-validation';
import { BedrockRules } from '../rules/rule-pack';

export interface ServiceStackProps {
  /** The owning service; must be registered and listed in the environment. */
  readonly service: string;
  readonly environment: EnvironmentConfig;
  readonly registry: ServiceRegistry;
  /**
   * The service's migrations folder. When given, the plan applies its migrations and synth
   * fails when the folder is inconsistent or the tables differ from its last snapshot.
   * @default no migrations (tables are modelled only)
   */
  readonly migrationsDirectory?: string;
}

/** The stack id of a service in an environment, e.g. `prod-datahub`. */
export function serviceStackId(environment: string, service: string): string {
  return `${environment}-${service}`;
}

export class ServiceStack extends BedrockStack implements ISchemaScope {
  readonly service: string;
  readonly schemaName: string;
  readonly postgresVersion: number;
  readonly environment: EnvironmentConfig;

  constructor(scope: Construct, props: ServiceStackProps) {
    const id = serviceStackId(props.environment.name, props.service);
    super(scope, id);
    const problems = environmentProblems(props.environment, props.registry);
    if (!props.registry.has(props.service)) problems.push(`service "${props.service}" is not registered: add it to the service registry`);
    else if (!props.environment.services.includes(props.service)) problems.push(`service "${props.service}" is not in this environment's services: add it there`);
    if (problems.length > 0) throw new Error(`${this.node.path}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);

    this.service = props.service;
    this.schemaName = schemaName(props.service);
    this.environment = props.environment;
    this.postgresVersion = props.environment.postgresVersion ?? DEFAULT_POSTGRES_VERSION;
    markSchemaScope(this);
    Aspects.of(this).add(new BedrockRules(props.registry));
    // Shared-write exceptions depend on the tables, which are defined after the stack is
    // constructed: their resources join the grant chain when aspects run, before synthesis.
    let sharedWritesAdded = false;
    Aspects.of(this).add({
      visit: (node) => {
        if (node !== this || sharedWritesAdded) return;
        sharedWritesAdded = true;
        this.sharedWriteGrants();
      },
    });
    configureBackend(this, id, props.environment.backend ?? { type: 'local' });
    postgresProvider(this, 'postgresql', props.environment.connection);
    const access = tableAccess(this.service, props.environment.services, props.registry);
    const columnReads = columnReads_(this.service, props.environment.services, props.registry);
    const defaults = this.defaultPrivileges(access);
    if (props.migrationsDirectory !== undefined) {
      const directory = new MigrationDirectory(props.migrationsDirectory, this.service, this.schemaName);
      const state = directory.read();
      this.migrations = new ServiceMigrations(this, 'migrations', {
        service: this.service,
        ownerRole: ownerRoleName(this.service),
        migrations: state.migrations,
        allowDowngrades: props.environment.allowDowngrades ?? false,
        settings: runnerSettingsOf(props.environment),
        dependsOn: defaults.tail ? [defaults.tail] : [],
      });
      this.node.addValidation({ validate: () => this.migrationProblems(directory, state, props.registry) });
    }
    this.grantChain = this.grants(access, columnReads, this.migrations?.head ?? defaults.tail);
    new TerraformOutput(this, 'tables', {
      description: `Tables owned by ${props.service}`,
      value: Lazy.listValue({ produce: () => this.tables.map((t) => t.qualifiedName) }),
    });
    // The plan shows every privilege change as a change of this list.
    new TerraformOutput(this, 'access', {
      // Said in the plan: the provider replaces a table grant whose objects change (revoke, then grant).
      description: `Who may do what on ${props.service}'s tables. A change to a role's list of tables replaces its grant: that role loses the tables it keeps for a moment during the apply`,
      value: Lazy.listValue({ produce: () => this.accessLines() }),
    });
    this.accessLines = () => [...accessLines(this.schemaName, access), ...columnReadLines(this.schemaName, columnReads), ...this.sharedWriteLines()].sort();
    this.node.addValidation({ validate: () => schemaProblems(this.tableModels(), this.enumModels()) });
  }

  /** Who may do what on this service's tables, one line per grant: the plan's `access` output (and docs/ACCESS.md). */
  readonly accessLines: () => string[];

  /** The tables defined in this stack. */
  get tables(): Table[] {
    return this.node.findAll().filter((c): c is Table => c instanceof Table);
  }

  /** The enum types defined in this stack. */
  get enums(): EnumType[] {
    return this.node.findAll().filter((c): c is EnumType => c instanceof EnumType);
  }

  tableModels(): TableModel[] {
    return this.tables.map((t) => t.toModel());
  }

  enumModels(): EnumModel[] {
    return this.enums.map((e) => e.toModel());
  }

  /** The service's whole schema as the code defines it: what migrations are generated from. */
  schemaModel(): ServiceSchema {
    const released = this.releasedTables();
    return { service: this.service, schema: this.schemaName, enums: this.enumModels(), tables: this.tableModels(), ...(released.length > 0 ? { released } : {}) };
  }

  /**
   * The tables another service of the app declares `transferredFrom` this one: the transition
   * that takes one out of this schema releases it instead of dropping it.
   */
  private releasedTables(): ReleasedTable[] {
    const siblings = (this.node.scope?.node.children ?? []).filter((c): c is ServiceStack => c instanceof ServiceStack && c !== this);
    return siblings.flatMap((stack) =>
      stack.tables
        .filter((t) => t.transferredFrom?.service === this.service)
        .map((t) => ({
          table: t.name,
          service: stack.service,
          schema: stack.schemaName,
          // Its enums, declared by the taker now: they move with it (generate refuses while this service still declares one).
          types: [...new Set(t.toModel().columns.flatMap((c) => (c.type.kind === 'enum' && c.type.schema === stack.schemaName ? [c.type.name] : [])))].sort(),
        })),
    );
  }

  /** The migrations of this service in the plan, when the stack has a migrations folder. */
  readonly migrations?: ServiceMigrations;
  private readonly grantChain: ResourceChain;


  /**
   * Per shared-write exception: a role of its own holding DML on that one table (a grant with
   * objects, which revokes only what it lists), and the writer's app role made its member. A
   * second schema-wide grant for the writer would undo the reader grant (the provider's REVOKE ALL).
   */
  private sharedWriteGrants(): void {
    const database = this.environment.connection.database;
    for (const table of this.tables) {
      for (const writer of table.sharedWriters) {
        const role = sharedWriterRoleName(writer.service, table.name);
        const id = `shared_write_${writer.service}_${table.name}`;
        this.grantChain.add(new Role(this, `${id}_role`, { name: role, login: false }));
        this.grantChain.add(new Grant(this, `${id}_grant`, { database, schema: this.schemaName, role, objectType: 'table', objects: [table.name], privileges: [...WRITER_TABLE_PRIVILEGES] }));
        // Serial columns draw from sequences that need USAGE (identity columns do not).
        const sequences = table.toModel().columns.filter((c) => c.serial).map((c) => `${table.name}_${c.name}_seq`);
        if (sequences.length > 0) {
          this.grantChain.add(new Grant(this, `${id}_sequences`, { database, schema: this.schemaName, role, objectType: 'sequence', objects: sequences, privileges: [...WRITER_SEQUENCE_PRIVILEGES] }));
        }
        this.grantChain.add(new GrantRole(this, `${id}_member`, { role: appRoleName(writer.service), grantRole: role }));
      }
    }
  }

  private sharedWriteLines(): string[] {
    return this.tables.flatMap((t) =>
      t.sharedWriters.map((w) => `${sharedWriterRoleName(w.service, t.name)} (member: ${appRoleName(w.service)}): ${WRITER_TABLE_PRIVILEGES.join(', ')} on table ${t.qualifiedName}`),
    );
  }

  private migrationProblems(directory: MigrationDirectory, state: DirectoryState, registry: ServiceRegistry): string[] {
    // cdktf prefixes each message with this stack's path.
    return migrationFolderProblems(directory, state, this.schemaModel(), registry);
  }

  /**
   * Default privileges come first, so a table is usable the moment a migration creates it.
   * One resource per (role, object type), chained: the count grows with services, not tables.
   */
  private defaultPrivileges(access: readonly RoleAccess[]): ResourceChain {
    const database = this.environment.connection.database;
    const owner = ownerRoleName(this.service);
    const chain = new ResourceChain();
    // A reader limited to declared tables gets no default: a new table stays unreadable to it.
    for (const { role, tables, sequences } of access.filter((a) => a.objects === undefined)) {
      chain.add(new DefaultPrivileges(this, `default_tables_${role}`, { database, owner, schema: this.schemaName, role, objectType: 'table', privileges: [...tables] }));
      if (sequences.length > 0) {
        chain.add(new DefaultPrivileges(this, `default_sequences_${role}`, { database, owner, schema: this.schemaName, role, objectType: 'sequence', privileges: [...sequences] }));
      }
    }
    return chain;
  }

  /**
   * Schema-wide grants on the tables that exist, after the migrations created them. Column read
   * contracts come first: a reader moving a table from a whole-table read to columns keeps the
   * columns throughout (its role has them before the table grant is revoked).
   */
  private grants(access: readonly RoleAccess[], columnReads: readonly ColumnReadGrant[], after: TerraformResource | undefined): ResourceChain {
    const database = this.environment.connection.database;
    const chain = new ResourceChain(after);
    for (const read of columnReads) {
      const id = `column_read_${read.reader}_${read.table}`;
      chain.add(new Role(this, `${id}_role`, { name: read.role, login: false }));
      // One resource per column: the provider replaces a grant whose columns change (a revoke,
      // then a grant); per column, adding or removing one touches no other.
      for (const column of read.columns) {
        chain.add(new Grant(this, `${id}_${column}`, { database, schema: this.schemaName, role: read.role, objectType: 'column', objects: [read.table], columns: [column], privileges: ['SELECT'] }));
      }
      chain.add(new GrantRole(this, `${id}_member`, { role: appRoleName(read.reader), grantRole: read.role }));
    }
    for (const { role, tables, sequences, objects } of access) {
      chain.add(new Grant(this, `tables_${role}`, { database, schema: this.schemaName, role, objectType: 'table', privileges: [...tables], ...(objects ? { objects: [...objects] } : {}) }));
      if (sequences.length > 0) {
        chain.add(new Grant(this, `sequences_${role}`, { database, schema: this.schemaName, role, objectType: 'sequence', privileges: [...sequences] }));
      }
    }
    return chain;
  }
}
