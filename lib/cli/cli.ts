// The `bedrock` command line: a thin shell over the library. Each command prints what it
// did, and exits non-zero with a message that names the service, the file and the fix.
import { Command, CommanderError } from 'commander';
import { generateMigration, GenerateError } from '../migrations/generate';
import { migrationFolderProblems } from '../migrations/folder-check';
import { COMMAND } from '../migrations/migration-directory';
import { UnsupportedChange } from '../migrations/schema-diff';
import { BedrockProject, migrationDirectoryOf, modelOf } from '../project';
import { migrationPlan } from '../migrations/migration-plan';
import { Migration } from '../migrations/migration-file';
import { connect } from '../runner/connect';
import { converge, RunnerError } from '../runner/runner';
import { historyRows, ledgerRows, recordEvent } from '../runner/ledger';
import { ownerRoleName } from '../services/service-registry';
import { ClientBase } from 'pg';
import { modelAsLive, readLiveSchema } from '../catalog/live-schema';
import { schemaDifferences } from '../catalog/schema-differences';
import { ensureLedger, recordApplied } from '../runner/ledger';
import { lockService, unlockService } from '../runner/service-lock';
import { BEDROCK_RULES } from '../rules/rule-pack';
import { renderCodeowners, renderOwnershipRegistry } from '../registry/ownership-registry';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

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
  return migrationFolderProblems(directory, directory.read(), modelOf(project, service));
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

  program
    .command('rules')
    .description('list the rules enforced at synth, with their ids, and whether a construct may acknowledge them')
    .action(() => {
      for (const rule of BEDROCK_RULES) {
        const how = rule.acknowledgeable ? 'acknowledgeable with a reason' : 'not acknowledgeable';
        output.log(`${rule.id}  ${rule.name}: ${rule.description}. (${how}${rule.enforcedAt ? `; enforced at ${rule.enforcedAt}` : ''})`);
      }
    });

  program
    .command('registry')
    .description('write docs/TABLE_OWNERSHIP.md and docs/CODEOWNERS from the table definitions')
    .option('--check', 'only check that the committed files are up to date')
    .action((options: { check?: boolean }) => {
      const files = registryFiles(project);
      const stale = files.filter(([file, text]) => !existsSync(file) || readFileSync(file, 'utf8') !== text).map(([file]) => file);
      if (options.check) {
        if (stale.length > 0) throw new CliFailure(`stale: ${stale.join(', ')}: run \`${COMMAND} registry\` and commit the result`);
        output.log('ok: the ownership registry and CODEOWNERS match the code');
        return;
      }
      for (const [file, text] of files) {
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, text);
      }
      output.log(`wrote ${files.map(([file]) => file).join(', ')}${stale.length === 0 ? ' (unchanged)' : ''}`);
    });

  program
    .command('status')
    .description('what the database in DATABASE_URL (or PG*) holds, per service, against the migrations folder')
    .option('--service <service>', 'only this service')
    .action((options: { service?: string }) =>
      withDatabase(async (client) => {
        for (const service of servicesOf(project, options.service)) output.log(await statusLine(client, project, service));
      }),
    );

  program
    .command('history')
    .description("every migration applied to or rolled back from a service's part of the database, with when, by whom and how long")
    .argument('<service>')
    .action((service: string) =>
      withDatabase(async (client) => {
        servicesOf(project, service);
        const rows = await historyRows(client, service);
        if (rows.length === 0) output.log(`${service}: no history: nothing was ever applied`);
        for (const row of rows) {
          output.log(`${row.at.toISOString()}  ${row.action.padEnd(8)} ${row.id}  by ${row.by}${row.duration_ms !== null ? `  ${row.duration_ms} ms` : ''}${row.error ? `  error: ${row.error}` : ''}`);
        }
      }),
    );

  program
    .command('migrate')
    .description('apply pending migrations of a service (to its head, or to --to)')
    .requiredOption('--service <service>')
    .option('--to <id>', 'stop at this migration')
    .action((options: { service: string; to?: string }) =>
      withDatabase(async (client) => {
        const migrations = upTo(project, options.service, options.to);
        await converge(client, { plan: migrationPlan(options.service, ownerRoleName(options.service), migrations), allowDowngrades: false, log: output.log });
      }),
    );

  program
    .command('down')
    .description("roll a service back by its stored down SQL: one step, --steps N, or --to a migration ('base' for none)")
    .requiredOption('--service <service>')
    .option('--to <id>', 'the migration to end at; base = before the first')
    .option('--steps <n>', 'how many migrations to roll back', (v) => Number(v))
    .action((options: { service: string; to?: string; steps?: number }) =>
      withDatabase(async (client) => {
        const applied = (await ledgerRows(client, options.service)).map((r) => r.id);
        let keep: number;
        if (options.to !== undefined) keep = options.to === 'base' ? 0 : applied.indexOf(options.to) + 1;
        else keep = applied.length - (options.steps ?? 1);
        if (options.to !== undefined && options.to !== 'base' && keep === 0) throw new CliFailure(`${options.service}: ${options.to} is not applied in this database (applied: ${applied.join(', ') || 'none'})`);
        if (keep < 0 || (options.steps !== undefined && !(Number.isInteger(options.steps) && options.steps > 0))) throw new CliFailure(`${options.service}: --steps must be between 1 and ${applied.length}`);
        const migrations = migrationDirectoryOf(project, options.service).read().migrations.filter((m) => applied.slice(0, keep).includes(m.id));
        await converge(client, { plan: migrationPlan(options.service, ownerRoleName(options.service), migrations), allowDowngrades: true, log: output.log });
      }),
    );

  program
    .command('resolve')
    .description('settle a migration that failed outside a transaction, after inspecting the database')
    .requiredOption('--service <service>')
    .argument('<id>')
    .option('--applied', 'it did complete (by hand): record it as applied')
    .option('--rolled-back', 'it left nothing behind (or you removed it): forget it')
    .action((id: string, options: { service: string; applied?: boolean; rolledBack?: boolean }) =>
      withDatabase(async (client) => {
        if (!options.applied === !options.rolledBack) throw new CliFailure('resolve: give exactly one of --applied or --rolled-back');
        const row = (await ledgerRows(client, options.service)).find((r) => r.id === id && r.status === 'failed');
        if (!row) throw new CliFailure(`${options.service}: ${id} is not a failed migration in this database`);
        if (options.applied) await client.query(`UPDATE bedrock.migrations SET status = 'applied', error = NULL WHERE service = $1 AND id = $2`, [options.service, id]);
        else await client.query(`DELETE FROM bedrock.migrations WHERE service = $1 AND id = $2`, [options.service, id]);
        await recordEvent(client, options.service, id, 'resolved', null, options.applied ? 'resolved as applied' : 'resolved as rolled back');
        output.log(`${options.service}: ${id} resolved as ${options.applied ? 'applied' : 'rolled back'}`);
      }),
    );

  program
    .command('drift')
    .description("compare the database with the tables in code, per service, only each service's own objects")
    .option('--service <service>', 'only this service')
    .action((options: { service?: string }) =>
      withDatabase(async (client) => {
        let drifted = 0;
        for (const service of servicesOf(project, options.service)) {
          const differences = await driftOf(client, project, service);
          if (differences.length === 0) output.log(`${service}: no drift`);
          else {
            drifted += 1;
            output.log(`${service}: ${differences.length} difference(s):`);
            for (const line of differences) output.log(`  - ${line}`);
          }
        }
        if (drifted > 0) throw new CliFailure(`drift in ${drifted} service(s): the database differs from the tables in code`);
      }),
    );

  program
    .command('baseline')
    .description('adopt a database built another way (the old Alembic process): if it equals the model, record the head as applied without running it')
    .requiredOption('--service <service>')
    .action((options: { service: string }) =>
      withDatabase(async (client) => {
        const service = options.service;
        const migrations = upTo(project, service, undefined);
        const problems = checkService(project, service);
        if (problems.length > 0) throw new CliFailure(problems.join('\n'));
        await lockService(client, service, { waitMs: 60_000 });
        try {
          await ensureLedger(client);
          if ((await ledgerRows(client, service)).length > 0) throw new CliFailure(`${service}: the ledger already records migrations for this service: baseline is only for a database that never ran them`);
          const differences = await driftOf(client, project, service);
          if (differences.length > 0) {
            throw new CliFailure(`${service}: REFUSED: the database differs from the tables in code, so it cannot be recorded as at the head:\n${differences.map((d) => `  - ${d}`).join('\n')}`);
          }
          await client.query('BEGIN');
          for (const m of migrations) await recordApplied(client, { service, id: m.id, checksum: m.checksum, up: m.up, down: m.down, transactional: m.transactional }, 'baselined', null);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        } finally {
          await unlockService(client, service);
        }
        output.log(`${service}: baselined at ${migrations[migrations.length - 1]?.id ?? 'no migration'} (${migrations.length} migration(s) recorded, none run)`);
      }),
    );

  program
    .command('rehash')
    .description('rewrite bedrock.sum from the migration files as they are (after a reviewed hand edit of a migration never applied anywhere)')
    .argument('<service>')
    .action((service: string) => {
      const directory = migrationDirectoryOf(project, service);
      const migrations = directory.read().migrations;
      directory.rehash(migrations);
      output.log(`${service}: bedrock.sum rewritten for ${migrations.length} migration(s). An edited migration that was applied somewhere will be refused there.`);
    });

  return program;
}

/** What differs between the service's schema in the database and its tables in code. */
async function driftOf(client: ClientBase, project: BedrockProject, service: string): Promise<string[]> {
  const model = modelOf(project, service);
  const [expected, actual] = [await modelAsLive(client, model), await readLiveSchema(client, model.schema)];
  return schemaDifferences(model.schema, expected, actual);
}

/** The generated documents and where they go (relative to the project folder). */
export function registryFiles(project: BedrockProject): [string, string][] {
  const folder = (service: string) => path.dirname(project.migrationsDirectory(service)).split(path.sep).join('/');
  return [
    [path.join('docs', 'TABLE_OWNERSHIP.md'), renderOwnershipRegistry(project)],
    [path.join('docs', 'CODEOWNERS'), renderCodeowners(project, folder)],
  ];
}

/** The service's migrations up to `to` (all when undefined); an unknown id is an error. */
function upTo(project: BedrockProject, service: string, to: string | undefined): Migration[] {
  const state = migrationDirectoryOf(project, service).read();
  if (state.problems.length > 0) throw new CliFailure(state.problems.join('\n'));
  if (to === undefined) return [...state.migrations];
  const index = state.migrations.findIndex((m) => m.id === to);
  if (index < 0) throw new CliFailure(`${service}: there is no migration ${to} (have: ${state.migrations.map((m) => m.id).join(', ') || 'none'})`);
  return state.migrations.slice(0, index + 1);
}

async function statusLine(client: ClientBase, project: BedrockProject, service: string): Promise<string> {
  const files = migrationDirectoryOf(project, service).read().migrations;
  const rows = await ledgerRows(client, service);
  const applied = rows.filter((r) => r.status !== 'failed').map((r) => r.id);
  const pending = files.filter((m) => !applied.includes(m.id)).map((m) => m.id);
  const beyond = applied.filter((id) => !files.some((m) => m.id === id));
  const failed = rows.filter((r) => r.status === 'failed').map((r) => r.id);
  const head = applied[applied.length - 1] ?? 'nothing applied';
  const parts = [`${service}: at ${head}`, `${applied.length} applied`, `${pending.length} pending${pending.length ? ` (${pending.join(', ')})` : ''}`];
  if (beyond.length) parts.push(`${beyond.length} not in the folder (${beyond.join(', ')})`);
  if (failed.length) parts.push(`FAILED: ${failed.join(', ')}`);
  return parts.join('; ');
}

async function withDatabase(work: (client: ClientBase) => Promise<void>): Promise<void> {
  const client = await connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

/** Runs the CLI; returns the exit code. */
export async function runCli(project: BedrockProject, argv: readonly string[], output: Output = { log: console.log, error: console.error }): Promise<number> {
  try {
    await createCli(project, output).parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CliFailure || error instanceof GenerateError || error instanceof UnsupportedChange || error instanceof RunnerError) {
      output.error(error.message);
      return error instanceof CliFailure ? error.code : 1;
    }
    output.error((error as Error).message);
    return 1;
  }
}
