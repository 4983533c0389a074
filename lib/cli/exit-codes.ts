// The exit codes of the `bedrock` command line, one meaning each, so that CI can act on them
// (the README lists them). A command that finds several states exits with the first of them in
// SEVERITY order: the one a person must look at first.

export const EXIT = {
  /** Done; nothing to report. */
  ok: 0,
  /** The command could not do its job: bad input, no connection, a refusal. The message says why. */
  error: 1,
  /** Unknown command or option, or a missing argument (commander's usage errors). */
  usage: 2,
  /** status, drift: the database is behind the migrations folder (migrations to apply). */
  pending: 3,
  /** status: a migration failed, or stopped part-way at a step (see `resolve`). */
  failed: 4,
  /** status: an applied migration's file was edited since it was applied (its checksum differs). */
  edited: 5,
  /** status: the database holds migrations the folder does not have (ahead of this checkout). */
  unknown: 6,
  /** drift: the database differs from every state of the plan; drift --posture: a posture finding. */
  drift: 7,
  /** check: a rule, a migration file or a snapshot is refused. */
  refused: 8,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Most urgent first: what a person must look at before the rest. */
const SEVERITY: readonly ExitCode[] = [EXIT.error, EXIT.edited, EXIT.failed, EXIT.drift, EXIT.unknown, EXIT.refused, EXIT.pending, EXIT.ok];

/** The code to exit with when a command found all of `codes`. */
export function worstExit(codes: readonly ExitCode[]): ExitCode {
  return SEVERITY.find((code) => codes.includes(code)) ?? EXIT.ok;
}
