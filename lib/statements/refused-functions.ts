// The built-in functions BEDROCK-S2 refuses wherever a statement calls them: those that change
// session settings or run SQL given as text (out of the rules' sight), and those whose effect
// reaches past the service's schema: the runner's advisory locks (pg_advisory_unlock_all()
// released the per-service deploy lock, so two deploys of one service ran at once), other
// sessions, the server's files, configuration and replication. A function is matched by the
// name PostgreSQL resolves (unquoted names arrive folded to lower case), whatever its schema.
import { StatementContext } from './statement-context';
import { ALLOWED_SETTINGS } from './setting-changes';
import { ParsedStatement } from './statement-rule';
import { namesOf, SyntaxNode, unwrap, visitNodes } from './syntax-tree';

interface RefusedFunction {
  /** Names it matches, e.g. /^pg_advisory_/. */
  readonly pattern: RegExp;
  /** What a call does, after "`name`() ...", e.g. "would release the runner's deploy lock". */
  readonly effect: (context: StatementContext) => string;
  readonly fix: string;
}

const PLATFORM = "that is the platform team's, outside migrations: remove it";
const NO_LOCKS = 'remove it: the runner takes and releases its own locks (to keep other writers out while it runs, LOCK the service\'s own table)';

/** In order: the first pattern a name matches explains it. */
const REFUSED_FUNCTIONS: readonly RefusedFunction[] = [
  {
    pattern: /^set_config$/,
    effect: () => 'changes session settings (the role, search_path) from inside a query',
    fix: `remove it (a migration may SET LOCAL only ${ALLOWED_SETTINGS.join(', ')})`,
  },
  {
    pattern: /^(query_to_xml|query_to_xmlschema|query_to_xml_and_xmlschema|ts_stat|ts_rewrite)$/,
    effect: () => 'runs SQL given as text that the statement rules cannot check (it could change the role through set_config)',
    fix: 'write the statement itself',
  },
  {
    pattern: /^dblink/,
    effect: () => 'connects to a database server (this one or another) and runs SQL given as text there, out of the statement rules\' sight',
    fix: 'write the statement itself; connections between databases are the platform team\'s',
  },
  {
    pattern: /^pg_advisory_unlock/,
    effect: ({ service }) => `would release the runner's deploy lock (the session-level advisory lock that keeps deploys of ${service} apart), letting two deploys of ${service} run at once`,
    fix: NO_LOCKS,
  },
  {
    pattern: /^pg_(try_)?advisory_/,
    effect: () => "takes an advisory lock, the kind the runner keeps deploys apart with: it can block another deploy or the ledger's setup, and a session-level one outlives the migration",
    fix: NO_LOCKS,
  },
  {
    pattern: /^pg_notify$/,
    effect: () => "sends a notification to every session listening on the channel (other services' applications) when the migration commits",
    fix: 'a migration changes the schema and never talks to applications: remove it',
  },
  {
    pattern: /^lo_(import|export)$/,
    effect: () => "reads or writes a file on the database server, as the server's operating-system user",
    fix: 'write the data as INSERT statements into the service\'s own tables instead',
  },
  {
    pattern: /^(lo_.*|loread|lowrite)$/,
    effect: () => "creates, reads or changes a large object, a database-wide object outside every service's schema (pg_largeobject)",
    fix: "keep the data in a bytea column of the service's own table instead",
  },
  {
    pattern: /^(pg_read_file|pg_read_binary_file|pg_stat_file|pg_ls_.*|pg_file_.*)$/,
    effect: () => 'reads, lists or writes files on the database server',
    fix: "the server's files are the platform team's: remove it (write a migration's data as INSERT statements)",
  },
  {
    pattern: /^(pg_terminate_backend|pg_cancel_backend)$/,
    effect: () => "ends or cancels another session's work (other services' applications, another deploy)",
    fix: 'remove it: the lock timeout already bounds how long a migration waits for other sessions',
  },
  {
    pattern: /^(pg_reload_conf|pg_rotate_logfile|pg_switch_wal|pg_promote|pg_backup_.*|pg_wal_replay_.*|pg_stat_reset.*|pg_log_backend_memory_contexts)$/,
    effect: () => 'acts on the server itself (its configuration, logs, write-ahead log, statistics, backups or failover), for every database on it',
    fix: PLATFORM,
  },
  {
    pattern: /^(pg_create_.*|pg_drop_replication_slot|pg_logical_.*|pg_replication_.*|pg_copy_.*_replication_slot|pg_sync_replication_slots)$/,
    effect: () => 'manages replication or recovery (restore points, replication slots and origins, logical decoding); a forgotten slot keeps write-ahead log until the server\'s disk fills',
    fix: PLATFORM,
  },
  {
    pattern: /^pg_import_system_collations$/,
    effect: () => "creates collations from the server's operating-system locales, unreviewed and different on each server",
    fix: "create the one collation the service needs with CREATE COLLATION in the service's own schema",
  },
];

/**
 * Options of CREATE OPERATOR and CREATE AGGREGATE that name the function it will call
 * (`function = pg_catalog.pg_advisory_lock`).
 */
const ROUTINE_OPTIONS = new Set(['function', 'procedure', 'sfunc', 'finalfunc', 'combinefunc', 'serialfunc', 'deserialfunc', 'msfunc', 'minvfunc', 'mfinalfunc']);

/** Every refused function `statement` calls, once each, with what it does and the fix. */
export function refusedFunctionCalls({ node, label }: ParsedStatement, context: StatementContext): string[] {
  const called = new Set<string>();
  visitNodes(node, (child, type) => {
    const name = calledName(child, type);
    if (name !== undefined) called.add(name);
  });
  return [...called].flatMap((name) => {
    const refused = REFUSED_FUNCTIONS.find((f) => f.pattern.test(name));
    return refused ? [`${label} calls ${name}(), which ${refused.effect(context)}: ${refused.fix}`] : [];
  });
}

/** The function a node calls, or names as the function an operator or aggregate calls. */
function calledName(node: SyntaxNode, type: string | undefined): string | undefined {
  // A FuncCall comes bare where a field holds nothing else (CALL's funccall).
  if (type === 'FuncCall' || (type === undefined && Array.isArray(node.funcname) && typeof node.funcformat === 'string')) return namesOf(node.funcname).at(-1);
  if (type === 'DefElem' && ROUTINE_OPTIONS.has(String(node.defname))) return namesOf(unwrap(node.arg, 'TypeName')?.names ?? node.arg).at(-1);
  return undefined;
}
