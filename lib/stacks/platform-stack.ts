// The platform stack of one environment: the database (optionally), an owner role and an app
// role per service, one schema per service and its backup schema, database and schema
// privileges, extensions.
// Service stacks depend on it; it knows nothing about tables.
import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { Database, Extension, Grant, GrantRole, Role, Schema, TerraformOutput } from '../cdk';
import { configureBackend } from './backend';
import { BedrockStack } from './bedrock-stack';
import { EnvironmentConfig, environmentProblems } from './environment';
import { postgresProvider } from './postgres-provider';
import { ResourceChain } from './resource-chain';
import { appRoleName, ownerRoleName, schemaName, ServiceRegistry } from '../services/service-registry';
import { identifierError, identifierProblem } from '../sql/identifier';
import { backupSchemaName } from '../runner/backup-names';

export interface PlatformStackProps {
  readonly environment: EnvironmentConfig;
  readonly registry: ServiceRegistry;
}

/**
 * A construct id for a legacy role: its name where that is a plain identifier, else the name made
 * plain plus a hash of the real one, so two names never share an id (`legacy-app`, `legacy_app`).
 */
function legacyRoleId(role: string): string {
  if (/^[A-Za-z0-9_]+$/.test(role)) return role;
  return `${role.replace(/[^A-Za-z0-9_]/g, '_')}_${createHash('sha256').update(role).digest('hex').slice(0, 8)}`;
}

/** The stack id of an environment's platform stack, e.g. `prod-platform`. */
export function platformStackId(environment: string): string {
  return `${environment}-platform`;
}

/**
 * Each service's backup schema must be a name PostgreSQL keeps whole, and no other service's
 * schema: a service named `datahub_backup` beside `datahub` would share it.
 */
function backupSchemaProblems(services: readonly string[]): string[] {
  return services.flatMap((service) => {
    const name = backupSchemaName(service);
    const problem = identifierError(name);
    if (problem) return [`service "${service}": its backup schema ${problem.replace(/choose a shorter name$/, 'choose a shorter service name')}`];
    const owner = services.find((other) => schemaName(other) === name);
    return owner ? [`service "${service}": its backup schema "${name}" is the schema of service "${owner}": rename one of them`] : [];
  });
}

export class PlatformStack extends BedrockStack {
  readonly environment: EnvironmentConfig;

  constructor(scope: Construct, props: PlatformStackProps) {
    const id = platformStackId(props.environment.name);
    super(scope, id);
    const problems = environmentProblems(props.environment, props.registry);
    for (const extension of props.environment.extensions ?? []) {
      const problem = identifierProblem(extension.replace(/-/g, '_'));
      if (problem) problems.push(`extension "${extension}": ${problem}`);
    }
    problems.push(...backupSchemaProblems(props.environment.services ?? []));
    if (problems.length > 0) throw new Error(`${this.node.path}: environment "${props.environment.name}":\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.environment = props.environment;
    configureBackend(this, id, props.environment.backend ?? { type: 'local' });

    const connection = props.environment.connection;
    postgresProvider(this, 'postgresql', connection);
    const database = connection.database;
    const services = props.environment.services;
    // Everything below is chained: the provider locks per grantee role only, so two grants on
    // the same database or schema for different roles could collide (#178).
    const chain = new ResourceChain();
    if (props.environment.createDatabase) {
      // CREATE DATABASE cannot run in the database it creates: connect to `postgres` for it.
      const maintenance = postgresProvider(this, 'postgresql_maintenance', connection, { database: 'postgres', alias: 'maintenance' });
      chain.add(new Database(this, 'database', { provider: maintenance, name: database, owner: connection.username }));
    }

    const searchPath = services.map(schemaName);
    for (const service of services) {
      // Names, not references: the plan reads as SQL would, and the chain already orders them.
      const owner = ownerRoleName(service);
      chain.add(new Role(this, `${service}_owner_role`, { name: owner, login: false }));
      // The app role logs in; its password is set outside Terraform so it never reaches state.
      chain.add(new Role(this, `${service}_app_role`, { name: appRoleName(service), login: true, searchPath }));
      // The deploying role must be able to SET ROLE to the owner to run migrations as it.
      chain.add(new GrantRole(this, `${service}_owner_deployer`, { role: connection.username, grantRole: owner }));
      chain.add(new Schema(this, `${service}_schema`, { name: schemaName(service), owner, database, ifNotExists: true, dropCascade: false }));
      // Where the runner copies what a migration destroys (lib/runner/backup-copy.ts). Owned by
      // the owner role, which takes the copies; no app role gets USAGE (nor PUBLIC, which a new
      // schema grants nothing), so a dropped column's values never become readable by a
      // service that was not granted them. Made in every environment, backups on or off: an
      // empty schema costs nothing, and turning backups on needs no platform deploy first.
      chain.add(new Schema(this, `${service}_backup_schema`, { name: backupSchemaName(service), owner, database, ifNotExists: true, dropCascade: false }));
    }
    for (const extension of props.environment.extensions ?? []) {
      chain.add(new Extension(this, `extension_${extension.replace(/-/g, '_')}`, { name: extension, database }));
    }

    // Only the listed app roles may connect: PUBLIC's default CONNECT and TEMP are revoked.
    chain.add(new Grant(this, 'database_public_revoke', { database, role: 'public', objectType: 'database', privileges: [] }));
    for (const service of services) {
      chain.add(new Grant(this, `database_connect_${service}`, { database, role: appRoleName(service), objectType: 'database', privileges: ['CONNECT'] }));
    }
    // The old process keeps connecting while its tables are adopted (see EnvironmentConfig.legacyRoles).
    for (const role of props.environment.legacyRoles ?? []) {
      chain.add(new Grant(this, `database_connect_legacy_${legacyRoleId(role)}`, { database, role, objectType: 'database', privileges: ['CONNECT'] }));
    }
    // PostgreSQL 14 lets PUBLIC create tables in schema public (15 no longer does): keep USAGE only,
    // so no app role can create a table outside the owners' schemas.
    chain.add(new Grant(this, 'public_schema_usage_only', { database, schema: 'public', role: 'public', objectType: 'schema', privileges: ['USAGE'] }));
    // Every app role may look up every service's tables (SELECT is granted per table by the owner).
    for (const owner of services) {
      for (const reader of services) {
        chain.add(
          new Grant(this, `schema_usage_${owner}_${reader}`, {
            database,
            schema: schemaName(owner),
            role: appRoleName(reader),
            objectType: 'schema',
            privileges: ['USAGE'],
          }),
        );
      }
    }
    // The plan shows every privilege change as a change of this list.
    new TerraformOutput(this, 'access', {
      description: `Database and schema privileges in ${database}`,
      value: [
        `PUBLIC: no privilege on database ${database}; USAGE only on schema public`,
        ...services.map((s) => `${appRoleName(s)}: CONNECT on database ${database}; USAGE on schemas ${services.map(schemaName).join(', ')}`),
        ...services.map((s) => `${ownerRoleName(s)}: owns schemas ${schemaName(s)}, ${backupSchemaName(s)} (backups, no app role may use it); member: ${connection.username}`),
        ...(props.environment.legacyRoles ?? []).map((role) => `${role} (legacy, until every service is adopted): CONNECT on database ${database}`),
      ],
    });
  }
}
