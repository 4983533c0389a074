// A transfer step of a migration file, read at synth: its first line says what it does
// (transferLine), and each of its statements must be one of the forms transfer-statements.ts
// writes. `check` already compares the whole step with a fresh rendering (schema-part-check.ts);
// this second, independent look is what stands between a file and the one step the runner runs
// as the deploying user rather than as a service's owner role.
import { StepTransfer } from '../runner/step-transfer';
import { TransferLine, transferLine } from '../sql/transfer-statements';
import { appRoleName, ownerRoleName } from '../services/service-registry';
import type { StepText } from './migration-file';

/** A statement of the step, parsed (planned-steps.ts StepStatement). */
interface Statement {
  readonly kind: string;
  readonly node: Record<string, unknown>;
  readonly line: number;
}

const PRIVILEGES = new Set(['insert', 'update', 'delete', 'select', 'usage']);

/** The step's transfer; throws naming the file and line when the step is not one generate writes. */
export function stepTransfer(step: StepText, statements: readonly Statement[], fileName: string, schema: string): StepTransfer {
  const first = step.sql.split('\n')[0].trim();
  const line = transferLine(first);
  if (!line) throw new Error(`${fileName}: line ${step.line}: a transfer step starts with the line generate writes ("-- transfer: adopt <schema>.<table> from <service> after <migration>" and the like), not ${JSON.stringify(first.slice(0, 80))}: generate it again`);
  const lineProblem = transferLineProblem(line, schema);
  if (lineProblem) throw new Error(`${fileName}: line ${step.line}: ${lineProblem}: generate it again`);
  // The two schemas and the four roles of the two services: nothing else may be named.
  const schemas = new Set([schema, line.other]);
  const roles = new Set([schema, line.other].flatMap((s) => [ownerRoleName(s), appRoleName(s)]));
  for (const statement of statements) {
    const problem = formProblem(statement) ?? reachProblem(statement, line.table, schemas, roles);
    if (problem) throw new Error(`${fileName}: line ${statement.line}: a transfer step holds only what generate writes for a transfer (${problem}): generate it again`);
  }
  if (statements.length === 0) throw new Error(`${fileName}: line ${step.line}: the transfer step holds no statement: generate it again`);
  return { action: line.action, schema: line.schema, table: line.table, other: line.other, ...(line.after !== undefined ? { after: line.after } : {}) };
}

/**
 * What the first line may say in a service's own file: a release or reclaim of a table in its
 * own schema; an adopt from the giver's schema (a service's schema is its name), naming the
 * release it waits for; a return from its own schema.
 */
export function transferLineProblem(line: TransferLine, schema: string): string | undefined {
  if (line.other === schema) return `the transfer names ${schema} itself as the other service`;
  if (line.action === 'adopt') {
    if (line.schema !== line.other) return `an adopt from ${line.other} moves a table of schema ${line.other}, not ${line.schema}`;
    if (line.after === undefined) return `an adopt names the release it waits for ("after <migration>")`;
    return undefined;
  }
  if (line.schema !== schema) return `a ${line.action} works on a table of ${schema}'s own schema, not ${line.schema}`;
  return line.after === undefined ? undefined : `only an adopt waits for a release`;
}

/** Whether the statement names anything but the table (its sequences: `<table>_...`), the two schemas and the two services' roles. */
function reachProblem({ node }: Statement, table: string, schemas: ReadonlySet<string>, roles: ReadonlySet<string>): string | undefined {
  let problem: string | undefined;
  const visit = (value: unknown, key?: string): void => {
    if (problem !== undefined || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach((v) => visit(v));
    const record = value as Record<string, unknown>;
    if (key === 'RoleSpec' && (record.roletype !== 'ROLESPEC_CSTRING' || !roles.has(String(record.rolename)))) problem = 'a grant or owner names a role of neither service';
    if (typeof record.schemaname === 'string' && !schemas.has(record.schemaname)) problem = `it names schema ${record.schemaname}`;
    if (typeof record.newschema === 'string' && !schemas.has(record.newschema)) problem = `it moves something to schema ${record.newschema}`;
    // A type is named by a list of strings, `schema.name`.
    const items = key === 'object' ? ((record.List as { items?: { String?: { sval?: string } }[] } | undefined)?.items ?? []) : [];
    if (key === 'object' && (items.length !== 2 || !schemas.has(String(items[0].String?.sval)))) problem = 'it names a type outside the two schemas';
    if (typeof record.relname === 'string' && record.relname !== table && !record.relname.startsWith(`${table}_`)) problem = `it names ${record.relname}, not the table or its sequences`;
    for (const [k, v] of Object.entries(record)) visit(v, k);
  };
  visit(node);
  return problem;
}

function formProblem({ kind, node }: Statement): string | undefined {
  if (kind === 'AlterObjectSchemaStmt') return node.objectType === 'OBJECT_TABLE' || node.objectType === 'OBJECT_TYPE' ? undefined : 'a move of a table or a type to another schema only';
  if (kind === 'AlterOwnerStmt') return node.objectType === 'OBJECT_TYPE' ? undefined : "a change of a type's owner only";
  if (kind === 'AlterTableStmt') {
    const commands = (node.cmds as { AlterTableCmd?: { subtype?: string } }[] | undefined) ?? [];
    return node.objtype === 'OBJECT_TABLE' && commands.length === 1 && commands[0].AlterTableCmd?.subtype === 'AT_ChangeOwner' ? undefined : "a change of the table's owner only";
  }
  if (kind === 'GrantStmt') {
    const privileges = ((node.privileges as { AccessPriv?: { priv_name?: string; cols?: unknown } }[] | undefined) ?? []).map((p) => p.AccessPriv);
    const plain = privileges.length > 0 && privileges.every((p) => p?.priv_name !== undefined && PRIVILEGES.has(p.priv_name) && p.cols === undefined);
    const onObject = node.targtype === 'ACL_TARGET_OBJECT' && (node.objtype === 'OBJECT_TABLE' || node.objtype === 'OBJECT_SEQUENCE');
    return plain && onObject && node.grant_option !== true ? undefined : 'GRANT or REVOKE of the writers\' privileges on one table or sequence only';
  }
  return `${kind.replace(/Stmt$/, '')} is not one of them`;
}
