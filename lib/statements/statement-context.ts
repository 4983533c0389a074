// What the statement rules know besides the statement: whose migration it is, which schema is
// its own, and which schemas belong to the other services (so a refusal can name them).
import { ownerRoleName, schemaName, ServiceRegistry } from '../services/service-registry';

export interface StatementContext {
  /** The service whose migration is judged. */
  readonly service: string;
  /** Its schema: unqualified names resolve here (the runner's search_path is `pg_catalog, <schema>, public`). */
  readonly schema: string;
  /** The role the runner runs the migration as, for messages. */
  readonly ownerRole: string;
  /** Every other registered service, by its schema. */
  readonly otherServices: ReadonlyMap<string, string>;
  /** Where the environment's extensions live: their functions and types may be used, never changed. */
  readonly extensionSchemas: readonly string[];
}

/** The schema the PlatformStack installs extensions into (see the platform stack's extensions). */
export const EXTENSION_SCHEMA = 'public';

/** The runner's ledger (lib/runner/ledger.ts): no migration may touch it. */
export const LEDGER_SCHEMA = 'bedrock';

/**
 * The context for `service`'s migrations. Without a registry only the service itself is
 * known: another service's schema is still refused, without naming its owner.
 */
export function statementContext(service: string, registry?: ServiceRegistry): StatementContext {
  const others = (registry?.names ?? []).filter((name) => name !== service);
  return {
    service,
    schema: schemaName(service),
    ownerRole: ownerRoleName(service),
    otherServices: new Map(others.map((name) => [schemaName(name), name])),
    extensionSchemas: [EXTENSION_SCHEMA],
  };
}
