// `migrate`: one service, or every service of an environment. Nothing runs until every service
// passed what synth demands (folder, snapshot, statements) and, where the environment allows
// downgrades, until no rollback would destroy data unasked; then the services converge one at a
// time, in the environment's order, and the first failure stops the rest.
import { ClientBase } from 'pg';
import { BedrockProject } from '../project';
import { COMMAND } from '../migrations/migration-directory';
import { Migration } from '../migrations/migration-file';
import { migrationPlan } from '../migrations/migration-plan';
import type { MigrationPlan } from '../runner/planned-migration';
import { connect } from '../runner/connect';
import { converge } from '../runner/runner';
import { ledgerRows } from '../runner/ledger';
import { downDataLoss } from '../runner/down-data-loss';
import { DEFAULT_RUNNER_SETTINGS } from '../runner/converge-options';
import { ownerRoleName, schemaName } from '../services/service-registry';
import { EnvironmentConfig, runnerSettingsOf } from '../stacks/environment';
import { CliFailure, environmentNamed, Output, servicesOf, upTo, withDatabase } from './command-support';

export interface MigrateOptions {
  readonly service?: string;
  readonly to?: string;
  readonly env?: string;
  readonly acceptDataLoss?: boolean;
}

export async function migrateCommand(project: BedrockProject, options: MigrateOptions, output: Output): Promise<void> {
  if (options.to !== undefined && options.service === undefined) throw new CliFailure('migrate: --to names a migration of one service: give --service too');
  const environment = environmentNamed(project, options.env);
  const plans = inTransferOrder(checkedPlans(project, servicesOf(project, options.service, environment), options.to));
  const services = plans.map((p) => p.service);
  const allowDowngrades = environment?.allowDowngrades ?? false;
  const settings = environment ? runnerSettingsOf(environment) : DEFAULT_RUNNER_SETTINGS;
  await withDatabase(environment, async (client) => {
    if (allowDowngrades && !options.acceptDataLoss) await refuseDataLoss(client, plans, options, environment, settings.backups.enabled);
    if (services.length > 1) output.log(`migrate: ${services.length} services, in this order: ${services.join(', ')}${environment ? ` (environment ${environment.name})` : ''}`);
    const done: string[] = [];
    for (const { service, planned } of plans) {
      try {
        await converge(client, {
          plan: planned,
          allowDowngrades,
          ...settings,
          log: output.log,
          reconnect: () => connect({ timeoutMs: 10_000, environment }),
        });
      } catch (error) {
        if (services.length === 1) throw error;
        const rest = services.slice(done.length + 1);
        throw new CliFailure(`${(error as Error).message}\nmigrate stopped at ${service}: done ${done.join(', ') || 'none'}; not started ${rest.join(', ') || 'none'}. Fix ${service}, then run migrate again (the services done have nothing left to do).`);
      }
      done.push(service);
    }
    if (services.length > 1) output.log(`migrate: ${services.length} services at their heads`);
  });
}

/**
 * The plans with each service that adopts a table after the service that releases it (its
 * adopt waits for that release); otherwise in the given order. A cycle keeps the given order:
 * the runner refuses an adopt whose release is not applied, and says which service to run first.
 */
function inTransferOrder<P extends { service: string; migrations: Migration[] }>(plans: readonly P[]): (P & { planned: MigrationPlan })[] {
  // Planned once (the steps parsed): the order is read from it, and converge runs it.
  const left = plans.map((p) => ({ ...p, planned: migrationPlan(p.service, ownerRoleName(p.service), p.migrations) }));
  const waitsOn = new Map(left.map(({ service, planned }) => [service, new Set(planned.migrations.flatMap((m) => m.upSteps.flatMap((s) => (s.transfer?.action === 'adopt' ? [s.transfer.other] : []))))]));
  const ordered: (P & { planned: MigrationPlan })[] = [];
  while (left.length > 0) {
    const next = left.findIndex((p) => ![...waitsOn.get(p.service)!].some((giver) => left.some((q) => q.service === giver)));
    ordered.push(...left.splice(next === -1 ? 0 : next, 1));
  }
  return ordered;
}

/** Every service's migrations, or every refusal at once (nothing has run). */
function checkedPlans(project: BedrockProject, services: readonly string[], to: string | undefined): { service: string; migrations: Migration[] }[] {
  const refusals: string[] = [];
  const plans = services.flatMap((service) => {
    try {
      return [{ service, migrations: upTo(project, service, to) }];
    } catch (error) {
      if (!(error instanceof CliFailure)) throw error;
      refusals.push(error.message);
      return [];
    }
  });
  if (refusals.length > 0) throw new CliFailure(`${refusals.join('\n')}${services.length > 1 ? '\nNo service was migrated.' : ''}`);
  return plans;
}

/**
 * Where the environment lets migrate roll back (a head below what the database holds), the
 * rows beyond each plan are rolled back by their stored downs: refuse, before any service runs,
 * when that destroys data, as `down` does.
 */
async function refuseDataLoss(client: ClientBase, plans: readonly { service: string; migrations: Migration[] }[], options: MigrateOptions, environment: EnvironmentConfig | undefined, backupsOn: boolean): Promise<void> {
  const losses: string[] = [];
  for (const { service, migrations } of plans) {
    for (const loss of await rollbackLosses(client, service, migrations, backupsOn)) losses.push(`${service}: ${loss}`);
  }
  if (losses.length === 0) return;
  const again = [`${COMMAND} migrate`, options.service ? `--service ${options.service}` : '', options.to ? `--to ${options.to}` : '', environment ? `--env ${environment.name}` : '', '--accept-data-loss'].filter(Boolean).join(' ');
  throw new CliFailure(`migrate would roll back migrations whose downs destroy data; nothing was run:\n${losses.map((l) => `  - ${l}`).join('\n')}\nIf that is intended, run again with --accept-data-loss (\`${again}\`).`);
}

/**
 * What rolling `service` back to `migrations` (the runner rolls back every ledger row beyond
 * them, newest first) would destroy, one sentence each.
 */
export async function rollbackLosses(client: ClientBase, service: string, migrations: readonly Migration[], backupsOn: boolean): Promise<string[]> {
  const rows = await ledgerRows(client, service);
  const rollBack = rows.filter((r) => !migrations.some((m) => m.id === r.id)).reverse();
  return downDataLoss(client, schemaName(service), ownerRoleName(service), rollBack, { backupsOn });
}
