// Composes one environment: its platform stack and a stack per service it runs, each
// service's tables defined by the function the app registers for it.
import { Construct } from 'constructs';
import { EnvironmentConfig } from './environment';
import { PlatformStack } from './platform-stack';
import { ServiceStack } from './service-stack';
import { ServiceRegistry } from '../services/service-registry';

/** Defines a service's tables inside its stack. */
export type DefineTables = (stack: ServiceStack) => void;

export interface EnvironmentStacksProps {
  readonly environment: EnvironmentConfig;
  readonly registry: ServiceRegistry;
  /** For each service, the function that defines its tables. */
  readonly tables: Readonly<Record<string, DefineTables>>;
  /**
   * Where each service keeps its migrations; when given, the stacks apply them.
   * @default no migrations
   */
  readonly migrationsDirectory?: (service: string) => string;
}

export interface EnvironmentStacks {
  readonly platform: PlatformStack;
  readonly services: readonly ServiceStack[];
}

export function defineEnvironment(scope: Construct, props: EnvironmentStacksProps): EnvironmentStacks {
  const platform = new PlatformStack(scope, { environment: props.environment, registry: props.registry });
  const services = props.environment.services.map((service) => {
    const define = props.tables[service];
    if (!define) throw new Error(`Environment "${props.environment.name}": service "${service}" has no table definitions: add it to the tables map`);
    const stack = new ServiceStack(scope, {
      service,
      environment: props.environment,
      registry: props.registry,
      migrationsDirectory: props.migrationsDirectory?.(service),
    });
    stack.addDependency(platform);
    define(stack);
    return stack;
  });
  orderTransfers(services);
  return { platform, services };
}

/**
 * A service that takes a table (`transferredFrom`) deploys after the one that gives it: its
 * adopt waits for the giver's release. Not when the giver already waits for the taker (a table
 * moving each way): the runner still refuses an adopt whose release is not applied.
 */
function orderTransfers(services: readonly ServiceStack[]): void {
  for (const taker of services) {
    const givers = new Set(taker.tables.flatMap((t) => (t.transferredFrom ? [t.transferredFrom.service] : [])));
    for (const giver of services.filter((s) => givers.has(s.service))) {
      if (!giver.dependencies.includes(taker)) taker.addDependency(giver);
    }
  }
}
