// `rebase <service> <migration>`: the newer of two heads (after a merge) is removed and generated
// again on top of the chain, with the same description; its data sections, hand-written, are
// carried over to the same place (carried-data.ts) and the output says where each went.
import { COMMAND, MigrationDirectory } from './migration-directory';
import { GenerateResult, generateMigration } from './generate';
import { ServiceSchema } from './service-schema';
import { ServiceRegistry } from '../services/service-registry';

export interface RebaseOptions {
  readonly directory: MigrationDirectory;
  /** The service's schema as the code defines it now. */
  readonly model: ServiceSchema;
  /** The migration to generate again, e.g. `20250110_143000_portfolio_add_trades`. */
  readonly id: string;
  readonly registry?: ServiceRegistry;
  /** @default now */
  readonly now?: Date;
}

/** A rebase that cannot start: nothing was changed. */
export class RebaseError extends Error {}

export interface RebaseResult {
  readonly removed: string;
  readonly result: GenerateResult;
  /** What to print, in order. */
  readonly lines: readonly string[];
}

export function rebaseMigration(options: RebaseOptions): RebaseResult {
  const { directory, id } = options;
  const { service } = directory;
  if (!/^\d{8}_\d{6}_/.test(id)) throw new RebaseError(`${service}: "${id}" is not a migration id (e.g. 20250110_143000_${service}_add_trades)`);
  const description = id.slice(16 + service.length + 1);
  const all = directory.read().migrations;
  directory.remove(id, all.filter((m) => m.id !== id && m.parent !== id));
  const carried = directory.takeRemovedData();
  const remaining = directory.read();
  if (remaining.problems.length > 0) throw new RebaseError(`${service}: after removing ${id}:\n${remaining.problems.join('\n')}`);
  directory.rehash(remaining.migrations);
  // Data loss was accepted when the migration was first generated; rebase writes the same change.
  const result = generateMigration({ directory, model: options.model, description, acceptDataLoss: true, registry: options.registry, now: options.now, ...(carried ? { carried } : {}) });
  const lines = [
    `${service}: removed ${id}; ${result.written ? `wrote ${result.migrations.map((m) => `${m.migration.id}.sql`).join(' and ')} on top of ${result.migrations[0].migration.parent ?? 'nothing'}` : 'nothing left to generate'}`,
    ...(result.written ? result.carried.map((line) => `  ${line}`) : []),
    ...(result.written ? result.dataProblems.map((problem) => `  data section to fix before \`check\` passes: ${problem}`) : []),
    `If ${id} was applied to a database, roll it back there first (\`${COMMAND} down --service ${service} --env <environment>\`).`,
  ];
  return { removed: id, result, lines };
}
