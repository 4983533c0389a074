// The `bedrock` command line: a thin shell over the library. Each command prints what it
// did, and exits non-zero with a message that names the service, the file and the fix.
import { Command, CommanderError } from 'commander';
import { generateMigration, GenerateError, sameSchema } from '../migrations/generate';
import { COMMAND } from '../migrations/migration-directory';
import { UnsupportedChange } from '../migrations/schema-diff';
import { BedrockProject, migrationDirectoryOf, modelOf } from '../project';

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

function servicesOf(project: BedrockProject, service: string | undefined): readonly string[] {
  if (service === undefined) return project.registry.names;
  project.registry.get(service);
  return [service];
}

/** Problems of a service's migrations: the folder itself, and the model against the head's snapshot. */
export function checkService(project: BedrockProject, service: string): string[] {
  const directory = migrationDirectoryOf(project, service);
  const state = directory.read();
  if (state.problems.length > 0) return [...state.problems];
  const head = state.migrations[state.migrations.length - 1];
  if (!sameSchema(modelOf(project, service), directory.snapshot(head?.id))) {
    return [`${service}: the tables in code differ from the snapshot at ${head?.id ?? 'the start (no migration yet)'}: run \`${COMMAND} generate ${service} <description>\``];
  }
  return [];
}

export function createCli(project: BedrockProject, output: Output): Command {
  const program = new Command('bedrock')
    .description('Typed tables, migrations and ownership for Project Bedrock')
    .exitOverride()
    .configureOutput({ writeOut: (s) => output.log(s.trimEnd()), writeErr: (s) => output.error(s.trimEnd()) });

  program
    .command('generate')
    .description("write a migration from the difference between a service's tables and its last snapshot")
    .argument('<service>', 'the service whose tables changed')
    .argument('<description>', 'snake_case, e.g. add_klines_table')
    .option('--accept-data-loss', 'allow dropping tables or columns and narrowing types')
    .action((service: string, description: string, options: { acceptDataLoss?: boolean }) => {
      const directory = migrationDirectoryOf(project, service);
      const result = generateMigration({ directory, model: modelOf(project, service), description, acceptDataLoss: options.acceptDataLoss });
      if (!result.written) {
        output.log(`${service}: no changes: the tables match the snapshot. Nothing written.`);
        return;
      }
      output.log(`${service}: wrote ${directory.directory}/${result.migration.id}.sql`);
      for (const line of result.change.summary) output.log(`  ${line}`);
    });

  program
    .command('check')
    .description('check every migrations folder: names, checksums, one linear chain, tables equal to the snapshot')
    .argument('[service]', 'only this service')
    .action((service?: string) => {
      const problems = servicesOf(project, service).flatMap((s) => checkService(project, s));
      if (problems.length > 0) throw new CliFailure(problems.join('\n'));
      output.log(`ok: ${servicesOf(project, service).length} service(s), migrations consistent, tables equal to their snapshots`);
    });

  program
    .command('rebase')
    .description('regenerate a migration on top of the current head (fixes "multiple heads" after a merge)')
    .argument('<service>')
    .argument('<migration>', 'the id of the newer migration, which is removed and generated again')
    .action((service: string, id: string) => {
      const directory = migrationDirectoryOf(project, service);
      const state = directory.read();
      const all = state.migrations;
      const target = /^\d{8}_\d{6}_/.test(id) ? id : undefined;
      if (!target) throw new CliFailure(`${service}: "${id}" is not a migration id (e.g. 20250110_143000_${service}_add_trades)`);
      const description = target.slice(16 + service.length + 1);
      directory.remove(target, all.filter((m) => m.id !== target && m.parent !== target));
      const remaining = directory.read();
      if (remaining.problems.length > 0) throw new CliFailure(`${service}: after removing ${target}:\n${remaining.problems.join('\n')}`);
      directory.rehash(remaining.migrations);
      const result = generateMigration({ directory, model: modelOf(project, service), description, acceptDataLoss: true });
      output.log(`${service}: removed ${target}; ${result.written ? `wrote ${result.migration.id}.sql on top of ${result.migration.parent ?? 'nothing'}` : 'nothing left to generate'}`);
      output.log(`If ${target} was applied to a database, roll it back there first (\`${COMMAND} down --service ${service}\`).`);
    });

  return program;
}

/** Runs the CLI; returns the exit code. */
export async function runCli(project: BedrockProject, argv: readonly string[], output: Output = { log: console.log, error: console.error }): Promise<number> {
  try {
    await createCli(project, output).parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CliFailure || error instanceof GenerateError || error instanceof UnsupportedChange) {
      output.error(error.message);
      return error instanceof CliFailure ? error.code : 1;
    }
    output.error((error as Error).message);
    return 1;
  }
}
