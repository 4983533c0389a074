// What an environment's stacks tell the postgresql provider to make: roles, memberships,
// schemas, grants and default privileges, read from the stacks as synth writes them (the
// platform stack and one stack per service). Drift compares the database with this, so the
// access model has one definition: the code that builds the stacks (access-policy.ts,
// service-stack.ts, platform-stack.ts), never a second copy here.
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, TerraformStack, Testing } from '../cdk';
import { BedrockProject } from '../project';
import { defineEnvironment } from '../stacks/define-environment';
import { EnvironmentConfig } from '../stacks/environment';
import { platformStackId } from '../stacks/platform-stack';
import { serviceStackId } from '../stacks/service-stack';
import { appRoleName, ownerRoleName } from '../services/service-registry';

/** Which stack a resource is in: `platform`, or the service whose stack it is. */
export type StackName = string;

export interface PlannedRole {
  readonly name: string;
  /** owner: a service's owner role; app: a service's login role; holder: a role of a service stack holding a read contract's or a shared write's grants. */
  readonly purpose: 'owner' | 'app' | 'holder';
  readonly login: boolean;
  /** The flags the provider spells out on every role it creates; all false unless a resource sets them. */
  readonly superuser: boolean;
  readonly createDatabase: boolean;
  readonly createRole: boolean;
  readonly bypassRowLevelSecurity: boolean;
  readonly replication: boolean;
  readonly stack: StackName;
}

/** `member` is made a member of `role`. */
export interface PlannedMembership {
  readonly member: string;
  readonly role: string;
  readonly stack: StackName;
}

export interface PlannedSchema {
  readonly name: string;
  readonly owner: string;
  readonly stack: StackName;
}

export type GrantObjectType = 'database' | 'schema' | 'table' | 'sequence' | 'column' | 'function';

/** One postgresql_grant: after it, `role` holds exactly `privileges` on what it names. */
export interface PlannedGrant {
  /** A role name, or `public` for PUBLIC. */
  readonly role: string;
  readonly objectType: GrantObjectType;
  readonly schema?: string;
  /** Only these objects; undefined: every object of the type in the schema. */
  readonly objects?: readonly string[];
  readonly columns?: readonly string[];
  /** Empty: the grant revokes everything (PUBLIC on the database). */
  readonly privileges: readonly string[];
  readonly stack: StackName;
}

/** One postgresql_default_privileges: what `owner` creating a `objectType` in `schema` gives `role`. */
export interface PlannedDefaultPrivileges {
  readonly owner: string;
  readonly schema?: string;
  readonly role: string;
  readonly objectType: string;
  readonly privileges: readonly string[];
  readonly stack: StackName;
}

export interface PlannedAccess {
  /** The environment whose stacks these are; undefined: every registered service, no environment (the deploying role and legacy roles unknown). */
  readonly environment?: EnvironmentConfig;
  readonly services: readonly string[];
  /** The role that deploys: a member of every owner role. Unknown without an environment. */
  readonly deployer?: string;
  /** Roles of the process being adopted (EnvironmentConfig.legacyRoles). */
  readonly legacyRoles: readonly string[];
  readonly roles: readonly PlannedRole[];
  readonly memberships: readonly PlannedMembership[];
  readonly schemas: readonly PlannedSchema[];
  readonly grants: readonly PlannedGrant[];
  readonly defaultPrivileges: readonly PlannedDefaultPrivileges[];
}

/** The stack's id, e.g. `dev-datahub`, or `<env>-datahub` without an environment. */
export function stackId(access: PlannedAccess, stack: StackName): string {
  const environment = access.environment?.name ?? '<env>';
  return stack === 'platform' ? platformStackId(environment) : serviceStackId(environment, stack);
}

/** The deploy command that applies a stack's resources again, e.g. `npx cdktf deploy dev-datahub`. */
export function deployCommand(access: PlannedAccess, stack: StackName): string {
  return `npx cdktf deploy ${stackId(access, stack)}`;
}

/** Stands for the deploying role of "every service, no environment": its memberships are left out. */
const ANY_DEPLOYER = 'bedrock_drift_deployer';

/** Every registered service in one environment, for drift without --env. */
function everyService(project: BedrockProject): EnvironmentConfig {
  const versions = project.environments.map((e) => e.postgresVersion ?? 14);
  return {
    name: 'drift',
    connection: { database: 'drift', username: ANY_DEPLOYER },
    services: project.registry.names,
    postgresVersion: versions.length > 0 ? Math.min(...versions) : undefined,
  };
}

type Json = Record<string, any>;

/** The access `environment`'s stacks plan (without one: every registered service's). */
export function plannedAccess(project: BedrockProject, environment?: EnvironmentConfig): PlannedAccess {
  const config = environment ?? everyService(project);
  // Never synthesized to disk: cdktf creates the app's output folder up front, nothing more.
  const app = new App({ outdir: path.join(tmpdir(), 'bedrock-model') });
  const defined = defineEnvironment(app, { environment: config, registry: project.registry, tables: project.tables });
  const stacks: [StackName, TerraformStack][] = [['platform', defined.platform], ...defined.services.map((s): [StackName, TerraformStack] => [s.service, s])];
  // Testing.synth is cdktf's synth of one stack in memory: its aspects run (shared writes are
  // added by one), nothing is written.
  const resources = stacks.flatMap(([stack, construct]) => resourcesOf(JSON.parse(Testing.synth(construct)) as Json, stack));
  const of = (type: string) => resources.filter((r) => r.type === type);
  const owners = new Set(config.services.map(ownerRoleName));
  const apps = new Set(config.services.map(appRoleName));
  return {
    ...(environment ? { environment, deployer: environment.connection.username } : {}),
    services: config.services,
    legacyRoles: environment?.legacyRoles ?? [],
    roles: of('postgresql_role').map(({ body, stack }) => ({
      name: body.name,
      purpose: owners.has(body.name) ? 'owner' : apps.has(body.name) ? 'app' : 'holder',
      login: body.login === true,
      superuser: body.superuser === true,
      createDatabase: body.create_database === true,
      createRole: body.create_role === true,
      bypassRowLevelSecurity: body.bypass_row_level_security === true,
      replication: body.replication === true,
      stack,
    })),
    memberships: of('postgresql_grant_role')
      .filter(({ body }) => body.role !== ANY_DEPLOYER)
      .map(({ body, stack }) => ({ member: body.role, role: body.grant_role, stack })),
    schemas: of('postgresql_schema').map(({ body, stack }) => ({ name: body.name, owner: body.owner, stack })),
    grants: of('postgresql_grant').map(({ body, stack }) => ({
      role: body.role,
      objectType: body.object_type,
      ...(body.schema !== undefined ? { schema: body.schema } : {}),
      ...(body.objects !== undefined ? { objects: body.objects } : {}),
      ...(body.columns !== undefined ? { columns: body.columns } : {}),
      privileges: body.privileges ?? [],
      stack,
    })),
    defaultPrivileges: of('postgresql_default_privileges').map(({ body, stack }) => ({
      owner: body.owner,
      ...(body.schema !== undefined ? { schema: body.schema } : {}),
      role: body.role,
      objectType: body.object_type,
      privileges: body.privileges ?? [],
      stack,
    })),
  };
}

function resourcesOf(json: Json, stack: StackName): { type: string; body: Json; stack: StackName }[] {
  return Object.entries((json.resource ?? {}) as Json).flatMap(([type, byName]) => Object.values(byName as Json).map((body) => ({ type, body: body as Json, stack })));
}
