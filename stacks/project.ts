// Project Bedrock as the command line sees it. Paths are relative to the project folder,
// where npm runs its scripts and cdktf its app.
import * as path from 'node:path';
import { BedrockProject } from '../lib';
import { bedrockEnvironments } from './environments';
import { bedrockServices } from './services';
import { bedrockTables } from './tables';

export const bedrockProject: BedrockProject = {
  registry: bedrockServices,
  tables: bedrockTables,
  environments: bedrockEnvironments,
  migrationsDirectory: (service) => path.join('stacks', service, 'migrations'),
};
