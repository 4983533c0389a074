// An app as the command line sees it: its services, their table definitions, its
// environments and where each service keeps its migrations.
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import { EnvironmentConfig } from './stacks/environment';
import { DefineTables } from './stacks/define-environment';
import { ServiceStack } from './stacks/service-stack';
import { schemaName, ServiceRegistry } from './services/service-registry';
import { MigrationDirectory } from './migrations/migration-directory';
import { ServiceSchema } from './migrations/service-schema';

export interface BedrockProject {
  readonly registry: ServiceRegistry;
  readonly tables: Readonly<Record<string, DefineTables>>;
  readonly environments: readonly EnvironmentConfig[];
  /** The folder of a service's migrations, e.g. `stacks/<service>/migrations`. */
  migrationsDirectory(service: string): string;
}

/**
 * The schema `service` defines, built in a scratch app. Validated against the oldest
 * PostgreSQL version any environment targets, so a migration fits every environment.
 */
export function modelOf(project: BedrockProject, service: string): ServiceSchema {
  return serviceStacksOf(project, [service])[0].schemaModel();
}

/**
 * The services' stacks with their tables defined, in a scratch app that is never synthesized
 * (validated against the oldest PostgreSQL version any environment targets).
 */
export function serviceStacksOf(project: BedrockProject, services: readonly string[] = project.registry.names): ServiceStack[] {
  const versions = project.environments.map((e) => e.postgresVersion ?? 14);
  const environment: EnvironmentConfig = {
    name: 'model',
    connection: { database: 'model', username: 'model' },
    services: project.registry.names,
    postgresVersion: versions.length > 0 ? Math.min(...versions) : undefined,
  };
  // cdktf creates the app's output folder up front, even though nothing is written there.
  const app = new App({ outdir: path.join(tmpdir(), 'bedrock-model') });
  return services.map((service) => {
    project.registry.get(service);
    const define = project.tables[service];
    if (!define) throw new Error(`Service "${service}" has no table definitions: add it to the tables map`);
    const stack = new ServiceStack(app, { service, environment, registry: project.registry });
    define(stack);
    return stack;
  });
}

export function migrationDirectoryOf(project: BedrockProject, service: string): MigrationDirectory {
  project.registry.get(service);
  return new MigrationDirectory(project.migrationsDirectory(service), service, schemaName(service));
}
