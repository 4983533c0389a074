// The postgresql provider for a stack, configured from the environment's connection settings.
// No password is ever set here: the provider reads PGPASSWORD (and any other PG* variable
// left unset below) when Terraform runs.
import { Construct } from 'constructs';
import { PostgresqlProvider } from '../cdk';
import { ConnectionConfig } from './environment';

export interface PostgresProviderOptions {
  /** Connect to this database instead of the application database (e.g. to create it). */
  readonly database?: string;
  /** A provider alias, for a second connection in the same stack. */
  readonly alias?: string;
}

export function postgresProvider(scope: Construct, id: string, connection: ConnectionConfig, options: PostgresProviderOptions = {}): PostgresqlProvider {
  return new PostgresqlProvider(scope, id, {
    ...(connection.host !== undefined ? { host: connection.host } : {}),
    ...(connection.port !== undefined ? { port: connection.port } : {}),
    ...(connection.sslMode !== undefined ? { sslmode: connection.sslMode } : {}),
    database: options.database ?? connection.database,
    username: connection.username,
    superuser: connection.superuser ?? false,
    ...(options.alias ? { alias: options.alias } : {}),
  });
}
