// BEDROCK-S2: a migration never changes who it runs as, who may do what, or the settings the
// runner pins. The runner runs each migration as the service's owner role with search_path and
// standard_conforming_strings pinned; grants are the provider's (ServiceStack, PlatformStack).
// A RESET ROLE would hand the rest of the migration to the deploying user, often a superuser.
// Row-level security decides who sees which rows without a GRANT, so it is refused too; what
// S2 says about SET and about function calls lives in setting-changes.ts and refused-functions.ts.
import { refusedFunctionCalls } from './refused-functions';
import { routineSettingProblems, settingProblems } from './setting-changes';
import { StatementContext } from './statement-context';
import { ParsedStatement, StatementRule } from './statement-rule';
import { isNode, SyntaxNode, unwrap, visitNodes } from './syntax-tree';

export const NoIdentityOrPrivilegeChanges: StatementRule = {
  id: 'BEDROCK-S2',
  name: 'NoIdentityOrPrivilegeChanges',
  description:
    'No SET/RESET ROLE or SESSION AUTHORIZATION, roles, GRANT/REVOKE, OWNER TO, row-level security (ENABLE/DISABLE/FORCE ROW LEVEL SECURITY, policies), ALTER SYSTEM/DATABASE, COPY PROGRAM or server files, SECURITY DEFINER, set_config() or SQL run from text, functions with server-side effects (advisory locks, pg_notify, large objects, server files, other sessions, configuration, replication, dblink), settings other than SET LOCAL of a short allowlist, or a timeout turned off',
  acknowledgeable: false,
  check: (statement, context) => [...statementProblems(statement, context), ...refusedFunctionCalls(statement, context)],
};

type Explain = (statement: ParsedStatement, context: StatementContext) => string;

const roleSwitch: Explain = ({ label }, { ownerRole, service }) =>
  `${label} changes the role the migration runs as (RESET returns to the deploying user, often a superuser): the runner already runs every statement as ${ownerRole}, the owner of ${service}'s objects; remove it`;
const roles: Explain = ({ label }) => `${label} changes roles: roles are the platform stack's (PlatformStack creates each service's owner and app roles); remove it`;
const grants: Explain = ({ label }, { service }) =>
  `${label} changes privileges: grants are the provider's job (ServiceStack grants on ${service}'s tables from the model's reads and sharedWriters; PlatformStack grants schemas and roles); declare the access in the model instead`;
const ownership: Explain = ({ label }, { ownerRole, service }) =>
  `${label} changes who owns objects: the runner runs as ${ownerRole}, which owns everything ${service}'s migrations create; remove it`;
const ROW_SECURITY_FIX = "row-level security is a platform decision (who may read and write a table comes from the model's grants): if a service needs it, open an issue";
const policies: Explain = ({ label }) => `${label} changes a row-level security policy, which decides which rows each role sees and changes, without a GRANT; ${ROW_SECURITY_FIX}`;

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
  CreatePolicyStmt: policies,
  AlterPolicyStmt: policies,
};

/** What ALTER TABLE does to row-level security, by command. */
const ROW_SECURITY_COMMANDS: Readonly<Record<string, string>> = {
  AT_EnableRowSecurity: 'ENABLE ROW LEVEL SECURITY',
  AT_DisableRowSecurity: 'DISABLE ROW LEVEL SECURITY',
  AT_ForceRowSecurity: 'FORCE ROW LEVEL SECURITY',
  AT_NoForceRowSecurity: 'NO FORCE ROW LEVEL SECURITY',
};

function alterDatabase({ label }: ParsedStatement): string {
  return `${label} changes the database every service shares: that is the platform stack's (PlatformStack)`;
}

/** Kinds this rule judges (BEDROCK-S4 counts them as known, so each is refused once, here). */
export const IDENTITY_STATEMENT_KINDS: readonly string[] = [...Object.keys(ALWAYS_REFUSED), 'VariableSetStmt', 'CopyStmt'];

/** What DROP removes that this rule refuses (BEDROCK-S4 counts these as known, too). */
export const IDENTITY_DROP_TYPES: readonly string[] = ['OBJECT_POLICY'];

function statementProblems(statement: ParsedStatement, context: StatementContext): string[] {
  const { node, kind } = statement;
  const always = ALWAYS_REFUSED[kind];
  if (always) return [always(statement, context)];
  if (kind === 'VariableSetStmt') return settingProblems(statement, context, roleSwitch(statement, context));
  if (kind === 'CopyStmt') return copyProblems(statement);
  if (kind === 'RenameStmt' && node.renameType === 'OBJECT_ROLE') return [roles(statement, context)];
  if (kind === 'RenameStmt' && node.renameType === 'OBJECT_POLICY') return [policies(statement, context)];
  if (kind === 'DropStmt' && IDENTITY_DROP_TYPES.includes(String(node.removeType))) return [policies(statement, context)];
  if (kind === 'AlterTableStmt') return alterTableProblems(statement, context);
  if (kind === 'CreateFunctionStmt' || kind === 'AlterFunctionStmt') return routineProblems(statement, context);
  return [];
}

function alterTableProblems(statement: ParsedStatement, context: StatementContext): string[] {
  const commands = commandsOf(statement.node);
  const rowSecurity = [...new Set(commands.map((cmd) => ROW_SECURITY_COMMANDS[String(cmd.subtype)]).filter((c): c is string => c !== undefined))];
  return [
    ...(commands.some((cmd) => cmd.subtype === 'AT_ChangeOwner') ? [ownership(statement, context)] : []),
    ...(rowSecurity.length > 0
      ? [`${statement.label} ... ${rowSecurity.join(', ')} changes which rows each role sees and changes, without a GRANT; ${ROW_SECURITY_FIX}`]
      : []),
  ];
}

function routineProblems(statement: ParsedStatement, context: StatementContext): string[] {
  const definer = securityDefiner(statement.node)
    ? [
        `${statement.label} ... SECURITY DEFINER runs the function with ${context.ownerRole}'s privileges for every caller, so any role allowed to call it could change ${context.service}'s tables: use SECURITY INVOKER (the default)`,
      ]
    : [];
  return [...definer, ...routineSettings(statement.node).flatMap((set) => routineSettingProblems(set, statement.label))];
}

/** The `SET name = value` clauses of CREATE/ALTER FUNCTION, which hold while the routine runs. */
function routineSettings(node: SyntaxNode): SyntaxNode[] {
  const settings: SyntaxNode[] = [];
  visitNodes([...((node.options as unknown[]) ?? []), ...((node.actions as unknown[]) ?? [])], (child, type) => {
    if (type === 'VariableSetStmt') settings.push(child);
  });
  return settings;
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
