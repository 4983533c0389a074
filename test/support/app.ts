// Builds small apps for unit tests: an environment, a registry and a service stack to put
// tables in, without the rest of Project Bedrock.
import { App, Testing } from '../../lib/cdk';
import { EnvironmentConfig, ServiceRegistry, ServiceStack } from '../../lib';

export const testRegistry = new ServiceRegistry([
  { name: 'datahub', team: '@test/datahub' },
  { name: 'portfolio', team: '@test/portfolio' },
  { name: 'mlops', team: '@test/mlops' },
]);

export function testEnvironment(overrides: Partial<EnvironmentConfig> = {}): EnvironmentConfig {
  return {
    name: 'test',
    connection: { host: 'localhost', port: 5432, database: 'bedrock_db', username: 'deployer', sslMode: 'disable' },
    services: testRegistry.names,
    ...overrides,
  };
}

/** A fresh app with one service stack (default: datahub) to define tables in. */
export function serviceStack(service = 'datahub', environment: Partial<EnvironmentConfig> = {}): { app: App; stack: ServiceStack } {
  const app = Testing.app();
  const stack = new ServiceStack(app, { service, environment: testEnvironment(environment), registry: testRegistry });
  return { app, stack };
}

/** What `app.synth()` fails with ('' when it succeeds): validation errors name construct paths. */
export function synthError(app: App): string {
  try {
    app.synth();
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}
