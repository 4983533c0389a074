// The SQL of a table transfer (lib/migrations/table-transfer.ts), written here with the rest of
// the DDL, every name through quoteIdentifier. A transfer step runs as the deploying user, the
// one role that is a member of both services' owner roles: moving a table into another schema
// takes its owner's rights and CREATE on the schema, which no single owner role holds.
import { TableTransfer } from '../migrations/table-transfer';
import { appRoleName, ownerRoleName } from '../services/service-registry';
import { READER_TABLE_PRIVILEGES, WRITER_SEQUENCE_PRIVILEGES, WRITER_TABLE_PRIVILEGES } from '../stacks/access-policy';
import { qualifiedName, quoteIdentifier } from './identifier';

/** The first line of a transfer step: what it does, in words the runner reads back (transferLine). */
const LINE = /^-- transfer: (release|reclaim|adopt|return) ([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*) (to|from) ([a-z_][a-z0-9_]*)(?: after (\d{8}_\d{6}_[a-z][a-z0-9_]*))?$/;

/**
 * What the owner's app role holds beyond a reader's: taken from the giver's app role at the
 * release, given to the taker's at the adopt (a reader's SELECT stays with every service).
 */
const TABLE_WRITES = WRITER_TABLE_PRIVILEGES.filter((p) => !(READER_TABLE_PRIVILEGES as readonly string[]).includes(p));
const SEQUENCE_WRITES = WRITER_SEQUENCE_PRIVILEGES;

export function transferStatements(t: TableTransfer): string[] {
  const line = `-- transfer: ${t.action} ${t.fromSchema}.${t.table} ${t.action === 'release' || t.action === 'return' ? 'to' : 'from'} ${t.other.service}${t.after !== undefined ? ` after ${t.after}` : ''}`;
  if (!LINE.test(line)) throw new Error(`transfer of ${t.fromSchema}.${t.table}: a name is not a plain lower-case identifier`);
  switch (t.action) {
    case 'release':
      return [line, ...writes('REVOKE', t.fromSchema, t, appRoleName(t.service))];
    case 'reclaim':
      return [line, ...writes('GRANT', t.fromSchema, t, appRoleName(t.service))];
    case 'adopt':
      return [line, ...moved(t, ownerRoleName(t.service)), ...writes('GRANT', t.toSchema, t, appRoleName(t.service))];
    case 'return':
      return [line, ...writes('REVOKE', t.fromSchema, t, appRoleName(t.service)), ...moved(t, ownerRoleName(t.other.service))];
  }
}

/** The table, then its enums, into `toSchema` and to `owner` (its indexes, constraints and owned sequences follow it). */
function moved(t: TableTransfer, owner: string): string[] {
  const move = (kind: 'TABLE' | 'TYPE', name: string) => [
    `ALTER ${kind} ${qualifiedName(t.fromSchema, name)} SET SCHEMA ${quoteIdentifier(t.toSchema)};`,
    `ALTER ${kind} ${qualifiedName(t.toSchema, name)} OWNER TO ${quoteIdentifier(owner)};`,
  ];
  return [...move('TABLE', t.table), ...t.types.flatMap((type) => move('TYPE', type))];
}

function writes(verb: 'GRANT' | 'REVOKE', schema: string, t: TableTransfer, role: string): string[] {
  const to = verb === 'GRANT' ? 'TO' : 'FROM';
  return [
    `${verb} ${TABLE_WRITES.join(', ')} ON TABLE ${qualifiedName(schema, t.table)} ${to} ${quoteIdentifier(role)};`,
    ...t.sequences.map((sequence) => `${verb} ${SEQUENCE_WRITES.join(', ')} ON SEQUENCE ${qualifiedName(schema, sequence)} ${to} ${quoteIdentifier(role)};`),
  ];
}

/** What a transfer step's first line says, as the runner needs it; undefined when the line is not one. */
export interface TransferLine {
  readonly action: TableTransfer['action'];
  readonly schema: string;
  readonly table: string;
  readonly other: string;
  readonly after?: string;
}

export function transferLine(text: string): TransferLine | undefined {
  const match = LINE.exec(text);
  if (!match) return undefined;
  return { action: match[1] as TableTransfer['action'], schema: match[2], table: match[3], other: match[5], ...(match[6] !== undefined ? { after: match[6] } : {}) };
}
