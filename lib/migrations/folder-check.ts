// The integrity of one service's migrations against its model: the folder (names,
// checksums, one chain), every statement judged by the statement rules, statements that
// cannot run in a transaction, and the model equal to the snapshot at the head. Shared by
// `check` and by the synth of a service stack.
import { COMMAND, DirectoryState, MigrationDirectory } from './migration-directory';
import { sameSchema } from './generate';
import { Migration } from './migration-file';
import { ServiceSchema } from './service-schema';
import { transactionProblems } from './transaction-check';
import { retypedReadColumns } from './read-contract-check';
import { ServiceRegistry } from '../services/service-registry';
import { findingText, judgeMigration } from '../statements/judge-migration';
import { ParseableStatements } from '../statements/parseable-statements';
import { StatementContext, statementContext } from '../statements/statement-context';
import { schemaPartProblems, transitionOf } from './schema-part-check';
import { dataSectionProblems } from './data-sections-check';

export function migrationFolderProblems(directory: MigrationDirectory, state: DirectoryState, model: ServiceSchema, registry: ServiceRegistry): string[] {
  // Statements are judged even when the folder has problems: a hand edit is reported with
  // everything else, all at once. So is a hand edit outside the data sections of a generated
  // migration (schema-part-check.ts), and what the data sections declare against the snapshots.
  const context = statementContext(directory.service, registry);
  const headId = state.migrations[state.migrations.length - 1]?.id;
  const statements = state.migrations.flatMap((m) => [...statementProblems(m, context), ...generatedPartProblems(m, directory, headId, context)]);
  if (state.problems.length > 0) return [...state.problems, ...statements];
  if (statements.length > 0) return statements;
  const head = state.migrations[state.migrations.length - 1];
  const retyped = retypedReadColumns(registry, directory.snapshot(head?.id), model).map((p) => `${directory.service}: ${p}`);
  if (retyped.length > 0) return retyped;
  if (sameSchema(model, directory.snapshot(head?.id))) return [];
  return [`${directory.service}: the tables in code differ from the snapshot at ${head?.id ?? 'the start (no migration yet)'}: run \`${COMMAND} generate ${directory.service} <description>\``];
}

/** The schema part against a new rendering of the transition, and the data sections against the snapshots. */
function generatedPartProblems(migration: Migration, directory: MigrationDirectory, head: string | undefined, context: StatementContext): string[] {
  const schemaPart = schemaPartProblems(migration, directory, head);
  if (migration.dataSections.length === 0) return schemaPart;
  const snapshots = transitionOf(migration, directory, head);
  return [...schemaPart, ...('problems' in snapshots ? [] : dataSectionProblems(migration, snapshots.before, snapshots.after, context))];
}

/** The statement and lint rules' errors, then the step check (unless the judge found the SQL unparseable: said once). */
function statementProblems(migration: Migration, context: StatementContext): string[] {
  const findings = judgeMigration(migration, context).filter((f) => f.severity === 'error');
  const unparseable = findings.some((f) => f.rule === ParseableStatements.id);
  return [...findings.map(findingText), ...(unparseable ? [] : transactionProblems(migration).map((p) => `${context.service}: ${migration.id}.sql: ${p}`))];
}
