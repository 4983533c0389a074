// From migration files to what the runner applies. Non-transactional migrations are split
// into statements here, where PostgreSQL's parser is at hand, so the runner needs none.
import { MigrationPlan, PlannedMigration } from '../runner/planned-migration';
import { splitStatements } from '../sql/parser';
import { Migration } from './migration-file';
import { schemaName } from '../services/service-registry';

export function plannedMigration(migration: Migration): PlannedMigration {
  return {
    id: migration.id,
    checksum: migration.checksum,
    transactional: migration.transactional,
    up: migration.up,
    down: migration.down,
    ...(migration.transactional ? {} : { statements: splitStatements(migration.up) }),
  };
}

/** The plan for `service` up to `migrations`' last one. */
export function migrationPlan(service: string, ownerRole: string, migrations: readonly Migration[]): MigrationPlan {
  return { service, ownerRole, schema: schemaName(service), migrations: migrations.map(plannedMigration) };
}
