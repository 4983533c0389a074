// From migration files to what the runner applies: each migration in steps, with what the
// runner must know about them decided here, where PostgreSQL's parser is at hand.
import { MigrationPlan, PlannedMigration } from '../runner/planned-migration';
import { Migration } from './migration-file';
import { plannedSteps } from './planned-steps';
import { migrationWithBackups } from '../runner/backup-plan';
import { schemaName } from '../services/service-registry';

export function plannedMigration(migration: Migration, schema = schemaName(migration.service)): PlannedMigration {
  // What each step destroys is read here, with the parser, and carried in the plan: the runner
  // has no parser, and copies it before the step runs (backups, lib/runner/backup-plan.ts).
  return migrationWithBackups(
    {
      id: migration.id,
      checksum: migration.checksum,
      transactional: migration.transactional,
      up: migration.up,
      down: migration.down,
      upSteps: plannedSteps(migration.upSteps, schema, `${migration.id}.sql`),
      downSteps: plannedSteps(migration.downSteps, schema, `${migration.id}.sql`),
    },
    schema,
  );
}

/** The plan for `service` up to `migrations`' last one. */
export function migrationPlan(service: string, ownerRole: string, migrations: readonly Migration[]): MigrationPlan {
  const schema = schemaName(service);
  return { service, ownerRole, schema, migrations: migrations.map((m) => plannedMigration(m, schema)) };
}
