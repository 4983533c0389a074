// The services allowed to own tables. The app declares its registry once (adding a service
// is one line); stacks and checks look services up here.
import { identifierProblem } from '../sql/identifier';

export interface ServiceDefinition {
  /** The service's name: its schema, its roles' prefix and its stacks' suffix (snake_case). */
  readonly name: string;
  /** The team that owns it, as CODEOWNERS names it (e.g. `@bedrock/datahub`). */
  readonly team: string;
  /** One line on what the service does. */
  readonly description?: string;
  /**
   * The other services' tables this service reads, as `<service>.<table>`. When given, its
   * app role may SELECT only those; when absent, every other service's table (the seed's
   * default: "All services can read from any table").
   */
  readonly reads?: readonly string[];
}

/** The registered services, in a fixed order. */
export class ServiceRegistry {
  private readonly services: ReadonlyMap<string, ServiceDefinition>;

  constructor(definitions: readonly ServiceDefinition[]) {
    const problems: string[] = [];
    const services = new Map<string, ServiceDefinition>();
    for (const definition of definitions) {
      const problem = identifierProblem(definition.name);
      if (problem) problems.push(`service name: ${problem}`);
      // Role names are <service>_owner and <service>_app: both must fit in 63 bytes.
      else if (Buffer.byteLength(definition.name) > 57) problems.push(`service "${definition.name}": the name must be at most 57 bytes so that "${definition.name}_owner" fits`);
      if (services.has(definition.name)) problems.push(`service "${definition.name}" is registered twice`);
      if (!definition.team || definition.team.trim() === '') problems.push(`service "${definition.name}": give the owning team (e.g. "@org/${definition.name}")`);
      services.set(definition.name, definition);
    }
    if (problems.length > 0) throw new Error(`ServiceRegistry:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.services = services;
  }

  /** Registered service names, in registration order. */
  get names(): readonly string[] {
    return [...this.services.keys()];
  }

  has(name: string): boolean {
    return this.services.has(name);
  }

  /** The definition of `name`; throws naming the registered services when it is unknown. */
  get(name: string): ServiceDefinition {
    const definition = this.services.get(name);
    if (!definition) throw new Error(`Unknown service "${name}": register it in the service registry (registered: ${this.names.join(', ')})`);
    return definition;
  }
}

/** The role a service's tables belong to; migrations run as it. NOLOGIN. */
export function ownerRoleName(service: string): string {
  return `${service}_owner`;
}

/** The role a service connects as: DML on its own tables, SELECT on the others'. */
export function appRoleName(service: string): string {
  return `${service}_app`;
}

/** Each service's tables live in a schema named after the service. */
export function schemaName(service: string): string {
  return service;
}
