// The SQL of a migration between two states of a service's schema, as `generate` would write it,
// for tests that apply it on PostgreSQL. One place, so tests do not depend on how the differ
// hands its result to the renderer.
import { diffSchemas } from '../../lib/migrations/schema-diff';
import { schemaChange } from '../../lib/migrations/schema-change';
import { createStatements } from '../../lib/migrations/create-statements';
import { ServiceSchema } from '../../lib/migrations/service-schema';
import type { RenderedStep } from '../../lib';

export interface MigrationSql {
  /** Every statement, in order (the steps flattened). */
  readonly up: readonly string[];
  readonly down: readonly string[];
  /** The statements in steps, as the runner runs them (apply with test/support/apply-steps.ts). */
  readonly upSteps: readonly RenderedStep[];
  readonly downSteps: readonly RenderedStep[];
  /** Changes in `up` that lose data, in words; generate refuses them without --accept-data-loss. */
  readonly destructive: readonly string[];
  /** One line per change. */
  readonly summary: readonly string[];
}

/** The up and down statements from `before` to `after` (throws UnsupportedChange when refused). */
export function migrationSql(before: ServiceSchema, after: ServiceSchema): MigrationSql {
  return schemaChange(diffSchemas(before, after));
}

/** The statements that create `model` from nothing. */
export function createSql(model: ServiceSchema): readonly string[] {
  return createStatements(model);
}
