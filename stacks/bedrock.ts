// Project Bedrock in one call: every environment, each a platform stack and a stack per
// service, with the tables defined under stacks/<service>/.
import { App } from '../lib/cdk';
import { defineEnvironment, EnvironmentStacks } from '../lib';
import { bedrockEnvironments } from './environments';
import { bedrockProject } from './project';

export function defineBedrock(app: App): EnvironmentStacks[] {
  const { registry, tables, migrationsDirectory } = bedrockProject;
  return bedrockEnvironments.map((environment) => defineEnvironment(app, { environment, registry, tables, migrationsDirectory }));
}
