// What every command of the CLI shares: where it writes, how it fails, and the checks and
// connection a command that reaches a database goes through first.
import { ClientBase } from 'pg';
import { EnvironmentConfig } from '../stacks/environment';
import { BedrockProject, environmentFor, migrationDirectoryOf, ProjectModel, projectModel } from '../project';
import { migrationFolderProblems } from '../migrations/folder-check';
import { Migration } from '../migrations/migration-file';
import { DEFAULT_RUNNER_SETTINGS, RunnerSettings } from '../runner/converge-options';
import { environmentProblems, runnerSettingsOf } from '../stacks/environment';
import { connect } from '../runner/connect';
import { pinSession } from '../runner/session';

/** Where the CLI writes; tests capture it. */
export interface Output {
  log(line: string): void;
  error(line: string): void;
}

/** A failure already explained to the user: the CLI exits with `code`. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}

/**
 * The services a command works on: the one named, else every registered one, or with an
 * environment, every one it runs (in its order: the order `migrate` applies them).
 */
export function servicesOf(project: BedrockProject, service: string | undefined, environment?: EnvironmentConfig): readonly string[] {
  if (service !== undefined) project.registry.get(service);
  if (environment) {
    if (service === undefined) return environment.services;
    const found = environmentFor(project, environment.name, service);
    if ('refusal' in found) throw new CliFailure(found.refusal);
  }
  return service === undefined ? project.registry.names : [service];
}

/** The environment named by --env (stacks/environments.ts), or undefined without one. */
export function environmentNamed(project: BedrockProject, name: string | undefined): EnvironmentConfig | undefined {
  if (name === undefined) return undefined;
  const environment = project.environments.find((e) => e.name === name);
  if (!environment) throw new CliFailure(`--env ${JSON.stringify(name)}: there is no such environment (environments: ${project.environments.map((e) => e.name).join(', ') || 'none'}; see stacks/environments.ts)`);
  // What synth refuses in the row is refused here too, before anything connects: a host holding
  // a connection string would otherwise be printed, password and all, in "cannot connect".
  const problems = environmentProblems(environment, project.registry);
  if (problems.length > 0) throw new CliFailure(`--env ${name}: environment "${name}" in stacks/environments.ts is refused, as synth refuses it; nothing was run:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return environment;
}

/**
 * Everything `check` (and synth) refuses for a service: the model rules on its constructs, the
 * folder itself, its statements, and the model against the head's snapshot. Give `model` to
 * check several services on one build of the project's stacks.
 */
export function checkService(project: BedrockProject, service: string, model: ProjectModel = projectModel(project)): string[] {
  const directory = migrationDirectoryOf(project, service);
  return [...model.findings([service]), ...migrationFolderProblems(directory, directory.read(), model.schemaOf(service), project.registry)];
}

/**
 * The service's migrations up to `to` (all when undefined); an unknown id is an error. Whatever
 * the CLI sends to a database passes what synth demands first: the folder, the model against
 * the snapshot, and the statement judge over every migration.
 */
export function upTo(project: BedrockProject, service: string, to: string | undefined): Migration[] {
  const problems = checkService(project, service);
  if (problems.length > 0) throw new CliFailure(`${service}: refusing to run migrations that \`check\` refuses:\n${problems.join('\n')}`);
  const state = migrationDirectoryOf(project, service).read();
  if (to === undefined) return [...state.migrations];
  const index = state.migrations.findIndex((m) => m.id === to);
  if (index < 0) throw new CliFailure(`${service}: there is no migration ${to} (have: ${state.migrations.map((m) => m.id).join(', ') || 'none'})`);
  return state.migrations.slice(0, index + 1);
}

/** The runner settings of the environment named by --env, or the defaults without one. */
export function settingsFor(project: BedrockProject, name: string | undefined, service: string): RunnerSettings {
  if (name === undefined) return DEFAULT_RUNNER_SETTINGS;
  const found = environmentFor(project, name, service);
  if ('refusal' in found) throw new CliFailure(found.refusal);
  return runnerSettingsOf(found.environment);
}

/**
 * A connection with the runner's session settings pinned: every statement bounded, pg_catalog
 * alone on the path. With an environment: its connection, and its statement timeout.
 */
export async function withDatabase(environment: EnvironmentConfig | undefined, work: (client: ClientBase) => Promise<void>): Promise<void> {
  const client = await connect({ environment });
  try {
    const statementTimeoutMs = environment ? runnerSettingsOf(environment).statementTimeoutMs : 900_000;
    await pinSession(client, { applicationName: 'bedrock-cli', lockTimeoutMs: 10_000, statementTimeoutMs });
    await work(client);
  } finally {
    await client.end();
  }
}
