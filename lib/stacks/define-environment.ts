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
  return { platform, services };
}
