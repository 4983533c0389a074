// One thing `drift` found about a service or the database: what kind of difference, which
// object, a sentence saying what differs from the plan, and the command or change that fixes it.

/** What differs. Stable strings: CI may filter on them (`drift --json`). */
export type DriftKind =
  /** A migration of the folder the database has not applied: `migrate` (or deploy) applies it. */
  | 'pending-migration'
  /** A migration stopped part-way (the ledger says partial, rolling back or failed). */
  | 'interrupted-migration'
  /** The ledger holds a migration this checkout's folder does not have. */
  | 'unknown-migration'
  /** The schema equals a later state of the plan than the ledger records (built without the runner). */
  | 'unrecorded-schema'
  /** A table, column, key, index, enum or sequence differs from the state the ledger records. */
  | 'schema'
  /** An object in the service's schema that no applied migration made (a view, a function, a trigger...). */
  | 'extra-object'
  /** The schema or an object in it is owned by a role other than the service's owner role. */
  | 'owner'
  /** A role lacks a privilege the access model gives it. */
  | 'missing-privilege'
  /** A role holds a privilege the access model does not give it. */
  | 'extra-privilege'
  /** A role the stacks create does not exist. */
  | 'missing-role'
  /** A role membership the stacks grant is missing, or one they do not grant is there. */
  | 'membership'
  /** drift --posture: a whole-database check (see lib/catalog/posture.ts). */
  | 'posture';

export interface DriftFinding {
  readonly kind: DriftKind;
  /**
   * The object, as a person reads it: `datahub.klines`, `view datahub.v`, `role datahub_app`,
   * `schema public`. Catalog names are shown with every hidden character escaped.
   */
  readonly object: string;
  /** What differs from the plan, one sentence. */
  readonly message: string;
  /** The command or change that fixes it (SQL to run, a command, or a code change). */
  readonly fix: string;
}
