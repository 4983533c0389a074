// `generate` for a table transfer (`transferredFrom`): the pair of migrations, the giver's
// release and the taker's adopt, written together whichever of the two services is named. The
// adopt names the release it waits for (in its snapshot, and so in its first line), which the
// runner checks in the ledger before moving anything. Each migration of the pair holds its
// transfers alone, so a reviewer reads a move and nothing else, and the table moves exactly as
// the giver's last snapshot has it: a change to it belongs in a migration before or after.
import { canonicalSchema, ServiceSchema } from './service-schema';
import { TableModel } from '../schema/schema-model';
import { MigrationDirectory, COMMAND } from './migration-directory';
import { diffSchemas } from './schema-diff';
import { GenerateError, generateMigration, GenerateOptions, GeneratedMigration } from './generate';

/** One table moving from `giver` to `taker`, declared in the taker's model and not yet in its snapshots. */
export interface PendingTransfer {
  readonly table: string;
  readonly giver: string;
  readonly taker: string;
}

/** What the pair needs of every service of the project. */
export interface TransferProject {
  readonly services: readonly string[];
  modelOf(service: string): ServiceSchema;
  directoryOf(service: string): MigrationDirectory;
}

/** The transfers `service` takes part in, as giver or taker, that its snapshots do not hold yet. */
export function pendingTransfers(project: TransferProject, service: string): PendingTransfer[] {
  return project.services.flatMap((taker) => {
    const model = project.modelOf(taker);
    const head = headSnapshot(project.directoryOf(taker));
    return model.tables.flatMap((table) => {
      const giver = table.transferredFrom?.service;
      if (giver === undefined || head.tables.some((t) => t.name === table.name)) return [];
      return giver === service || taker === service ? [{ table: table.name, giver, taker }] : [];
    });
  });
}

export interface TransferPairOptions extends Pick<GenerateOptions, 'registry' | 'now'> {
  readonly project: TransferProject;
  readonly transfers: readonly PendingTransfer[];
  /** The service named on the command line, whose migration takes `description`. */
  readonly service: string;
  readonly description: string;
}

/** A written migration of the pair, with its service. */
export interface WrittenTransfer extends GeneratedMigration {
  readonly service: string;
}

/**
 * Writes the releases still missing, then the adopts (each naming its release). Everything is
 * checked before the first file is written; throws GenerateError naming the fix otherwise.
 */
export function generateTransferPair(options: TransferPairOptions): WrittenTransfer[] {
  const { project, transfers } = options;
  const givers = [...new Set(transfers.map((t) => t.giver))];
  const takers = [...new Set(transfers.map((t) => t.taker))];
  for (const transfer of transfers) refuseUnsound(project, transfer);
  const toRelease = givers.filter((giver) => transfers.some((t) => t.giver === giver && headSnapshot(project.directoryOf(giver)).tables.some((table) => table.name === t.table)));
  for (const service of [...toRelease, ...takers]) refuseOtherChanges(project, service, transfers);
  const written: WrittenTransfer[] = [];
  for (const giver of toRelease) written.push(...write(options, giver, project.modelOf(giver), `release_${names(transfers.filter((t) => t.giver === giver), 'to')}`));
  for (const taker of takers) {
    const mine = transfers.filter((t) => t.taker === taker);
    const model = project.modelOf(taker);
    const withReleases: ServiceSchema = {
      ...model,
      tables: model.tables.map((table) => {
        const transfer = mine.find((t) => t.table === table.name);
        return transfer ? { ...table, transferredFrom: { ...table.transferredFrom!, release: releaseOf(project.directoryOf(transfer.giver), transfer.table) } } : table;
      }),
    };
    written.push(...write(options, taker, withReleases, `adopt_${names(mine, 'from')}`));
  }
  return written;
}

function write(options: TransferPairOptions, service: string, model: ServiceSchema, derived: string): WrittenTransfer[] {
  const description = service === options.service ? options.description : derived.slice(0, 100).replace(/_+$/, '');
  const result = generateMigration({ directory: options.project.directoryOf(service), model, description, registry: options.registry, now: options.now });
  if (!result.written) throw new GenerateError(`${service}: the transfer wrote nothing (the snapshots already hold it)`);
  return result.migrations.map((m) => ({ ...m, service }));
}

/** `klines_to_portfolio` (a release), `klines_and_trades_from_datahub` (an adopt). */
function names(transfers: readonly PendingTransfer[], side: 'to' | 'from'): string {
  const others = [...new Set(transfers.map((t) => (side === 'to' ? t.taker : t.giver)))];
  return `${transfers.map((t) => t.table).join('_and_')}_${side}_${others.join('_and_')}`;
}

function headSnapshot(directory: MigrationDirectory): ServiceSchema {
  const state = directory.read();
  if (state.problems.length > 0) throw new GenerateError(`${directory.service}: fix the migrations folder first:\n${state.problems.map((p) => `  - ${p}`).join('\n')}`);
  return directory.snapshot(state.migrations[state.migrations.length - 1]?.id);
}

/** The giver's migration that released `table`: the first whose snapshot lists it as released and lacks it. */
function releaseOf(directory: MigrationDirectory, table: string): string {
  for (const migration of directory.read().migrations) {
    const snapshot = directory.snapshot(migration.id);
    if (!snapshot.tables.some((t) => t.name === table) && snapshot.released?.some((r) => r.table === table)) return migration.id;
  }
  throw new GenerateError(`${directory.service}: no migration of ${directory.service} releases ${table}`);
}

/** The table as the taker declares it must be the giver's, as its last snapshot holds it; the giver must have let go of it. */
function refuseUnsound(project: TransferProject, transfer: PendingTransfer): void {
  const { table, giver, taker } = transfer;
  if (!project.services.includes(giver)) throw new GenerateError(`${taker}: ${table} is transferredFrom ${giver}, which is not a service of this project: name the service that owns it now`);
  const giverModel = project.modelOf(giver);
  if (giverModel.tables.some((t) => t.name === table)) {
    throw new GenerateError(`${taker}: ${table} is transferredFrom ${giver}, but ${giver} still defines it: remove it from ${giver}'s tables (it moves with its rows); nothing written`);
  }
  const given = givenTable(project.directoryOf(giver), table);
  if (!given) throw new GenerateError(`${taker}: ${table} is transferredFrom ${giver}, but no migration of ${giver} created it: create it in ${taker} (remove transferredFrom), or name the service that has it`);
  const taken = project.modelOf(taker).tables.find((t) => t.name === table)!;
  const differences = tableDifferences(given.table, taken, project.modelOf(taker).schema);
  if (differences.length > 0) {
    throw new GenerateError(
      `${taker}: ${table} must move exactly as ${giver} has it (${given.where}); it differs in: ${differences.join(', ')}. ` +
        `Declare it as it is, generate the transfer, then change it in a migration of its own; nothing written`,
    );
  }
  const stillDeclared = given.enums.filter((name) => giverModel.enums.some((e) => e.name === name));
  if (stillDeclared.length > 0) {
    throw new GenerateError(`${taker}: ${table} uses enum ${stillDeclared.join(', ')}, which moves with it, but ${giver} still defines it: an enum moves only when no table of ${giver} needs it; remove it from ${giver}, or give ${taker} an enum of its own; nothing written`);
  }
}

/** The giver's table before its release, where it was read from, and its enums. */
function givenTable(directory: MigrationDirectory, table: string): { table: TableModel; where: string; enums: string[] } | undefined {
  const migrations = directory.read().migrations;
  for (let i = migrations.length - 1; i >= 0; i--) {
    const found = directory.snapshot(migrations[i].id).tables.find((t) => t.name === table);
    if (found) {
      const enums = [...new Set(found.columns.flatMap((c) => (c.type.kind === 'enum' && c.type.schema === found.schema ? [c.type.name] : [])))];
      return { table: found, where: `snapshot of ${migrations[i].id}`, enums };
    }
  }
  return undefined;
}

/** The parts in which the two tables differ, the schema aside (their names and the hints too). */
function tableDifferences(given: TableModel, taken: TableModel, schema: string): string[] {
  const moved = JSON.parse(JSON.stringify(given).split(`"schema":${JSON.stringify(given.schema)}`).join(`"schema":${JSON.stringify(schema)}`)) as TableModel;
  const plain = (t: TableModel) => canonicalSchema({ service: '', schema, enums: [], tables: [t] }).tables[0] as unknown as Record<string, unknown>;
  const [a, b] = [plain(moved), plain(taken)];
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]));
}

/** A migration of the pair holds its transfers alone. */
function refuseOtherChanges(project: TransferProject, service: string, transfers: readonly PendingTransfer[]): void {
  const directory = project.directoryOf(service);
  const diff = diffSchemas(headSnapshot(directory), canonicalSchema(project.modelOf(service), { keepRenames: true }));
  const others = diff.up.filter((c) => c.kind !== 'TransferTable' || !transfers.some((t) => t.table === c.transfer.table));
  if (others.length > 0) {
    throw new GenerateError(
      `${service}: a transfer migration holds the transfer alone, and ${service}'s tables have other changes not yet generated:\n${others.map((c) => `  - ${c.description}`).join('\n')}\n` +
        `Generate those first without the transfer (leave the table where it is until then), then the transfer: \`${COMMAND} generate ${service} <description>\`; nothing written`,
    );
  }
}
