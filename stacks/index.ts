// Project Bedrock, the app built with the library: its services, tables and environments.
export { bedrockServices } from './services';
export { bedrockTables } from './tables';
export { bedrockEnvironments } from './environments';
export { defineBedrock } from './bedrock';
export { bedrockProject } from './project';
