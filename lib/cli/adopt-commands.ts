// `introspect` and `adopt`: taking over the database the old Alembic process built. introspect
// writes the service's tables.ts from the legacy tables; adopt moves those tables into the
// service's schema once they equal the model of its first migration.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { adopt } from '../adopt/adopt';
import { introspect } from '../adopt/introspect';
import { alembicRevisions } from '../adopt/alembic-version';
import { LegacyOwnership, ownershipFromList, ownershipFromMarkdown, tablesOwnedBy } from '../adopt/legacy-ownership';
import { tableSource } from '../adopt/table-source';
import { visibleText } from '../adopt/visible-text';
import { COMMAND } from '../migrations/migration-directory';
import { BedrockProject, migrationDirectoryOf, projectModel, serviceStacksOf } from '../project';
import { ownerRoleName, schemaName } from '../services/service-registry';
import { identifierError } from '../sql/identifier';
import { CliFailure, environmentNamed, Output, servicesOf, settingsFor, upTo, withDatabase } from './command-support';

export interface IntrospectOptions {
  readonly service: string;
  readonly tables?: string;
  readonly ownership?: string;
  readonly schema: string;
  readonly out?: string;
  readonly import: string;
  readonly force?: boolean;
  readonly env?: string;
}

export interface AdoptOptions {
  readonly service: string;
  readonly env?: string;
  readonly schema: string;
  readonly legacyRole: readonly string[];
  readonly dropAlembicVersion?: boolean;
  readonly dryRun?: boolean;
}

function legacySchemaOption(schema: string): string {
  const problem = identifierError(schema);
  if (problem) throw new CliFailure(`--schema: ${problem}`);
  return schema;
}

/** Every legacy table's owner: the file or list given, and the tables other services already define in code. */
function ownersOf(project: BedrockProject, options: IntrospectOptions): LegacyOwnership {
  if ((options.tables === undefined) === (options.ownership === undefined)) {
    throw new CliFailure(`introspect: give the tables ${options.service} owns, with --tables klines,chain_data or --ownership <file> (the seed's Table Ownership Registry as a Markdown table)`);
  }
  const given =
    options.ownership !== undefined
      ? ownershipFromMarkdown(existsSync(options.ownership) ? readFileSync(options.ownership, 'utf8') : missingFile(options.ownership), options.ownership, project.registry)
      : ownershipFromList(options.tables!, options.service);
  const owners = new Map<string, string>();
  // Tables already in code name their owner too (a foreign key into one becomes an application-level reference).
  const model = projectModel(project);
  for (const service of project.registry.names.filter((s) => s !== options.service)) for (const table of model.schemaOf(service).tables) owners.set(table.name, service);
  for (const [table, service] of given) owners.set(table, service);
  return owners;
}

function missingFile(file: string): never {
  throw new CliFailure(`--ownership: ${file} does not exist`);
}

/** tables.ts beside the service's migrations folder: stacks/<service>/tables.ts. */
export function tablesFileOf(project: BedrockProject, service: string): string {
  return path.join(path.dirname(project.migrationsDirectory(service)), 'tables.ts');
}


export async function introspectCommand(project: BedrockProject, options: IntrospectOptions, output: Output): Promise<void> {
  const service = servicesOf(project, options.service)[0];
  const legacySchema = legacySchemaOption(options.schema);
  const owners = ownersOf(project, options);
  const tables = options.tables !== undefined ? [...ownershipFromList(options.tables, service).keys()] : tablesOwnedBy(owners, service);
  if (tables.length === 0) throw new CliFailure(`introspect: ${options.ownership} gives ${service} no table`);
  const file = options.out ?? tablesFileOf(project, service);
  if (existsSync(file) && !options.force) throw new CliFailure(`${file} exists: introspect writes a whole new file; give --force to replace it (git keeps the old one), or --out <file> to write elsewhere`);
  await withDatabase(environmentNamed(project, options.env), async (client) => {
    const introspection = await introspect(client, { service, legacySchema, tables, owners });
    const revision = (await alembicRevisions(client, legacySchema))?.join(', ');
    const { source, unexpressed } = tableSource(introspection, { importFrom: options.import, origin: revision !== undefined ? `Alembic revision ${revision}` : undefined });
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, source);
    output.log(`${service}: wrote ${file}: ${introspection.tables.length} table(s) (${introspection.tables.map((t) => t.name).join(', ')}), ${introspection.enums.length} enum type(s), from schema ${legacySchema}${revision !== undefined ? ` at Alembic revision ${revision}` : ''}`);
    for (const reference of introspection.crossService) {
      output.log(visibleText(`  foreign key ${reference.foreignKey.name} of ${reference.table} points into ${reference.targetService}'s ${reference.foreignKey.references.table}: written as an application-level reference (adopt drops the constraint)`));
    }
    if (unexpressed.length > 0) {
      output.log(`  NOT EXPRESSED (listed in the file's header; adopt refuses until each is resolved in the database):`);
      for (const line of unexpressed) output.log(`    - ${visibleText(line)}`);
    }
    output.log(`Next: review ${file}${project.tables[service] ? '' : `, add ${service} to the tables map (stacks/tables.ts)`}, then`);
    output.log(`  ${COMMAND} generate ${service} adopt_legacy_tables      # the first migration: what a fresh database gets`);
    output.log(`  ${COMMAND} adopt --service ${service} --dry-run           # what adopt will check and run on the legacy database`);
  });
}

export async function adoptCommand(project: BedrockProject, options: AdoptOptions, output: Output): Promise<void> {
  const service = servicesOf(project, options.service)[0];
  const legacySchema = legacySchemaOption(options.schema);
  for (const role of options.legacyRole) if (identifierError(role)) throw new CliFailure(`--legacy-role ${JSON.stringify(role)}: ${identifierError(role)}`);
  const settings = settingsFor(project, options.env, service);
  const environment = environmentNamed(project, options.env);
  const legacyRoles = [...new Set([...(environment?.legacyRoles ?? []), ...options.legacyRole])];
  const migrations = upTo(project, service, undefined);
  if (migrations.length === 0) throw new CliFailure(`${service}: no migration yet: run \`${COMMAND} introspect --service ${service} ...\` and \`${COMMAND} generate ${service} adopt_legacy_tables\` first`);
  const first = migrations[0];
  const snapshot = migrationDirectoryOf(project, service).readSnapshot(first.id);
  if ('problem' in snapshot) throw new CliFailure(snapshot.problem);
  // The application-level references in code stand for the legacy foreign keys into other services.
  const appReferences = serviceStacksOf(project, [service])[0].tables.flatMap((table) => table.appReferences.map((r) => ({ table: table.name, columns: r.columns, target: r.table })));
  await withDatabase(environment, async (client) => {
    const result = await adopt(client, {
      appReferences,
      service,
      environment: options.env,
      schema: schemaName(service),
      ownerRole: ownerRoleName(service),
      legacySchema,
      first: { migration: first, model: snapshot.schema },
      legacyRoles,
      dropAlembicVersion: options.dropAlembicVersion,
      dryRun: options.dryRun,
      settings,
      log: output.log,
    });
    if (options.dryRun) output.log(`-- ${service}: adopt --dry-run: the legacy tables equal the model of ${first.id}; nothing was changed. adopt would run, in one transaction:`);
    else output.log(`${service}: adopted ${result.sql.length > 0 ? 'in one transaction' : ''}: ${first.id} recorded as applied (${result.origin})`);
    for (const statement of result.sql) output.log(`${statement};`);
    output.log(`-- ${options.dryRun ? 'then record' : 'recorded'} ${first.id} as applied (baselined) in bedrock.migrations, and an 'adopt' history row: ${result.origin}`);
    for (const note of result.notes) output.log(`note: ${visibleText(note)}`);
    const later = migrations.length - 1;
    output.log(`Next: deploy the service's stack${options.env ? ` (npx cdktf deploy ${options.env}-${service})` : ''}: it grants the app roles${later > 0 ? ` and runs the ${later} later migration(s)` : ''}.`);
  });
}
