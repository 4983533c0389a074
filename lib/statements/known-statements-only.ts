// BEDROCK-S4: a migration holds only the kinds of statement a schema migration does. Anything
// else (extensions, schemas, servers, publications, transactions...) is refused by default:
// the safe answer for a kind nobody has thought through is no.
import { IDENTITY_DROP_TYPES, IDENTITY_STATEMENT_KINDS } from './no-identity-or-privilege-changes';
import { PROCEDURAL_STATEMENT_KINDS } from './procedural-code-acknowledged';
import { ParsedStatement, StatementRule } from './statement-rule';

export const KnownStatementsOnly: StatementRule = {
  id: 'BEDROCK-S4',
  name: 'KnownStatementsOnly',
  description: 'Only the statements of a schema migration (tables, indexes, types, sequences, views, comments, DML...); everything else is the platform stack\'s or needs an issue',
  acknowledgeable: false,
  check: (statement) => (isKnown(statement) ? [] : [`${statement.label} (${describe(statement)}) is not a statement a service's migration runs: ${fixFor(statement)}`]),
};

/** What schema migrations do. */
const MIGRATION_KINDS = new Set([
  'CreateStmt',
  'AlterTableStmt',
  'IndexStmt',
  'RenameStmt',
  'CommentStmt',
  'CreateEnumStmt',
  'AlterEnumStmt',
  'CreateSeqStmt',
  'AlterSeqStmt',
  'CompositeTypeStmt',
  'CreateRangeStmt',
  'CreateDomainStmt',
  'AlterDomainStmt',
  'ViewStmt',
  'CreateTableAsStmt',
  'RefreshMatViewStmt',
  'InsertStmt',
  'UpdateStmt',
  'DeleteStmt',
  'MergeStmt',
  'SelectStmt',
  'TruncateStmt',
  'LockStmt',
  'ClusterStmt',
  'ReindexStmt',
  'VacuumStmt',
  'CreateStatsStmt',
  'AlterStatsStmt',
  'AlterObjectSchemaStmt',
  'ConstraintsSetStmt',
  // Judged by BEDROCK-S2 and BEDROCK-S3, which explain their refusals better.
  ...IDENTITY_STATEMENT_KINDS,
  ...PROCEDURAL_STATEMENT_KINDS,
]);

/** What a migration may DROP: its own schema objects, and the routines it acknowledged creating. */
const DROPPABLE = new Set([
  'OBJECT_TABLE',
  'OBJECT_INDEX',
  'OBJECT_SEQUENCE',
  'OBJECT_VIEW',
  'OBJECT_MATVIEW',
  'OBJECT_TYPE',
  'OBJECT_DOMAIN',
  'OBJECT_COLLATION',
  'OBJECT_STATISTIC_EXT',
  'OBJECT_FUNCTION',
  'OBJECT_PROCEDURE',
  'OBJECT_ROUTINE',
  'OBJECT_AGGREGATE',
  'OBJECT_OPERATOR',
  'OBJECT_TRIGGER',
  'OBJECT_RULE',
]);

/** What a migration may CREATE with the generic DefineStmt: types, collations, and (acknowledged) aggregates and operators. */
const DEFINABLE = new Set(['OBJECT_TYPE', 'OBJECT_COLLATION', 'OBJECT_AGGREGATE', 'OBJECT_OPERATOR']);

function isKnown({ kind, node }: ParsedStatement): boolean {
  if (kind === 'DropStmt') return DROPPABLE.has(String(node.removeType)) || IDENTITY_DROP_TYPES.includes(String(node.removeType));
  if (kind === 'DefineStmt') return DEFINABLE.has(String(node.kind));
  return MIGRATION_KINDS.has(kind);
}

function describe({ kind, node }: ParsedStatement): string {
  if (kind === 'DropStmt') return `${kind} of ${String(node.removeType).replace(/^OBJECT_/, '').toLowerCase()}`;
  if (kind === 'DefineStmt') return `${kind} of ${String(node.kind).replace(/^OBJECT_/, '').toLowerCase()}`;
  return kind;
}

const PLATFORM = "the platform stack (PlatformStack) owns database-wide objects; if a migration really needs it, open an issue";

/** Fixes for the kinds people do write into migrations. */
const FIXES: Readonly<Record<string, string>> = {
  TransactionStmt: 'the runner runs each step of a migration in a transaction of its own (or alone outside one, under `-- +step outside transaction`): remove it',
  CreateExtensionStmt: "extensions are the platform stack's: list the extension in the environment's `extensions` (PlatformStack installs it)",
  AlterExtensionStmt: "extensions are the platform stack's: list the extension in the environment's `extensions` (PlatformStack installs it)",
  CreateSchemaStmt: "schemas are the platform stack's: PlatformStack creates one per service; put the service's objects in its own schema",
  CreatedbStmt: "the database is the platform stack's (PlatformStack)",
  DropdbStmt: "the database is the platform stack's (PlatformStack)",
  LoadStmt: 'LOAD puts a shared library into the server process: that is the platform team\'s, outside migrations',
  CheckPointStmt: 'checkpoints are the server\'s and the platform team\'s: remove it',
  NotifyStmt: "NOTIFY reaches every session listening on the channel (other services' applications): a migration changes the schema and never talks to applications; remove it",
};

function fixFor({ kind, node }: ParsedStatement): string {
  if (kind === 'DropStmt' && node.removeType === 'OBJECT_SCHEMA') return FIXES.CreateSchemaStmt;
  if (kind === 'DropStmt' && node.removeType === 'OBJECT_EXTENSION') return FIXES.CreateExtensionStmt;
  return FIXES[kind] ?? PLATFORM;
}
