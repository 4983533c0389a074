// BEDROCK-S1: a migration touches only its own service's schema. Every relation, type, index,
// sequence and routine it names is unqualified (the runner resolves it in the service's schema)
// or qualified with that schema, and what it creates is qualified with that schema; built-in
// and extension functions and types may be used, never changed. Even run as a superuser, a
// DROP of another service's table is refused here.
import { LEDGER_SCHEMA, StatementContext } from './statement-context';
import { ParsedStatement, StatementRule } from './statement-rule';
import { displayName } from './syntax-tree';
import { NameKind, TouchedName } from './touched-name';
import { touchedNames } from './touched-names';

export const OwnSchemaOnly: StatementRule = {
  id: 'BEDROCK-S1',
  name: 'OwnSchemaOnly',
  description: "A migration touches only its service's schema (names unqualified or qualified with it; what it creates, qualified); functions and types of pg_catalog and the extensions may be used",
  acknowledgeable: false,
  check: (statement, context) => [...new Set(touchedNames(statement).flatMap((name) => nameProblem(name, statement, context) ?? []))],
};

/** Kinds PostgreSQL and the extensions provide for use in any schema's objects. */
const SHARED_KINDS: ReadonlySet<NameKind> = new Set(['type', 'function', 'operator', 'collation', 'operator class']);

const SYSTEM_SCHEMAS = /^(pg_catalog|information_schema|pg_toast|pg_temp.*|pg_toast_temp.*)$/;

function nameProblem(name: TouchedName, statement: ParsedStatement, context: StatementContext): string | undefined {
  const { service } = context;
  const shown = name.shown ?? displayName(name.parts);
  if (name.kind === 'database-wide object') {
    return `${statement.label} ${shown} changes a database-wide object, outside every service's schema; ${service}'s migrations may only change ${service}'s objects: roles, the database, extensions and event triggers are the platform stack's (PlatformStack), and a migration names the tables it works on`;
  }
  if (name.kind === 'schema') {
    return `${statement.label} ${shown} changes a schema itself; ${service}'s migrations may only change ${service}'s objects: schemas are the platform stack's (PlatformStack creates one per service)`;
  }
  if (name.temporary) {
    // It would live for the rest of the runner's session, across later migrations.
    return `${statement.label} ${shown} creates a temporary object, which lives on in the runner's session after this migration: create it in ${context.schema} and drop it at the end of the migration`;
  }
  if (name.schema === undefined && name.created) {
    // Lookups go through the service schema, but creation goes to the first schema of the
    // search_path: pg_catalog, where PostgreSQL refuses it at deploy.
    return `${statement.label} ${shown} creates an object without naming its schema; ${service}'s migrations create ${service}'s objects in ${context.schema}: write ${displayName([context.schema, ...name.parts])} (the runner's search_path starts with pg_catalog, where PostgreSQL would try to create it and refuse)`;
  }
  if (name.schema === undefined) {
    const place = unqualifiedPlace(name, context);
    return place && outsideProblem(name, statement, context, place);
  }
  if (name.schema === context.schema) return undefined;
  const sharedSchema = name.schema === 'pg_catalog' || context.extensionSchemas.includes(name.schema);
  if (!name.changed && sharedSchema && SHARED_KINDS.has(name.kind)) return undefined;
  return outsideProblem(name, statement, context, where(name.schema, context));
}

interface Where {
  /** e.g. "service datahub's schema" */
  readonly phrase: string;
  readonly fix: string;
}

/**
 * Unqualified names resolve through the runner's search_path (pg_catalog, the service's schema,
 * public): fine, except where a pg_catalog relation is what they would mean. (An unqualified name
 * never reaches another service's schema: it is not on the search_path.)
 */
function unqualifiedPlace(name: TouchedName, context: StatementContext): Where | undefined {
  if (name.kind !== 'relation') return undefined;
  const table = name.parts[name.parts.length - 1];
  if (!table.startsWith('pg_')) return undefined;
  return {
    phrase: `the system schema pg_catalog (unqualified names resolve there first: the runner's search_path is pg_catalog, ${context.schema}, public)`,
    fix: `qualify it with ${context.schema} if ${context.service}'s own table is meant`,
  };
}

function where(schema: string, context: StatementContext): Where {
  const other = context.otherServices.get(schema);
  if (other !== undefined) return { phrase: `service ${other}'s schema`, fix: otherServiceFix(other) };
  const shown = displayName([schema]);
  if (SYSTEM_SCHEMAS.test(schema)) return { phrase: `the system schema ${shown}`, fix: "the system catalogs are PostgreSQL's own" };
  if (schema === LEDGER_SCHEMA) return { phrase: `the migration ledger's schema ${shown}`, fix: 'the ledger is written by the runner alone' };
  if (context.extensionSchemas.includes(schema)) {
    return { phrase: `the extensions' schema ${shown}`, fix: `${shown} holds the environment's extensions (PlatformStack); create ${context.service}'s objects in ${context.schema}` };
  }
  return {
    phrase: `schema ${shown}, which is not ${context.service}'s`,
    fix: `qualify the name with ${context.schema}, or leave it unqualified (the runner's search_path is pg_catalog, ${context.schema}, public)`,
  };
}

function otherServiceFix(owner: string): string {
  return `leave ${owner}'s objects to ${owner}'s own migrations (to point at its tables, declare an application-level reference, appReferences, in the model)`;
}

/** "DROP TABLE datahub.klines touches ..." for what the statement changes; "CREATE TABLE uses relation datahub.klines from ..." for what it only uses. */
function outsideProblem(name: TouchedName, statement: ParsedStatement, context: StatementContext, place: Where): string {
  const { service } = context;
  const shown = name.shown ?? displayName(name.parts);
  if (name.changed) return `${statement.label} ${shown} touches ${place.phrase}; ${service}'s migrations may only change ${service}'s objects: ${place.fix}`;
  const shared = SHARED_KINDS.has(name.kind) ? " (and pg_catalog's and the extensions' functions and types)" : '';
  return `${statement.label} uses ${name.kind} ${shown} from ${place.phrase}; ${service}'s migrations may only use ${service}'s objects${shared}: ${place.fix}`;
}
