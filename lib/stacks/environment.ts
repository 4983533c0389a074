// The typed configuration of one environment (local, dev, staging, prod): where its database
// is, where Terraform keeps state, and which services it runs. It holds no secret: passwords
// and connection strings come from the standard PG* variables at deploy time.
import { appRoleName, ownerRoleName, ServiceRegistry } from '../services/service-registry';
import { identifierError } from '../sql/identifier';
import { RunnerChoices, RunnerSettings, runnerSettings, runnerSettingsProblems } from '../runner/runner-settings';

export type SslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';

/** How Terraform and the runner reach the database. Missing fields come from PG* variables. */
export interface ConnectionConfig {
  /** @default PGHOST */
  readonly host?: string;
  /** @default PGPORT, else 5432 */
  readonly port?: number;
  /** The application database that all services share. */
  readonly database: string;
  /** The role that deploys (it becomes a member of every owner role). */
  readonly username: string;
  /** @default PGSSLMODE, else the provider's default (require) */
  readonly sslMode?: SslMode;
  /**
   * Whether `username` is a superuser. When false the provider never reads pg_shadow.
   * @default false
   */
  readonly superuser?: boolean;
}

/** Where Terraform keeps each stack's state. */
export type BackendConfig =
  /** A state file per stack in the project folder (one engineer, one machine). */
  | { readonly type: 'local' }
  /**
   * Terraform's `pg` backend: state shared and locked in PostgreSQL, one schema per stack
   * (`<schemaPrefix>_<environment>_<service>`). The connection string comes from PG_CONN_STR
   * (or the PG* variables) at deploy time, never from the plan.
   */
  | { readonly type: 'pg'; /** @default 'terraform' */ readonly schemaPrefix?: string };

export interface EnvironmentConfig {
  /** The environment's name: the prefix of its stack ids (`prod-datahub`). */
  readonly name: string;
  readonly connection: ConnectionConfig;
  /** @default { type: 'local' } */
  readonly backend?: BackendConfig;
  /** The services deployed here; each must be registered. */
  readonly services: readonly string[];
  /**
   * The oldest PostgreSQL major version this environment runs. Model features that need a
   * newer one (e.g. NULLS NOT DISTINCT, 15) are refused at synth.
   * @default 14
   */
  readonly postgresVersion?: number;
  /**
   * Whether a head below what the database holds may be rolled back by running stored down
   * migrations. Typically true for local and dev only.
   * @default false
   */
  readonly allowDowngrades?: boolean;
  /**
   * Whether the platform stack creates the database itself. When false the database must
   * exist (e.g. made by the cloud provider).
   * @default false
   */
  readonly createDatabase?: boolean;
  /** Extensions to install in the database (e.g. `pg_trgm`). @default none */
  readonly extensions?: readonly string[];
  /**
   * How the migration runner waits and retries here: lock_timeout (the longest a writer queues
   * behind a migration's lock request), statement_timeout, the wait for another deploy, lock
   * retries with backoff, and the size above which an offline change (a rewrite under ACCESS
   * EXCLUSIVE) is refused. Shown in the plan (the head's input and command line).
   * @default DEFAULT_RUNNER_SETTINGS (lock_timeout 500 ms, 8 retries from 1 s doubling to 30 s, statements 15 min, deploy lock 60 s, no size limit)
   */
  readonly migrations?: RunnerChoices;
  /**
   * Roles the old process (the services of the Alembic era) still connects as while the
   * database is adopted: the platform stack keeps their CONNECT (it revokes PUBLIC's), and
   * `adopt --env` keeps their unqualified table names working. Remove them once every service
   * connects as its app role; the next deploy then revokes their CONNECT.
   * @default none
   */
  readonly legacyRoles?: readonly string[];
}

/** The runner settings of an environment, its choices over the defaults. */
export function runnerSettingsOf(config: EnvironmentConfig): RunnerSettings {
  return runnerSettings(config.migrations);
}

export const DEFAULT_POSTGRES_VERSION = 14;

/** Every problem with an environment's configuration, each saying how to fix it. */
export function environmentProblems(config: EnvironmentConfig, registry: ServiceRegistry): string[] {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9]*$/.test(config.name ?? '')) problems.push(`name "${config.name}": use lower-case letters and digits (e.g. "prod")`);
  const connection = config.connection ?? ({} as ConnectionConfig);
  for (const [field, value] of Object.entries(connection)) {
    if (typeof value === 'string' && /:\/\/|@|password=/i.test(value)) {
      problems.push(`connection.${field} looks like a connection string or holds credentials: give only the host name, and pass secrets through PGPASSWORD or PG_CONN_STR at deploy time`);
    }
  }
  if ('password' in connection) problems.push('connection.password is not allowed: secrets must not be written to cdktf.out/; export PGPASSWORD when deploying');
  if (!connection.database) problems.push('connection.database is required: the database all services share');
  if (!connection.username) problems.push('connection.username is required: the role that deploys (it is made a member of every owner role)');
  if (connection.port !== undefined && !(Number.isInteger(connection.port) && connection.port > 0 && connection.port < 65536)) {
    problems.push(`connection.port ${connection.port} is not a TCP port`);
  }
  const version = config.postgresVersion ?? DEFAULT_POSTGRES_VERSION;
  if (!Number.isInteger(version) || version < 14) problems.push(`postgresVersion ${version}: PostgreSQL 14 or newer is required`);
  if (!config.services || config.services.length === 0) problems.push('services: list at least one service');
  for (const service of config.services ?? []) {
    if (!registry.has(service)) problems.push(`service "${service}" is not registered (registered: ${registry.names.join(', ')}): add it to the service registry`);
  }
  problems.push(...runnerSettingsProblems(config.migrations, 'migrations.'));
  problems.push(...legacyRoleProblems(config.legacyRoles, config.services ?? []));
  const repeated = (config.services ?? []).filter((s, i, all) => all.indexOf(s) !== i);
  if (repeated.length > 0) problems.push(`service "${repeated[0]}" is listed twice`);
  return problems;
}

/** Legacy roles are plain role names, none of them a role the platform manages. */
function legacyRoleProblems(roles: unknown, services: readonly string[]): string[] {
  if (roles === undefined) return [];
  if (!Array.isArray(roles)) return ['legacyRoles: give a list of role names, e.g. ["bedrock"]'];
  const managed = new Set(services.flatMap((s) => [ownerRoleName(s), appRoleName(s)]));
  return roles.flatMap((role: unknown, index) => {
    if (typeof role !== 'string') return [`legacyRoles[${index}]: expected a role name, got ${typeof role}`];
    const problem = identifierError(role);
    if (problem) return [`legacyRoles[${index}]: ${problem}`];
    if (role.toLowerCase() === 'public') return [`legacyRoles[${index}]: "${role}" would give CONNECT to every role (PUBLIC): name the roles the old process connects as`];
    if (managed.has(role)) return [`legacyRoles[${index}]: ${role} is a role the platform stack manages, not a legacy one`];
    if (roles.indexOf(role) !== index) return [`legacyRoles: ${role} is listed twice`];
    return [];
  });
}
