// Project Bedrock's environments, one row each: where its database is, where Terraform keeps
// state, which services it runs. Secrets are never written here: export PGPASSWORD (and
// PG_CONN_STR for the pg state backend) when deploying. Timeouts and lock retries not set here
// are the runner's defaults (DEFAULT_RUNNER_SETTINGS: lock_timeout 500 ms, 8 retries with backoff).
// Backups (a copy of what a migration drops or rewrites, taken before it runs, kept 14 days) are
// on by default: local and dev turn them off (their data is disposable), staging and prod keep them.
import { EnvironmentConfig } from '../lib';
import { bedrockServices } from './services';

const allServices = bedrockServices.names;

export const bedrockEnvironments: readonly EnvironmentConfig[] = [
  {
    name: 'local',
    connection: { host: 'localhost', port: 5432, database: 'bedrock_db', username: 'bedrock', sslMode: 'disable', superuser: true },
    backend: { type: 'local' },
    services: allServices,
    allowDowngrades: true,
    createDatabase: true,
    migrations: { backups: { enabled: false } },
  },
  {
    name: 'dev',
    connection: { host: 'bedrock-dev.db.internal', database: 'bedrock_db', username: 'bedrock_deployer', sslMode: 'require' },
    backend: { type: 'pg' },
    services: allServices,
    allowDowngrades: true,
    migrations: { backups: { enabled: false } },
  },
  {
    name: 'staging',
    connection: { host: 'bedrock-staging.db.internal', database: 'bedrock_db', username: 'bedrock_deployer', sslMode: 'verify-full' },
    backend: { type: 'pg' },
    services: allServices,
    // Index builds on klines (millions of rows) take minutes: statements may run an hour. A
    // rewrite under ACCESS EXCLUSIVE of more than 100,000 rows (about a second of blocked
    // writes) is refused: run it in a maintenance window with a raised limit, or expand/contract.
    // What a migration drops or rewrites is copied first and kept 14 days (`restore` puts it back).
    migrations: { statementTimeoutMs: 3_600_000, offlineChangeMaxRows: 100_000, backups: { enabled: true, retentionDays: 14 } },
  },
  {
    name: 'prod',
    connection: { host: 'bedrock-prod.db.internal', database: 'bedrock_db', username: 'bedrock_deployer', sslMode: 'verify-full' },
    backend: { type: 'pg' },
    services: allServices,
    // Index builds on klines (millions of rows) take minutes: statements may run an hour. A
    // rewrite under ACCESS EXCLUSIVE of more than 100,000 rows (about a second of blocked
    // writes) is refused: run it in a maintenance window with a raised limit, or expand/contract.
    // What a migration drops or rewrites is copied first and kept 14 days (`restore` puts it back).
    migrations: { statementTimeoutMs: 3_600_000, offlineChangeMaxRows: 100_000, backups: { enabled: true, retentionDays: 14 } },
  },
];
