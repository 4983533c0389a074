// BEDROCK-S2: a migration never changes who it runs as, who may do what, or the settings the
// runner pins. The runner runs each migration as the service's owner role with search_path and
// standard_conforming_strings pinned; grants are the provider's (ServiceStack, PlatformStack).
// A RESET ROLE would hand the rest of the migration to the deploying user, often a superuser.
import { StatementContext } from './statement-context';
import { ParsedStatement, StatementRule } from './statement-rule';
import { isNode, namesOf, SyntaxNode, unwrap, visitNodes } from './syntax-tree';

export const NoIdentityOrPrivilegeChanges: StatementRule = {
  id: 'BEDROCK-S2',
  name: 'NoIdentityOrPrivilegeChanges',
  description:
    'No SET/RESET ROLE or SESSION AUTHORIZATION, roles, GRANT/REVOKE, OWNER TO, ALTER SYSTEM/DATABASE, COPY PROGRAM or server files, SECURITY DEFINER, set_config() or SQL run from text, or SET outside a short allowlist',
  acknowledgeable: false,
  check: (statement, context) => [...statementProblems(statement, context), ...setConfigCalls(statement)],
};

/** Settings a migration may change (SET or SET LOCAL): limits and memory for its own statements. */
export const ALLOWED_SETTINGS: readonly string[] = [
  'lock_timeout',
  'statement_timeout',
  'idle_in_transaction_session_timeout',
  'maintenance_work_mem',
  'work_mem',
  'max_parallel_maintenance_workers',
  'client_min_messages',
];

/** Settings the runner pins, which name resolution and literal quoting rely on. */
const PINNED_SETTINGS = new Set(['search_path', 'standard_conforming_strings']);

type Explain = (statement: ParsedStatement, context: StatementContext) => string;

const roleSwitch: Explain = ({ label }, { ownerRole, service }) =>
  `${label} changes the role the migration runs as (RESET returns to the deploying user, often a superuser): the runner already runs every statement as ${ownerRole}, the owner of ${service}'s objects; remove it`;
const roles: Explain = ({ label }) => `${label} changes roles: roles are the platform stack's (PlatformStack creates each service's owner and app roles); remove it`;
const grants: Explain = ({ label }, { service }) =>
  `${label} changes privileges: grants are the provider's job (ServiceStack grants on ${service}'s tables from the model's reads and sharedWriters; PlatformStack grants schemas and roles); declare the access in the model instead`;
const ownership: Explain = ({ label }, { ownerRole, service }) =>
  `${label} changes who owns objects: the runner runs as ${ownerRole}, which owns everything ${service}'s migrations create; remove it`;

/** Statement kinds refused whatever they hold. */
const ALWAYS_REFUSED: Readonly<Record<string, Explain>> = {
  DiscardStmt: ({ label }) => `${label} resets the session, and with it the role and the settings the runner pinned; remove it`,
  CreateRoleStmt: roles,
  AlterRoleStmt: roles,
  AlterRoleSetStmt: roles,
  DropRoleStmt: roles,
  GrantStmt: grants,
  GrantRoleStmt: grants,
  AlterDefaultPrivilegesStmt: grants,
  AlterOwnerStmt: ownership,
  ReassignOwnedStmt: ownership,
  DropOwnedStmt: ownership,
  AlterSystemStmt: ({ label }) => `${label} changes the server's configuration, for every database on it: that is the platform team's, outside migrations`,
  AlterDatabaseStmt: alterDatabase,
  AlterDatabaseSetStmt: alterDatabase,
  AlterDatabaseRefreshCollStmt: alterDatabase,
  SecLabelStmt: ({ label }) => `${label} changes security labels, which decide access: that is the platform team's, outside migrations`,
};

function alterDatabase({ label }: ParsedStatement): string {
  return `${label} changes the database every service shares: that is the platform stack's (PlatformStack)`;
}

/** Kinds this rule judges (BEDROCK-S4 counts them as known, so each is refused once, here). */
export const IDENTITY_STATEMENT_KINDS: readonly string[] = [...Object.keys(ALWAYS_REFUSED), 'VariableSetStmt', 'CopyStmt'];

function statementProblems(statement: ParsedStatement, context: StatementContext): string[] {
  const { node, kind } = statement;
  const always = ALWAYS_REFUSED[kind];
  if (always) return [always(statement, context)];
  if (kind === 'VariableSetStmt') return settingProblems(statement, context);
  if (kind === 'CopyStmt') return copyProblems(statement);
  if (kind === 'RenameStmt' && node.renameType === 'OBJECT_ROLE') return [roles(statement, context)];
  if (kind === 'AlterTableStmt' && commandsOf(node).some((cmd) => cmd.subtype === 'AT_ChangeOwner')) return [ownership(statement, context)];
  if ((kind === 'CreateFunctionStmt' || kind === 'AlterFunctionStmt') && securityDefiner(node)) {
    return [
      `${statement.label} ... SECURITY DEFINER runs the function with ${context.ownerRole}'s privileges for every caller, so any role allowed to call it could change ${context.service}'s tables: use SECURITY INVOKER (the default)`,
    ];
  }
  return [];
}

function settingProblems(statement: ParsedStatement, context: StatementContext): string[] {
  const { node, label } = statement;
  const name = String(node.name ?? '').toLowerCase();
  if (node.kind === 'VAR_RESET_ALL') return [`${label} resets the role and the settings the runner pinned; remove it`];
  if (name === 'role' || name === 'session_authorization') return [roleSwitch(statement, context)];
  if (PINNED_SETTINGS.has(name)) {
    return [
      `${label} ${name} changes a setting the runner pins (search_path to pg_catalog, ${context.schema}, public; standard_conforming_strings on), which name resolution and quoting rely on: remove it (qualify names with ${context.schema} where needed)`,
    ];
  }
  if (node.kind !== 'VAR_SET_MULTI' && ALLOWED_SETTINGS.includes(name)) return [];
  return [`${label} ${name}: a migration may set only ${ALLOWED_SETTINGS.join(', ')}; remove it (or open an issue if a migration needs it)`];
}

function copyProblems({ node, label }: ParsedStatement): string[] {
  if (node.is_program === true) return [`${label} ... PROGRAM runs a shell command on the database server as its operating-system user: write the data as INSERT statements instead`];
  if (typeof node.filename === 'string') return [`${label} reads or writes a file on the database server: write the data as INSERT statements instead`];
  return [];
}

function commandsOf(node: SyntaxNode): SyntaxNode[] {
  return ((node.cmds as unknown[]) ?? []).map((cmd) => unwrap(cmd, 'AlterTableCmd')).filter(isNode);
}

function securityDefiner(node: SyntaxNode): boolean {
  const options = [...((node.options as unknown[]) ?? []), ...((node.actions as unknown[]) ?? [])];
  return options.some((option) => {
    const element = unwrap(option, 'DefElem');
    return element?.defname === 'security' && unwrap(element.arg, 'Boolean')?.boolval === true;
  });
}

/**
 * Built-ins that run SQL given as text, out of the statement rules' sight: through them a
 * query could still call set_config('role', ...).
 */
const SQL_TEXT_FUNCTIONS = new Set(['query_to_xml', 'query_to_xmlschema', 'query_to_xml_and_xmlschema', 'ts_stat', 'ts_rewrite']);

/** set_config() anywhere in the statement (SET ROLE or SET search_path from inside a query), and SQL run from text. */
function setConfigCalls({ node, label }: ParsedStatement): string[] {
  const called = new Set<string>();
  visitNodes(node, (child, type) => {
    const name = type === 'FuncCall' ? namesOf(child.funcname).at(-1) : undefined;
    if (name === 'set_config' || (name !== undefined && SQL_TEXT_FUNCTIONS.has(name))) called.add(name);
  });
  return [...called].map((name) =>
    name === 'set_config'
      ? `${label} calls set_config(), which changes session settings (the role, search_path) from inside a query: remove it (a migration may SET LOCAL only ${ALLOWED_SETTINGS.join(', ')})`
      : `${label} calls ${name}(), which runs SQL given as text that the statement rules cannot check (it could change the role through set_config): write the statement itself`,
  );
}
