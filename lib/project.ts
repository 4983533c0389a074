// An app as the command line sees it: its services, their table definitions, its
// environments and where each service keeps its migrations.
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from './cdk';
import { EnvironmentConfig } from './stacks/environment';
import { DefineTables } from './stacks/define-environment';
import { ServiceStack } from './stacks/service-stack';
import { schemaName, ServiceRegistry } from './services/service-registry';
import { COMMAND, MigrationDirectory } from './migrations/migration-directory';
import { ServiceSchema } from './migrations/service-schema';
import { modelFindings } from './rules/model-findings';
import { PROJECT_ROOT_CONTEXT } from './rules/project-root';

export interface BedrockProject {
  readonly registry: ServiceRegistry;
  readonly tables: Readonly<Record<string, DefineTables>>;
  readonly environments: readonly EnvironmentConfig[];
  /** The folder of a service's migrations, e.g. `stacks/<service>/migrations`. */
  migrationsDirectory(service: string): string;
  /**
   * The project's folder in its git clone, where docs/ is (the review reads its base there; the
   * rule pack finds decision records in docs/adr/ there; `adr new` writes them there).
   * @default the working directory
   */
  readonly root?: string;
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
  // cdktf creates the app's output folder up front, even though nothing is written there. The
  // rule pack looks up linked files (decision records) in the project's folder.
  const app = new App({ outdir: path.join(tmpdir(), 'bedrock-model'), ...(project.root !== undefined ? { context: { [PROJECT_ROOT_CONTEXT]: project.root } } : {}) });
  return services.map((service) => {
    project.registry.get(service);
    const define = project.tables[service];
    if (!define) throw new Error(`Service "${service}" has no table definitions: add it to the tables map`);
    const stack = new ServiceStack(app, { service, environment, registry: project.registry });
    define(stack);
    return stack;
  });
}

/** Every service's stack, built once in one scratch app: their schemas and what synth would refuse. */
export interface ProjectModel {
  /** The schema `service` defines, as `modelOf` builds it. */
  schemaOf(service: string): ServiceSchema;
  /**
   * What synth would refuse in the constructs of `services` (default: all), each line naming
   * the construct, e.g. `model-portfolio/trades: [BEDROCK-O3] ...`. Rules across services see
   * the tables of every service.
   */
  findings(services?: readonly string[]): string[];
}

export function projectModel(project: BedrockProject): ProjectModel {
  const stacks = serviceStacksOf(project);
  const stackOf = (service: string): ServiceStack => {
    project.registry.get(service);
    return stacks.find((stack) => stack.service === service)!;
  };
  return {
    schemaOf: (service) => stackOf(service).schemaModel(),
    findings: (services = project.registry.names) => modelFindings(services.map(stackOf), project.registry),
  };
}

/**
 * The environment a command-line migration runs for: named, existing and running `service`.
 * Its timeouts, retries and offline limit are the ones its deploys use.
 */
export function environmentFor(
  project: BedrockProject,
  name: string,
  service: string,
  which = `environments: ${project.environments.map((e) => e.name).join(', ') || 'none'}`,
): { environment: EnvironmentConfig } | { refusal: string } {
  const environment = project.environments.find((e) => e.name === name);
  if (!environment) return { refusal: `${service}: there is no environment "${name}" (${which})` };
  if (!environment.services.includes(service)) return { refusal: `${service}: environment "${name}" does not run service ${service} (its services: ${environment.services.join(', ')})` };
  return { environment };
}

/**
 * The environment a command-line rollback of `service` runs for, or why it may not: it must be
 * named, exist, deploy the service and allow downgrades, as the runner started by Terraform
 * demands (`allowDowngrades` in the environments list, stacks/environments.ts).
 */
export function downgradeEnvironment(project: BedrockProject, name: string | undefined, service: string): { environment: EnvironmentConfig } | { refusal: string } {
  const names = project.environments.map((e) => e.name);
  const allowing = project.environments.filter((e) => e.allowDowngrades).map((e) => e.name);
  const which = `environments: ${names.join(', ') || 'none'}; downgrades allowed in: ${allowing.join(', ') || 'none'}`;
  if (name === undefined) return { refusal: `${service}: say which environment the database belongs to with --env <name> (${which}): a rollback runs only where its environment allows downgrades` };
  const found = environmentFor(project, name, service, which);
  if ('refusal' in found) return found;
  const { environment } = found;
  if (!environment.allowDowngrades) {
    return {
      refusal:
        `${service}: environment "${name}" does not allow downgrades (allowDowngrades is not set on its row in stacks/environments.ts), so no migration is rolled back there. ` +
        `Undo the change with a new migration (\`${COMMAND} generate ${service} <description>\`), or roll back where downgrades are allowed (${allowing.join(', ') || 'none'})`,
    };
  }
  return { environment };
}

export function migrationDirectoryOf(project: BedrockProject, service: string): MigrationDirectory {
  project.registry.get(service);
  return new MigrationDirectory(project.migrationsDirectory(service), service, schemaName(service));
}
