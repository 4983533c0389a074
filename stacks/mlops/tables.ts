// MLOps owns training jobs and the model registry. The decision engine reads ml_models.
import { char, EnumType, inet, integer, interval, jsonb, ServiceStack, Table, text, timestamptz, uuid, varchar } from '../../lib';

export function mlopsTables(stack: ServiceStack): void {
  const jobStatus = new EnumType(stack, 'training_status', { values: ['queued', 'running', 'succeeded', 'failed'] });
  const stage = new EnumType(stack, 'model_stage', { values: ['candidate', 'staging', 'production', 'archived'] });

  const jobs = new Table(stack, 'training_jobs', {
    comment: 'Model training runs',
    columns: {
      id: uuid().notNull().defaultSql('gen_random_uuid()'),
      model_name: varchar(128).notNull(),
      status: jobStatus.column().notNull().default('queued'),
      hyperparameters: jsonb().notNull().default({}),
      dataset_uri: text().notNull(),
      worker_address: inet(),
      max_duration: interval().notNull().default('6 hours'),
      created_at: timestamptz().notNull().defaultSql('now()'),
      started_at: timestamptz(),
      finished_at: timestamptz(),
    },
    primaryKey: ['id'],
    checks: [{ name: 'training_jobs_finish_after_start', expression: 'finished_at IS NULL OR finished_at >= started_at' }],
    indexes: [{ columns: ['model_name', { column: 'created_at', order: 'desc' }] }],
  });

  new Table(stack, 'ml_models', {
    comment: 'Trained models and their deployment stage',
    columns: {
      id: uuid().notNull().defaultSql('gen_random_uuid()'),
      name: varchar(128).notNull(),
      version: integer().notNull(),
      training_job_id: uuid(),
      framework: varchar(32).notNull(),
      artifact_uri: text().notNull(),
      artifact_sha256: char(64).notNull().comment('Hex SHA-256 of the artifact'),
      metrics: jsonb().notNull().default({}),
      stage: stage.column().notNull().default('candidate'),
      created_at: timestamptz().notNull().defaultSql('now()'),
      promoted_at: timestamptz(),
    },
    primaryKey: ['id'],
    uniques: [{ columns: ['name', 'version'] }],
    checks: [{ name: 'ml_models_version_positive', expression: 'version > 0' }],
    indexes: [{ name: 'ml_models_one_in_production', columns: ['name'], unique: true, where: "stage = 'production'" }],
    foreignKeys: [{ columns: ['training_job_id'], references: jobs.ref('id'), onDelete: 'set null' }],
  });
}
