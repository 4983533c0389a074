// Project Bedrock in one call: every environment, each a platform stack and a stack per
// service, with the tables defined under stacks/<service>/.
import { App } from 'cdktf';
import { defineEnvironment, EnvironmentStacks } from '../lib';
import { bedrockEnvironments } from './environments';
import { bedrockServices } from './services';
import { bedrockTables } from './tables';

export function defineBedrock(app: App): EnvironmentStacks[] {
  return bedrockEnvironments.map((environment) => defineEnvironment(app, { environment, registry: bedrockServices, tables: bedrockTables }));
}
