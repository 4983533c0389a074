// Flyway's rule for a database built another way ("non-empty schema without schema history:
// baseline first"), for the Alembic-built one: a service that never ran a migration here, whose
// migrations would create tables that already sit in `public` (or in a schema where Alembic keeps
// its alembic_version), is not deployed. Running it
// would create empty tables in the service's schema beside the legacy ones holding the rows,
// and the old process would go on writing to those. `adopt` takes them over instead.
import { ClientBase } from 'pg';
import { LedgerRow } from './ledger';
import { MigrationPlan } from './planned-migration';
import { RunnerError } from './runner-error';

const QUALIFIED = /^"((?:[^"]|"")*)"\."((?:[^"]|"")*)"$/;

/** The tables the service's migrations name in its own schema (those they create, among others). */
function plannedTables(plan: MigrationPlan): string[] {
  const schema = plan.schema ?? plan.service;
  const names = new Set<string>();
  for (const migration of plan.migrations) {
    for (const step of migration.upSteps) {
      for (const table of step.tables) {
        const match = QUALIFIED.exec(table);
        if (match && match[1].replace(/""/g, '"') === schema) names.add(match[2].replace(/""/g, '"'));
      }
    }
  }
  return [...names];
}

/**
 * Refuses, before anything runs, to start a service (no ledger row yet) whose migrations would
 * create tables the old process still holds: tables of those names in `public` or in any schema
 * that holds an `alembic_version` table (where Alembic keeps its schema).
 */
export async function refuseUnadoptedLegacyTables(client: ClientBase, plan: MigrationPlan, rows: readonly LedgerRow[]): Promise<void> {
  if (rows.length > 0 || plan.migrations.length === 0) return;
  const names = plannedTables(plan);
  if (names.length === 0) return;
  const { rows: found } = await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND c.relname = ANY($1) AND n.nspname <> $2
        AND (n.nspname = 'public' OR EXISTS (SELECT 1 FROM pg_catalog.pg_class a WHERE a.relnamespace = n.oid AND a.relname = 'alembic_version' AND a.relkind = 'r'))
      ORDER BY 1, 2`,
    [names, plan.schema ?? plan.service],
  );
  if (found.length === 0) return;
  const tables = found.map((r) => `${r.schema}.${r.name}`).join(', ');
  const schemas = [...new Set(found.map((r) => r.schema))];
  const option = schemas.length === 1 && schemas[0] !== 'public' ? ` --schema ${schemas[0]}` : '';
  throw new RunnerError(
    `${plan.service}: REFUSED: ${tables} already exist${found.length === 1 ? 's' : ''}, and ${plan.service}'s migrations would create ${found.length === 1 ? 'it' : 'them'} again, empty, in schema ${plan.schema ?? plan.service}: ` +
      `this database was built by the old process. Adopt those tables first (\`npm run bedrock -- adopt --service ${plan.service}${option} --dry-run\`, then without --dry-run), ` +
      `or drop or rename them if they are not the legacy tables. Nothing was run.`,
  );
}
