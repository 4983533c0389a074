// How a Bedrock session names itself in pg_stat_activity (application_name): the runner is
// `bedrock-runner <service>`; once it holds its service's lock (as the runner, or the CLI's
// adopt and baseline, do), ` locked <time>` is added, so that a deploy waiting for the lock can
// say since when it is held: `bedrock-runner datahub locked 2026-01-01T10:00:00.000Z`.
//
// Why application_name: PostgreSQL records no time for a granted lock (pg_locks.waitstart,
// PostgreSQL 14+, is only for a request still waiting, and is cleared at the grant), so the
// holder must publish it. application_name is the one place that every role can read of every
// session (pg_stat_activity hides backend_start, xact_start and the query from a role that is
// not the session's nor pg_read_all_stats), it needs no table (a row in the ledger could not
// be written before the ledger exists, could be unreadable to a waiter without privileges on
// it, and would outlive a runner that was killed), and it ends with the session, as the lock
// does. It holds at most 63 bytes of printable ASCII: the time is always whole, and a name too
// long to fit before it is shortened (the lock's key already says which service it is).
// Any client can set any application_name: a waiter reads the time only from the holder of the
// lock, only from a name that starts with `bedrock-`, and prints the name itself as catalog
// text (quoted).

const RUNNER = 'bedrock-runner ';
const BEDROCK = 'bedrock-';
/** application_name keeps at most NAMEDATALEN - 1 bytes. */
const MAX_BYTES = 63;
const LOCKED = ' locked ';
/** An ISO 8601 UTC time with milliseconds, as the server writes it (`2026-01-01T10:00:00.000Z`). */
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const TIME_BYTES = '2026-01-01T10:00:00.000Z'.length;

/** The runner's session name, until it holds the service's lock (and again after it let it go). */
export function runnerApplicationName(service: string): string {
  return `${RUNNER}${printable(service)}`;
}

/**
 * The name once locked, before ` locked <time>`: the session's name (`bedrock-runner <service>`,
 * `bedrock-cli`), cut (ending in `..`) so that the whole name fits in 63 bytes.
 */
export function lockedNamePrefix(name: string): string {
  const room = MAX_BYTES - LOCKED.length - TIME_BYTES;
  const shown = printable(name);
  return shown.length <= room ? shown : `${shown.slice(0, room - 2)}..`;
}

/**
 * One SQL expression that names the session `<prefix> locked <now>` (the prefix given as
 * `param`, e.g. `$2`), the time from the server's clock as it evaluates it, in UTC with
 * milliseconds; it yields the new name. Run in the statement that takes the lock, so the name
 * says when the lock was granted, on the clock a waiter compares it with.
 */
export function publishLockedSql(param: string): string {
  const now = `pg_catalog.to_char(pg_catalog.clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  return `pg_catalog.set_config('application_name', ${param}::text || '${LOCKED}' || ${now}, false)`;
}

/**
 * One SQL expression that names the session as before it published the time (` locked <time>`
 * taken off; a name cut to fit stays cut). For when it lets the lock go.
 */
export function unpublishLockedSql(): string {
  return `pg_catalog.set_config('application_name', pg_catalog.regexp_replace(pg_catalog.current_setting('application_name'), '${LOCKED}[0-9]{4}-[0-9:.TZ-]+$', ''), false)`;
}

/** When the session named `applicationName` took its lock, as it published it; undefined for any other name. */
export function lockedAt(applicationName: string | null): Date | undefined {
  if (applicationName === null || !applicationName.startsWith(BEDROCK)) return undefined;
  const at = applicationName.lastIndexOf(LOCKED);
  const time = at < 0 ? '' : applicationName.slice(at + LOCKED.length);
  if (!TIME.test(time)) return undefined;
  const date = new Date(time);
  // Rejects what the pattern lets through but no clock shows (month 13, 25 o'clock).
  return !Number.isNaN(date.getTime()) && date.toISOString() === time ? date : undefined;
}

/** PostgreSQL keeps printable ASCII only in application_name (the rest becomes `?`, or `\x..` from 16 on, which would not fit). */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}
