// Flyway's rule for a database built another way ("non-empty schema without schema history:
// baseline first"), for the Alembic-built one: a service that never ran a migration here, whose
// first migration would create tables that already sit in `public`, is not deployed. Running it
// would create empty tables in the service's schema beside the legacy ones holding the rows,
// and the old process would go on writing to those. `adopt` takes them over instead.
import { ClientBase } from 'pg';
import { LedgerRow } from './ledger';
import { MigrationPlan } from './planned-migration';
import { RunnerError } from './runner-error';

const QUALIFIED = /^"((?:[^"]|"")*)"\."((?:[^"]|"")*)"$/;

/** The tables the first migration names in the service's schema (those it creates, among others). */
function firstMigrationTables(plan: MigrationPlan): string[] {
  const schema = plan.schema ?? plan.service;
  const names = new Set<string>();
  for (const step of plan.migrations[0]?.upSteps ?? []) {
    for (const table of step.tables) {
      const match = QUALIFIED.exec(table);
      if (match && match[1].replace(/""/g, '"') === schema) names.add(match[2].replace(/""/g, '"'));
    }
  }
  return [...names];
}

/** Refuses, before anything runs, to start a service whose tables the old process still holds in public. */
export async function refuseUnadoptedLegacyTables(client: ClientBase, plan: MigrationPlan, rows: readonly LedgerRow[]): Promise<void> {
  if (rows.length > 0 || plan.migrations.length === 0) return;
  const names = firstMigrationTables(plan);
  if (names.length === 0) return;
  const { rows: found } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname = ANY($1) ORDER BY 1`,
    [names],
  );
  if (found.length === 0) return;
  const tables = found.map((r) => `public.${r.name}`).join(', ');
  throw new RunnerError(
    `${plan.service}: REFUSED: ${tables} already exist${found.length === 1 ? 's' : ''}, and ${plan.migrations[0].id} would create ${found.length === 1 ? 'it' : 'them'} again, empty, in schema ${plan.schema ?? plan.service}: ` +
      `this database was built by the old process. Adopt those tables first (\`npm run bedrock -- adopt --service ${plan.service} --dry-run\`, then without --dry-run), ` +
      `or drop or rename them in public if they are not the legacy tables. Nothing was run.`,
  );
}
