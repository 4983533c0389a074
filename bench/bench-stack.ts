// A lone service stack for benchmarks that model tables without a whole app.
import { App } from '../lib/cdk';
import { ServiceRegistry, ServiceStack } from '../lib';

export function serviceStackForBench(service: string): ServiceStack {
  const registry = new ServiceRegistry([{ name: service, team: `@bench/${service}` }]);
  const environment = { name: 'bench', connection: { database: 'bench', username: 'deployer' }, services: [service] };
  return new ServiceStack(new App({ outdir: '/tmp/bedrock-bench-unused' }), { service, environment, registry });
}
