// The services allowed to own tables. The app declares its registry once (adding a service
// is one line); stacks and checks look services up here.
import { identifierProblem } from '../sql/identifier';
import { ReadContract, readContract, ReadDeclaration, readDeclarationProblems } from './read-contract';

export interface ServiceDefinition {
  /** The service's name: its schema, its roles' prefix and its stacks' suffix (snake_case). */
  readonly name: string;
  /** The team that owns it, as CODEOWNERS names it (e.g. `@bedrock/datahub`). */
  readonly team: string;
  /** One line on what the service does. */
  readonly description?: string;
  /**
   * The other services' tables this service reads: `<service>.<table>` for a whole table, or
   * `{ table: '<service>.<table>', columns: [...] }` for some of its columns (a read contract:
   * the owner may not drop, rename or retype them). When given, its app role may SELECT only
   * those tables; when absent, every other service's table (the seed's default: "All services
   * can read from any table").
   */
  readonly reads?: readonly ReadDeclaration[];
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
      if (definition.reads !== undefined && !Array.isArray(definition.reads)) problems.push(`service "${definition.name}": reads must be a list, e.g. ['datahub.klines']`);
      else {
        for (const read of definition.reads ?? []) problems.push(...readDeclarationProblems(definition.name, read));
        const tables = (definition.reads ?? []).map((read) => (typeof read === 'string' ? read : (read as { table?: unknown })?.table));
        const twice = tables.find((table, i) => typeof table === 'string' && tables.indexOf(table) !== i);
        if (twice) problems.push(`service "${definition.name}" declares it reads ${twice} twice: keep one declaration (the whole table, or its columns)`);
      }
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

  /** What `name` declares it reads, normalized; undefined when it declares nothing (it reads every table). */
  readsOf(name: string): readonly ReadContract[] | undefined {
    return this.get(name).reads?.map(readContract);
  }

  /** Every column read contract on `table` (`<service>.<table>`): who reads which columns. */
  columnReadersOf(table: string): { readonly service: string; readonly columns: readonly string[] }[] {
    return this.names.flatMap((service) => (this.readsOf(service) ?? []).filter((r) => r.table === table && r.columns).map((r) => ({ service, columns: r.columns! })));
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
