// `drift`: per service, where its schema stands against the plan (ok, pending, drift) and every
// difference that ownership depends on: tables and columns, objects no migration made, owners,
// privileges, roles and memberships; with --posture, the whole-database checks. The report is
// plain data: the command prints it as lines or as the JSON document below.
import { ClientBase } from 'pg';
import { BedrockProject, migrationDirectoryOf } from '../project';
import { EnvironmentConfig } from '../stacks/environment';
import { ownerRoleName, schemaName } from '../services/service-registry';
import { shown } from './catalog-text';
import { DriftFinding } from './drift-finding';
import { extraObjects } from './extra-objects';
import { objectOwners } from './object-owners';
import { planObjects } from './plan-objects';
import { planPosition, ServiceState } from './plan-position';
import { deployCommand, PlannedAccess, plannedAccess } from './planned-access';
import { posture, PostureFinding } from './posture';
import { privilegeDrift } from './privilege-drift';
import { readSchemaObjects } from './schema-objects';

/** One service in `drift --json`. */
export interface ServiceDrift {
  readonly service: string;
  /** Its schema (the service's name). */
  readonly schema: string;
  /**
   * ok: the database holds the plan's head, as the access model says. pending: it holds an
   * earlier state of the plan (`pending` lists what to apply) and nothing else differs. drift:
   * it differs from every state of the plan, or an object, owner, privilege or role differs.
   */
  readonly state: ServiceState;
  /** The last migration the ledger records as applied; null when none is. */
  readonly appliedThrough: string | null;
  /** The migrations folder's last migration; null when it has none. */
  readonly head: string | null;
  /** The migrations not applied yet, in the order they run. */
  readonly pending: readonly string[];
  /** Everything found, pending migrations included; [] when the state is ok. */
  readonly findings: readonly DriftFinding[];
}

/** What `drift --json` prints (shape version 1: fields are only ever added). */
export interface DriftDocument {
  readonly bedrock: 1;
  readonly command: 'drift';
  /** The environment given with --env, whose services and access model were compared; null: every registered service. */
  readonly environment: string | null;
  readonly services: readonly ServiceDrift[];
  /** The whole-database checks of `drift --posture`; null without --posture. */
  readonly posture: readonly PostureFinding[] | null;
}

export interface DriftOptions {
  /** The services to compare. @default the environment's, or every registered one */
  readonly services?: readonly string[];
  /** Whose access model (its services, deploying role, legacy roles) to compare with. @default every registered service, no environment */
  readonly environment?: EnvironmentConfig;
  /** Also run the whole-database checks. */
  readonly posture?: boolean;
}

export async function driftReport(client: ClientBase, project: BedrockProject, options: DriftOptions = {}): Promise<DriftDocument> {
  const planned = plannedAccess(project, options.environment);
  const services: ServiceDrift[] = [];
  for (const service of options.services ?? planned.services) services.push(await serviceDrift(client, project, service, planned));
  return {
    bedrock: 1,
    command: 'drift',
    environment: options.environment?.name ?? null,
    services,
    posture: options.posture ? await posture(client, planned) : null,
  };
}

async function serviceDrift(client: ClientBase, project: BedrockProject, service: string, planned: PlannedAccess): Promise<ServiceDrift> {
  const schema = schemaName(service);
  const position = await planPosition(client, migrationDirectoryOf(project, service), planned.environment?.name);
  const objects = await readSchemaObjects(client, schema);
  const at = { appliedThrough: position.appliedThrough, head: position.head, pending: position.pending };
  if (!objects.some((o) => o.kind === 'schema')) {
    const missing: DriftFinding = {
      kind: 'schema',
      object: `schema ${shown(schema)}`,
      message: `schema ${shown(schema)} does not exist: the platform stack creates it, with its owner role ${shown(ownerRoleName(service))}`,
      fix: `\`${deployCommand(planned, 'platform')}\`, then deploy the service (\`${deployCommand(planned, service)}\`)`,
    };
    return { service, schema, state: 'drift', ...at, findings: [missing, ...position.findings] };
  }
  const findings = [
    ...position.findings,
    ...extraObjects(service, schema, objects, planObjects(position.applied, schema)),
    ...objectOwners(schema, ownerRoleName(service), objects),
    ...(await privilegeDrift(client, service, planned)),
  ];
  const drifted = position.state === 'drift' || findings.some((f) => f.kind !== 'pending-migration' && f.kind !== 'interrupted-migration');
  return { service, schema, state: drifted ? 'drift' : position.state, ...at, findings };
}
