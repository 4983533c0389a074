// Project Bedrock's environments. Each row is one environment: where its database is, where
// Terraform keeps state, which services it runs. Secrets are never written here: export
// PGPASSWORD (and PG_CONN_STR for the pg state backend) when deploying.
import { createApp, defineEnvironment, EnvironmentConfig } from './lib';
import { bedrockServices, bedrockTables } from './stacks';

const allServices = bedrockServices.names;

const environments: EnvironmentConfig[] = [
  {
    name: 'local',
    connection: { host: 'localhost', port: 5432, database: 'bedrock_db', username: 'bedrock', sslMode: 'disable', superuser: true },
    backend: { type: 'local' },
    services: allServices,
    allowDowngrades: true,
    createDatabase: true,
  },
  {
    name: 'dev',
    connection: { host: 'bedrock-dev.db.internal', database: 'bedrock_db', username: 'bedrock_deployer', sslMode: 'require' },
    backend: { type: 'pg' },
    services: allServices,
    allowDowngrades: true,
  },
  {
    name: 'staging',
    connection: { host: 'bedrock-staging.db.internal', database: 'bedrock_db', username: 'bedrock_deployer', sslMode: 'verify-full' },
    backend: { type: 'pg' },
    services: allServices,
  },
  {
    name: 'prod',
    connection: { host: 'bedrock-prod.db.internal', database: 'bedrock_db', username: 'bedrock_deployer', sslMode: 'verify-full' },
    backend: { type: 'pg' },
    services: allServices,
  },
];

async function main(): Promise<void> {
  const app = await createApp();
  for (const environment of environments) {
    defineEnvironment(app, { environment, registry: bedrockServices, tables: bedrockTables });
  }
  app.synth();
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
