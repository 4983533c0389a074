// The integrity of one service's migrations against its model: the folder (names,
// checksums, one chain), statements that cannot run in a transaction, and the model equal to
// the snapshot at the head. Shared by `check` and by the synth of a service stack.
import { COMMAND, DirectoryState, MigrationDirectory } from './migration-directory';
import { sameSchema } from './generate';
import { ServiceSchema } from './service-schema';
import { transactionProblems } from './transaction-check';

export function migrationFolderProblems(directory: MigrationDirectory, state: DirectoryState, model: ServiceSchema): string[] {
  if (state.problems.length > 0) return [...state.problems];
  const statements = state.migrations.flatMap((m) => transactionProblems(m).map((p) => `${directory.service}: ${m.id}.sql: ${p}`));
  if (statements.length > 0) return statements;
  const head = state.migrations[state.migrations.length - 1];
  if (sameSchema(model, directory.snapshot(head?.id))) return [];
  return [`${directory.service}: the tables in code differ from the snapshot at ${head?.id ?? 'the start (no migration yet)'}: run \`${COMMAND} generate ${directory.service} <description>\``];
}
