// What the runner is asked to apply: the migrations of one service up to its head, exactly
// as the plan showed them. Built from the migration files (at synth, or by the CLI).
export interface PlannedMigration {
  readonly id: string;
  /** sha256 of the migration file, as recorded in bedrock.sum and shown in the plan. */
  readonly checksum: string;
  readonly transactional: boolean;
  readonly up: string;
  readonly down: string;
  /** For non-transactional migrations: the up SQL split into statements, run one by one. */
  readonly statements?: readonly string[];
}

export interface MigrationPlan {
  readonly service: string;
  /** The role migrations run as (SET ROLE), which owns the service's schema and tables. */
  readonly ownerRole: string;
  /**
   * The service's schema: the runner's search_path is `pg_catalog, <schema>, public` (built-ins
   * first, so nothing in a service schema shadows them; public holds the extensions).
   * @default the service's name
   */
  readonly schema?: string;
  /** In chain order; the last one is the head the database should end at. */
  readonly migrations: readonly PlannedMigration[];
}
