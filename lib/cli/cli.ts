// The `bedrock` command line: a thin shell over the library. Each command prints what it
// did, and exits non-zero with a message that names the service, the file and the fix.
import { Command, CommanderError } from 'commander';
import { checkService, CliFailure, environmentNamed, Output, servicesOf, upTo, withDatabase } from './command-support';
import { generateMigration, GenerateError } from '../migrations/generate';
import { generateTransferPair, pendingTransfers, TransferProject } from '../migrations/transfer-pair';
import { runnerSettingsOf } from '../stacks/environment';
import { COMMAND, SUM_FILE } from '../migrations/migration-directory';
import { UnsupportedChange } from '../migrations/schema-diff';
import { BedrockProject, downgradeEnvironment, migrationDirectoryOf, modelOf, ProjectModel, projectModel } from '../project';
import { migrationPlan } from '../migrations/migration-plan';
import { connect } from '../runner/connect';
import { converge, RunnerError } from '../runner/runner';
import { historyRows, ledgerRows, resolveFailed } from '../runner/ledger';
import { ownerRoleName } from '../services/service-registry';
import { driftCommand, DriftCommandOptions } from './drift-command';
import { baselineService } from '../runner/baseline';
import { ServiceState, ServiceStatus, serviceStatusReport, statusLine } from '../runner/status';
import { registryFiles } from '../registry/registry-files';
import { BEDROCK_RULES } from '../rules/rule-pack';
import { Rule } from '../rules/rule';
import { STATEMENT_RULES } from '../statements/statement-rules';
import { LINT_RULES } from '../lint/lint-rules';
import { reviewPage } from '../review/review-page';
import { reviewMarkdown } from '../review/review-markdown';
import { GitBase } from '../review/git-base';
import { statementWarnings } from '../statements/judge-migration';
import { statementContext } from '../statements/statement-context';
import { StatementRule } from '../statements/statement-rule';
import { adoptCommand, AdoptOptions, introspectCommand, IntrospectOptions } from './adopt-commands';
import { adrCommand } from './adr-command';
import { rebaseMigration, RebaseError } from '../migrations/rebase';
import { restoreCommand, RestoreOptions } from './restore-command';
import { migrateCommand, MigrateOptions, rollbackLosses } from './migrate-command';
import { CheckDocument, historyEntry, HistoryDocument, JSON_VERSION, printed, ruleEntry, RulesDocument, StatusDocument } from './json-documents';
import { EXIT, ExitCode, worstExit } from './exit-codes';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export { CliFailure, checkService } from './command-support';
export type { Output } from './command-support';

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
    .option('--data', 'write a "-- +data" section for hand-written DML after the expand steps; with the tables unchanged, a migration of data only')
    .action((service: string, description: string, options: { acceptDataLoss?: boolean; data?: boolean }) => {
      const directory = migrationDirectoryOf(project, service);
      const model = projectModel(project);
      const findings = model.findings([service]);
      if (findings.length > 0) throw new CliFailure(`${service}: synth would refuse these tables; nothing written. Fix:\n${findings.map((f) => `  - ${f}`).join('\n')}`);
      const transfers = pendingTransfers(transferProjectOf(project, model), service);
      if (transfers.length > 0) {
        if (options.data) throw new CliFailure(`${service}: a transfer migration holds the transfer alone: generate the data migration after it (without --data now); nothing written`, EXIT.usage);
        const written = generateTransferPair({ project: transferProjectOf(project, model), transfers, service, description, registry: project.registry });
        for (const { service: owner, migration, change } of written) {
          output.log(`${owner}: wrote ${migrationDirectoryOf(project, owner).directory}/${migration.id}.sql`);
          for (const line of change.summary) output.log(`  ${line}`);
        }
        const givers = [...new Set(transfers.map((t) => t.giver))].join(', ');
        output.log(`  Deploy ${givers} first: each adopt waits for its release, and the runner refuses it until the release is applied.`);
        return;
      }
      const result = generateMigration({ directory, model: model.schemaOf(service), description, acceptDataLoss: options.acceptDataLoss, data: options.data, registry: project.registry });
      if (!result.written) {
        output.log(`${service}: no changes: the tables match the snapshot. Nothing written.`);
        return;
      }
      for (const { migration, change } of result.migrations) {
        output.log(`${service}: wrote ${directory.directory}/${migration.id}.sql`);
        for (const line of change.summary) output.log(`  ${line}`);
        if (migration.upSteps.length > 1) output.log(`  in ${migration.upSteps.length} steps (${stepCounts(migration.upSteps)}): online forms keep tables with rows readable and writable`);
        for (const step of migration.upSteps.filter((s) => s.data !== undefined)) output.log(`  data section at line ${step.line - 1}: fill it with DML on ${service}'s tables, then \`${COMMAND} rehash ${service}\``);
        for (const line of change.offline) output.log(`  NOT ONLINE: ${line}`);
        for (const line of change.offlineDown) output.log(`  NOT ONLINE when rolled back: ${line}`);
      }
      if (result.migrations.length > 1) output.log('  (new enum values go in a migration of their own: PostgreSQL cannot use a value in the transaction that adds it)');
      for (const warning of result.warnings) output.log(`  warning: ${warning}`);
      for (const line of result.carried) output.log(`  ${line}`);
      for (const problem of result.dataProblems) output.log(`  DATA SECTION REFUSED (check and synth fail until it is fixed): ${problem}`);
      if (result.toAcknowledge.length > 0) {
        output.log(`  TO ACKNOWLEDGE before \`check\` and synth pass (a risk on a table that may hold rows):`);
        for (const finding of result.toAcknowledge) output.log(`    ${finding}`);
        output.log(`  After review, add \`-- bedrock:acknowledge <rule> <reason>\` to the file (e.g. \`-- bedrock:acknowledge BEDROCK-L4 orders holds 2,000 rows\`), then \`${COMMAND} rehash ${service}\``);
      }
    });

  program
    .command('check')
    .description('run the model rules synth runs, and check every migrations folder: names, checksums, one linear chain, tables equal to the snapshot')
    .argument('[service]', 'only this service')
    .option('--json', 'print one JSON document (README: JSON output); exit code 8 when anything is refused')
    .action((service: string | undefined, options: { json?: boolean }) => {
      const model = projectModel(project);
      const services = servicesOf(project, service).map((s) => ({
        service: s,
        problems: checkService(project, s, model),
        warnings: statementWarnings(migrationDirectoryOf(project, s).read().migrations, statementContext(s, project.registry)),
      }));
      const problems = services.flatMap((s) => s.problems);
      if (options.json) output.log(printed({ bedrock: JSON_VERSION, command: 'check', ok: problems.length === 0, services } satisfies CheckDocument));
      else for (const warning of services.flatMap((s) => s.warnings)) output.log(`warning: ${warning}`);
      if (problems.length > 0) throw new CliFailure(options.json ? `check: ${problems.length} problem(s) refused` : problems.join('\n'), EXIT.refused);
      if (!options.json) output.log(`ok: ${services.length} service(s), migrations consistent, tables equal to their snapshots`);
    });

  program
    .command('rebase')
    .description('regenerate a migration on top of the current head (fixes "multiple heads" after a merge)')
    .argument('<service>')
    .argument('<migration>', 'the id of the newer migration, which is removed and generated again (its data sections carried over)')
    .action((service: string, id: string) => {
      try {
        const rebased = rebaseMigration({ directory: migrationDirectoryOf(project, service), model: modelOf(project, service), id, registry: project.registry });
        for (const line of rebased.lines) output.log(line);
      } catch (error) {
        if (error instanceof RebaseError) throw new CliFailure(error.message);
        throw error;
      }
    });

  program
    .command('rules')
    .description('list the rules, with their ids and whether they may be acknowledged: the model rules (constructs), the statement rules and the lint rules (every statement of every migration)')
    .option('--json', 'print one JSON document (README: JSON output)')
    .action((options: { json?: boolean }) => {
      if (options.json) {
        const rules = [...BEDROCK_RULES.map((r) => ruleEntry(r, 'model')), ...STATEMENT_RULES.map((r) => ruleEntry(r, 'statement')), ...LINT_RULES.map((r) => ruleEntry(r, 'lint'))];
        output.log(printed({ bedrock: JSON_VERSION, command: 'rules', rules } satisfies RulesDocument));
        return;
      }
      const line = (rule: Rule | StatementRule, acknowledgeable: string) =>
        `${rule.id}  ${rule.name}: ${rule.description}. (${rule.acknowledgeable ? acknowledgeable : 'not acknowledgeable'}${rule.enforcedAt ? `; enforced at ${rule.enforcedAt}` : ''})`;
      output.log('Model rules, on the tables and services in code:');
      for (const rule of BEDROCK_RULES) output.log(line(rule, 'acknowledgeable with a reason'));
      output.log('Statement rules, on every statement of every migration (`generate`, `check`, synth):');
      for (const rule of STATEMENT_RULES) output.log(line(rule, `acknowledgeable in the file: -- bedrock:acknowledge ${rule.id} <reason>`));
      output.log('Lint rules, on every statement of every migration touching a table that may hold rows (errors fail `check` and synth unless acknowledged; warnings are printed):');
      for (const rule of LINT_RULES) output.log(line(rule, `${rule.severity ?? 'error'}; acknowledgeable in the file: -- bedrock:acknowledge ${rule.id} <reason>`));
    });

  program
    .command('review')
    .description('write the review page of what changed against a git base: pending migrations with each statement\'s lock and lint findings, grants gained and lost, read contracts and ownership touched, an ER diagram per service')
    .option('--base <ref>', 'the git ref the change is reviewed against', 'HEAD')
    .option('--format <format>', 'markdown, or json for CI bots', 'markdown')
    .action((options: { base: string; format: string }) => {
      if (options.format !== 'markdown' && options.format !== 'json') throw new CliFailure(`review: --format ${JSON.stringify(options.format)}: give markdown or json`);
      const page = reviewPage(project, new GitBase(project.root ?? process.cwd(), options.base));
      output.log(options.format === 'json' ? JSON.stringify(page, null, 2) : reviewMarkdown(page).trimEnd());
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
    .description('what the database holds, per service, against the migrations folder; the exit code says the worst state (README: exit codes)')
    .option('--service <service>', 'only this service')
    .option('--env <name>', ENV_OPTION)
    .option('--json', 'print one JSON document (README: JSON output)')
    .action((options: { service?: string; env?: string; json?: boolean }) => {
      const environment = environmentNamed(project, options.env);
      const services = servicesOf(project, options.service, environment);
      return withDatabase(environment, async (client) => {
        const reports: ServiceStatus[] = [];
        for (const service of services) reports.push(await serviceStatusReport(client, service, migrationDirectoryOf(project, service).read().migrations));
        if (options.json) output.log(printed({ bedrock: JSON_VERSION, command: 'status', environment: environment?.name ?? null, services: reports } satisfies StatusDocument));
        else for (const report of reports) output.log(statusLine(report));
        const code = worstExit(reports.map((r) => STATE_EXIT[r.state]));
        if (code !== EXIT.ok) throw new CliFailure(statusSummary(reports), code);
      });
    });

  program
    .command('history')
    .description("every migration applied to or rolled back from a service's part of the database, with when, by whom and how long")
    .argument('<service>')
    .option('--env <name>', ENV_OPTION)
    .option('--json', 'print one JSON document (README: JSON output)')
    .action((service: string, options: { env?: string; json?: boolean }) => {
      const environment = environmentNamed(project, options.env);
      servicesOf(project, service, environment);
      return withDatabase(environment, async (client) => {
        const rows = await historyRows(client, service);
        if (options.json) {
          output.log(printed({ bedrock: JSON_VERSION, command: 'history', service, entries: rows.map(historyEntry) } satisfies HistoryDocument));
          return;
        }
        if (rows.length === 0) output.log(`${service}: no history: nothing was ever applied`);
        for (const row of rows) {
          output.log(`${row.at.toISOString()}  ${row.action.padEnd(8)} ${row.id}  by ${row.by}${row.duration_ms !== null ? `  ${row.duration_ms} ms` : ''}${row.error ? `  error: ${row.error}` : ''}${row.note ? `  (${row.note})` : ''}`);
        }
      });
    });

  program
    .command('migrate')
    .description("apply pending migrations: of one service (to its head, or to --to), or of every service of the environment in its order, all checked before any runs; a migration stopped at a step resumes there")
    .option('--service <service>', 'only this service (without it: every service of --env, or every registered service)')
    .option('--to <id>', 'stop at this migration (with --service)')
    .option('--env <name>', `${ENV_OPTION}; its allowDowngrades lets a head below the database roll back, as at deploy`)
    .option('--accept-data-loss', 'allow such a rollback to drop tables or columns that hold data')
    .action((options: MigrateOptions) => migrateCommand(project, options, output));

  program
    .command('down')
    .description("roll a service back by its stored down SQL: one step, --steps N, or --to a migration ('base' for none)")
    .requiredOption('--service <service>')
    .option('--env <name>', 'required: the environment the database belongs to; it must allow downgrades (allowDowngrades in stacks/environments.ts)')
    .option('--to <id>', 'the migration to end at; base = before the first')
    .option('--steps <n>', 'how many migrations to roll back', (v) => Number(v))
    .option('--accept-data-loss', 'allow dropping tables or columns that hold data')
    .action((options: { service: string; env?: string; to?: string; steps?: number; acceptDataLoss?: boolean }) => {
      const service = servicesOf(project, options.service)[0];
      const environment = downgradeEnvironment(project, options.env, service);
      if ('refusal' in environment) throw new CliFailure(environment.refusal);
      // Connected as every --env is: the row checked as synth checks it first.
      return withDatabase(environmentNamed(project, options.env), async (client) => {
        const rows = await ledgerRows(client, service);
        const applied = rows.map((r) => r.id);
        let keep: number;
        if (options.to !== undefined) keep = options.to === 'base' ? 0 : applied.indexOf(options.to) + 1;
        else keep = applied.length - (options.steps ?? 1);
        if (options.to !== undefined && options.to !== 'base' && keep === 0) throw new CliFailure(`${service}: ${options.to} is not applied in this database (applied: ${applied.join(', ') || 'none'})`);
        if (keep < 0 || (options.steps !== undefined && !(Number.isInteger(options.steps) && options.steps > 0))) throw new CliFailure(`${service}: --steps must be between 1 and ${applied.length}`);
        const migrations = upTo(project, service, undefined).filter((m) => applied.slice(0, keep).includes(m.id));
        // The runner rolls back every ledger row beyond the plan, newest first: check those, before anything runs.
        const losses = options.acceptDataLoss ? [] : await rollbackLosses(client, service, migrations, runnerSettingsOf(environment.environment).backups.enabled);
        if (losses.length > 0) {
          const target = options.to !== undefined ? ` --to ${options.to}` : options.steps !== undefined ? ` --steps ${options.steps}` : '';
          throw new CliFailure(
            `${service}: this rollback destroys data; nothing was rolled back:\n${losses.map((l) => `  - ${l}`).join('\n')}\n` +
              `If that is intended, run again with --accept-data-loss (\`${COMMAND} down --service ${service} --env ${options.env}${target} --accept-data-loss\`).`,
          );
        }
        await converge(client, { plan: migrationPlan(service, ownerRoleName(service), migrations), allowDowngrades: true, ...runnerSettingsOf(environment.environment), log: output.log, reconnect: () => connect({ timeoutMs: 10_000, environment: environment.environment }) });
      });
    });

  program
    .command('resolve')
    .description('settle a migration that stopped part-way (failed outside a transaction, or stopped at a step), after inspecting the database')
    .requiredOption('--service <service>')
    .argument('<id>')
    .option('--applied', 'it did complete (by hand, every step): record it as applied')
    .option('--rolled-back', 'it left nothing behind (or you removed what it did): forget it')
    .option('--env <name>', ENV_OPTION)
    .action((id: string, options: { service: string; applied?: boolean; rolledBack?: boolean; env?: string }) => {
      if (!options.applied === !options.rolledBack) throw new CliFailure('resolve: give exactly one of --applied or --rolled-back');
      const environment = environmentNamed(project, options.env);
      servicesOf(project, options.service, environment);
      return withDatabase(environment, async (client) => {
        if (!(await resolveFailed(client, options.service, id, options.applied === true))) throw new CliFailure(`${options.service}: ${id} is not a migration that failed or stopped part-way in this database (see \`${COMMAND} status --service ${options.service}\`)`);
        output.log(`${options.service}: ${id} resolved as ${options.applied ? 'applied' : 'rolled back'}`);
      });
    });

  program
    .command('restore')
    .description("put back a copy the runner took before a migration or rollback destroyed data: a column's values by the table's primary key, or a table's rows (keys kept, sequences moved past them), in one transaction")
    .requiredOption('--service <service>')
    .argument('<backup>', 'the backup, as `status` lists it (e.g. b1)')
    .option('--env <name>', ENV_OPTION)
    .option('--dry-run', 'check everything and print the SQL restore would run; change nothing')
    .action((backup: string, options: Omit<RestoreOptions, 'backup'>) => {
      const environment = environmentNamed(project, options.env);
      servicesOf(project, options.service, environment);
      return withDatabase(environment, async (client) => {
        await restoreCommand(client, project, { ...options, backup }, output);
      });
    });

  program
    .command('drift')
    .description('compare the database with the plan, per service: tables and columns, objects no migration made, owners, privileges, roles and memberships; pending migrations told apart from drift; --posture adds whole-database checks')
    .option('--service <service>', 'only this service')
    .option('--posture', "also check the whole database: PUBLIC's privileges, schema owners, CREATE, SUPERUSER and other attributes, and memberships of the platform's roles")
    .option('--json', 'print one JSON document (README: JSON output)')
    .option('--env <name>', `${ENV_OPTION}; its services and access model (deploying role, legacy roles)`)
    .action((options: DriftCommandOptions) => withDatabase(environmentNamed(project, options.env), (client) => driftCommand(client, project, options, output)));

  program
    .command('baseline')
    .description('adopt a database built another way (the old Alembic process): if it equals the model, record the head as applied without running it')
    .requiredOption('--service <service>')
    .option('--env <name>', ENV_OPTION)
    .action((options: { service: string; env?: string }) => {
      const environment = environmentNamed(project, options.env);
      const service = servicesOf(project, options.service, environment)[0];
      return withDatabase(environment, async (client) => {
        const migrations = upTo(project, service, undefined);
        await baselineService(client, modelOf(project, service), migrations);
        output.log(`${service}: baselined at ${migrations[migrations.length - 1]?.id ?? 'no migration'} (${migrations.length} migration(s) recorded, none run)`);
      });
    });

  program
    .command('introspect')
    .description("write stacks/<service>/tables.ts from legacy tables in the database (the old Alembic schema): column builders, enums, keys, checks, indexes, foreign keys, defaults and comments, legacy names kept; what the model cannot express is listed")
    .requiredOption('--service <service>', 'the service that will own the tables')
    .option('--tables <list>', 'the legacy tables it owns, comma-separated (e.g. klines,chain_data)')
    .option('--ownership <file>', "a Markdown table of every legacy table and its owner service, as the seed's Table Ownership Registry")
    .option('--schema <schema>', 'where the legacy tables are', 'public')
    .option('--out <file>', 'where to write (default: tables.ts beside the service\'s migrations folder)')
    .option('--import <module>', "where the file imports the library from (a project using it as a package: its package name)", '../../lib')
    .option('--force', 'overwrite the file if it exists')
    .option('--env <name>', ENV_OPTION)
    .action((options: IntrospectOptions) => introspectCommand(project, options, output));

  program
    .command('adopt')
    .description("take over a service's legacy tables: check they equal the model of its first migration, then in one transaction move them (and their sequences and enum types) into the service's schema, make its owner role their owner, and record that migration as applied")
    .requiredOption('--service <service>')
    .option('--env <name>', `${ENV_OPTION}; its lock timeout and retries, and its legacyRoles`)
    .option('--schema <schema>', 'where the legacy tables are', 'public')
    .option('--legacy-role <role>', 'a role the old process connects as, besides the tables\' owner (repeatable): its search_path gets the service schema', (value: string, list: string[]) => [...list, value], [] as string[])
    .option('--drop-alembic-version', "drop the legacy schema's alembic_version (with the last service's adopt)")
    .option('--dry-run', 'check everything and print the SQL adopt would run; change nothing')
    .action((options: AdoptOptions) => adoptCommand(project, options, output));

  const adr = program.command('adr').description('decision records in docs/adr/ (the seed\'s "write an ADR" step)');
  adr
    .command('new')
    .description('write the next decision record, docs/adr/NNNN-<slug>.md, its context (owner, readers and writers of the tables; what the services own, write and read) filled in from the model')
    .argument('<title>', 'the decision in words, e.g. "portfolio writes decision_engine signals"')
    .option('--tables <tables>', 'the tables it is about, comma-separated: <service>.<table> or <table>')
    .option('--services <services>', 'the services it is about, comma-separated')
    .action((title: string, options: { tables?: string; services?: string }) => {
      adrCommand(project, title, options, output);
    });

  program
    .command('rehash')
    .description('rewrite bedrock.sum from the migration files as they are (after a reviewed hand edit of a migration never applied anywhere)')
    .argument('<service>')
    .action((service: string) => {
      const directory = migrationDirectoryOf(project, service);
      const state = directory.read();
      const refusals = directory.rehashRefusals(state);
      if (refusals.length > 0) {
        throw new CliFailure(`${service}: rehash only rewrites ${SUM_FILE} from the files as they are; fix these first (nothing was written):\n${refusals.map((r) => `  - ${r}`).join('\n')}`);
      }
      const migrations = state.migrations;
      directory.rehash(migrations);
      output.log(`${service}: bedrock.sum rewritten for ${migrations.length} migration(s). An edited migration that was applied somewhere will be refused there.`);
    });

  return program;
}



const ENV_OPTION = 'connect, and time out, as this environment of stacks/environments.ts says (the password from PGPASSWORD or ~/.pgpass); without it, DATABASE_URL or PG*';

const STATE_EXIT: Record<ServiceState, ExitCode> = { ok: EXIT.ok, pending: EXIT.pending, failed: EXIT.failed, edited: EXIT.edited, unknown: EXIT.unknown };

/** `status: pending in datahub, portfolio; failed in mlops`, for stderr beside the exit code. */
function statusSummary(reports: readonly ServiceStatus[]): string {
  const byState = new Map<ServiceState, string[]>();
  for (const r of reports) if (r.state !== 'ok') byState.set(r.state, [...(byState.get(r.state) ?? []), r.service]);
  return `status: ${[...byState].map(([state, services]) => `${state} in ${services.join(', ')}`).join('; ')}`;
}

/** `2 in a transaction, 1 outside one` */
function stepCounts(steps: readonly { mode: string }[]): string {
  const counts = new Map<string, number>();
  for (const step of steps) counts.set(step.mode, (counts.get(step.mode) ?? 0) + 1);
  return [...counts].map(([mode, n]) => `${n} ${mode === 'transaction' ? 'in a transaction' : mode === 'offline' ? 'offline' : 'outside a transaction'}`).join(', ');
}


/** Runs the CLI; returns the exit code. */
export async function runCli(project: BedrockProject, argv: readonly string[], output: Output = { log: console.log, error: console.error }): Promise<number> {
  try {
    await createCli(project, output).parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (error) {
    // Help and --version exit 0; every usage error (unknown option, missing argument) exits 2.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof CliFailure || error instanceof GenerateError || error instanceof UnsupportedChange || error instanceof RunnerError) {
      output.error(error.message);
      return error instanceof CliFailure ? error.code : 1;
    }
    output.error((error as Error).message);
    return 1;
  }
}

/** The project as the transfer pair sees it: every service's model and migrations folder. */
function transferProjectOf(project: BedrockProject, model: ProjectModel): TransferProject {
  return { services: project.registry.names, modelOf: (s) => model.schemaOf(s), directoryOf: (s) => migrationDirectoryOf(project, s) };
}
