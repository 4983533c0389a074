// What the runner is asked to apply: the migrations of one service up to its head, exactly
// as the plan showed them. Built from the migration files (at synth, or by the CLI), where
// PostgreSQL's parser is at hand: the runner carries none, so everything it must know about a
// statement (which tables it locks, how to retry it) is decided here and travels in the plan.
import { StepTransfer } from './step-transfer';

/** An index a step outside a transaction builds or drops: what makes the step safe to retry. */
export interface StepIndex {
  readonly schema: string;
  readonly name: string;
  /**
   * For 'create': the table it is built on, schema-qualified and quoted: an index of that name on
   * another table is not the step's, whatever its state.
   */
  readonly table?: string;
  /**
   * 'create': CREATE [UNIQUE] INDEX CONCURRENTLY. A build that failed or was cut off leaves the
   * index INVALID: the runner drops it (concurrently) before building again; a VALID index of
   * that name on resuming means the build finished before the ledger heard of it.
   * 'drop': DROP INDEX CONCURRENTLY; on resuming, an index already gone means it finished.
   */
  readonly action: 'create' | 'drop';
}

/**
 * A batched data section (`-- +data batched <schema>.<table> key <column> size <rows>`) as the
 * runner runs it (run-batched-step.ts, with backfill.ts): its one UPDATE or DELETE, batch after
 * batch in the order of `key`, each batch a transaction of its own that commits with the ledger's
 * note of the last key it reached. The statement comes rendered with its batch bounds where the
 * parser is (lib/sql/batched-statement.ts): `first` and `next` are not the file's text (the
 * step's `sql` is); the manifest's checksum, which the plan shows, covers them.
 */
export interface StepBatches {
  /** The declared table. */
  readonly table: { readonly schema: string; readonly name: string };
  /** Its unique NOT NULL column: batches follow its order. */
  readonly key: string;
  /** Rows per batch, as declared. */
  readonly size: number;
  /** The first batch: the statement limited to `key <= $1` (the batch's last key). */
  readonly first: string;
  /** Every later batch: limited to `key > $1 AND key <= $2` (the last committed key, the batch's last key). */
  readonly next: string;
}

/**
 * One step of a migration: statements run in one transaction, with the ledger update in the
 * same transaction; or one statement run alone outside a transaction (CONCURRENTLY), the
 * ledger updated before and after it.
 */
export interface PlannedStep {
  readonly transactional: boolean;
  /** The step's SQL. A step outside a transaction holds exactly one statement. */
  readonly sql: string;
  /**
   * The tables the step locks, schema-qualified and quoted as SQL (`"datahub"."klines"`): the
   * runner names the sessions holding locks on them when the step times out waiting, and
   * measures them for offline steps.
   */
  readonly tables: readonly string[];
  /**
   * Whether running it again after a failure is safe without a person looking: a transactional
   * step rolled back entirely; an index step (see `index`); VACUUM and ANALYZE. A step that is
   * not (REINDEX CONCURRENTLY, or anything else hand-written outside a transaction) stops the
   * deploy with the migration recorded as failed, to be settled with `resolve`.
   */
  readonly retrySafe: boolean;
  readonly index?: StepIndex;
  /**
   * It holds ACCESS EXCLUSIVE on a table with rows while it rewrites it (a type change, a
   * volatile default): no reads or writes until it ends. The environment may refuse it above a
   * size (`offlineChangeMaxRows`).
   */
  readonly offline: boolean;
  /** The 1-based line of the migration file on which the step starts (for messages). */
  readonly line: number;
  /**
   * Set for a batched data section (up only): the step runs in batches, each committed with the
   * ledger's note of its last key, and resumes after that key. `transactional` is true (every
   * batch is a transaction), `retrySafe` too (a batch that failed was rolled back).
   */
  readonly batch?: StepBatches;
  /**
   * Set for a table transfer (`-- +step transfer`, see step-transfer.ts): the step runs in one
   * transaction as the deploying user (a member of both services' owner roles), after the runner
   * checked the table is where the step expects it and, for an adopt, that the giver's release is applied.
   */
  readonly transfer?: StepTransfer;
}

export type { StepTransfer };

export interface PlannedMigration {
  readonly id: string;
  /** sha256 of the migration file, as recorded in bedrock.sum and shown in the plan. */
  readonly checksum: string;
  /** False for a file whose header says `-- transactional: false` (each statement a step outside a transaction). */
  readonly transactional: boolean;
  /** The up and down SQL, whole (recorded in the ledger as they are). */
  readonly up: string;
  readonly down: string;
  /** The up SQL in steps, in order: at least one. */
  readonly upSteps: readonly PlannedStep[];
  /** The down SQL in steps, in order (stored in the ledger: a rollback runs from it, not from the plan). */
  readonly downSteps: readonly PlannedStep[];
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
