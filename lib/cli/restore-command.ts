// `restore --service S <backup> [--env E] [--dry-run]`: puts back a copy the runner took before a
// migration or rollback destroyed data (lib/runner/backup-restore.ts does the work). Prints
// what it did with its counts, or with --dry-run the SQL it would run; a refusal changes nothing.
import { ClientBase } from 'pg';
import { BedrockProject } from '../project';
import { ownerRoleName } from '../services/service-registry';
import { restoreBackup, RestoreRefusal, RestoreResult } from '../runner/backup-restore';
import { visibleText } from '../adopt/visible-text';
import { CliFailure, environmentNamed, Output, servicesOf, settingsFor } from './command-support';

export interface RestoreOptions {
  readonly service: string;
  /** The backup's id as `status` lists it, e.g. `b1`. */
  readonly backup: string;
  readonly env?: string;
  /** Check everything and print the SQL; change nothing. */
  readonly dryRun?: boolean;
}

export async function restoreCommand(client: ClientBase, project: BedrockProject, options: RestoreOptions, output: Output): Promise<RestoreResult> {
  const environment = environmentNamed(project, options.env);
  const service = servicesOf(project, options.service, environment)[0];
  const started = Date.now();
  let result: RestoreResult;
  try {
    result = await restoreBackup(client, {
      service,
      ownerRole: ownerRoleName(service),
      backup: options.backup,
      dryRun: options.dryRun,
      lockWaitMs: settingsFor(project, options.env, service).lockWaitMs,
      envOption: environment ? `--env ${environment.name}` : undefined,
      log: output.log,
    });
  } catch (error) {
    if (error instanceof RestoreRefusal) throw new CliFailure(error.message);
    throw error;
  }
  for (const line of restoreLines(service, result, Date.now() - started)) output.log(line);
  return result;
}

/** What a restore did (or, dry, would do), for a person. */
export function restoreLines(service: string, result: RestoreResult, ms: number): string[] {
  const { backup } = result;
  const from = `from ${visibleText(backup.copy)}, taken before ${backup.direction === 'up' ? backup.migration : `the rollback of ${backup.migration}`}`;
  const unmatched = result.unmatched > 0 ? `; ${result.unmatched.toLocaleString('en-US')} row(s) of the copy find no row in the table (deleted since the copy): their values are not restored` : '';
  if (result.dryRun) {
    return [
      `${service}: restore ${backup.id} would run, in one transaction, as ${ownerRoleName(service)} (${from})${unmatched}; nothing was changed (--dry-run):`,
      ...result.statements.map((statement) => `${statement};`),
    ];
  }
  const what = result.kind === 'rows' ? `${result.restored.toLocaleString('en-US')} row(s) inserted into ${visibleText(backup.table)}${result.statements.length > 1 ? ', its sequences moved past them' : ''}` : `${result.restored.toLocaleString('en-US')} row(s) of ${visibleText(backup.table)} given back their ${(backup.columns ?? []).map((c) => visibleText(c)).join(', ')} values`;
  return [`${service}: restored ${backup.id}: ${what} (${from}) in ${ms} ms${unmatched}`];
}
