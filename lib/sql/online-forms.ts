// The forms of a change that keep a table with rows readable and writable while it runs. A
// plain CREATE INDEX blocks every write for the whole build; ADD FOREIGN KEY, ADD CHECK and
// SET NOT NULL scan the table under a lock that blocks writes (ACCESS EXCLUSIVE for the check
// and NOT NULL). Here each becomes parts PostgreSQL runs without that: a brief catalog change,
// then the long part under a lock that lets reads and writes through (SHARE UPDATE EXCLUSIVE).
import { Change, TableRef } from '../migrations/change';
import { notNullCheckName } from '../schema/naming';
import { addForeignKey, createIndex } from './ddl';
import { quoteIdentifier } from './identifier';
import { addCheck, alterColumn, alterTable, dropIndex } from './alter-statements';

/**
 * A part of a change and how it must run:
 * - brief: a catalog change that holds its lock for moments; may share a transaction with others;
 * - validate: a scan that blocks no writes, in a transaction of its own (so the brief locks
 *   before it are released while it reads the table);
 * - concurrent: one statement outside any transaction (CONCURRENTLY);
 * - offline: holds ACCESS EXCLUSIVE for a whole rewrite: in a transaction of its own, marked.
 */
export interface ChangePart {
  readonly form: 'brief' | 'validate' | 'concurrent' | 'offline';
  readonly statements: readonly string[];
}

const brief = (...statements: string[]): ChangePart => ({ form: 'brief', statements });
const validate = (table: TableRef, constraint: string): ChangePart => ({ form: 'validate', statements: [alterTable(table, `VALIDATE CONSTRAINT ${quoteIdentifier(constraint)}`)] });
const concurrent = (statement: string): ChangePart => ({ form: 'concurrent', statements: [statement] });

/**
 * The online parts of a change on a table that existed before the migration, or undefined when
 * its plain form already holds its lock only briefly (a rename, a comment, a constant default).
 */
export function onlineParts(c: Change): ChangePart[] | undefined {
  switch (c.kind) {
    case 'CreateIndex':
      return [concurrent(createIndex(c.table, c.index, true))];
    case 'DropIndex':
      return [concurrent(dropIndex(c.table.schema, c.name, { concurrently: true }))];
    case 'AddCheck':
      return [brief(addCheck(c.table, c.check.name, c.check.expression, true)), validate(c.table, c.check.name)];
    case 'AddForeignKey':
      return [brief(addForeignKey(c.table, c.foreignKey, true)), validate(c.table, c.foreignKey.name)];
    case 'SetNotNull':
      return setNotNull(c.table, c.column);
    case 'AddPrimaryKey':
    case 'AddUnique':
      return keyUsingIndex(c);
    default:
      return undefined;
  }
}

/**
 * SET NOT NULL scans the table under ACCESS EXCLUSIVE unless a validated CHECK (col IS NOT
 * NULL) already proves it (PostgreSQL 12+): the check is added NOT VALID, validated without
 * blocking writes, then SET NOT NULL takes its lock for moments and the check goes.
 */
function setNotNull(table: TableRef, column: string): ChangePart[] {
  const check = notNullCheckName(table.name, column);
  return [
    brief(addCheck(table, check, `${quoteIdentifier(column)} IS NOT NULL`, true)),
    validate(table, check),
    brief(alterColumn(table, column, 'SET NOT NULL'), alterTable(table, `DROP CONSTRAINT ${quoteIdentifier(check)}`)),
  ];
}

/**
 * A key built in place holds ACCESS EXCLUSIVE for the whole index build. Built first as a
 * unique index CONCURRENTLY, it becomes the constraint in a brief catalog change (the index
 * takes the constraint's name, which it already has). A primary key's columns are NOT NULL by
 * then: the model makes them so, and SET NOT NULL runs in an earlier phase.
 */
function keyUsingIndex(c: Extract<Change, { kind: 'AddPrimaryKey' | 'AddUnique' }>): ChangePart[] {
  const { key } = c;
  const index = { name: key.name, columns: key.columns.map((column) => ({ column })), unique: true, method: 'btree' as const, ...(key.nullsNotDistinct ? { nullsNotDistinct: true } : {}) };
  const kind = c.kind === 'AddPrimaryKey' ? 'PRIMARY KEY' : 'UNIQUE';
  return [concurrent(createIndex(c.table, index, true)), brief(alterTable(c.table, `ADD CONSTRAINT ${quoteIdentifier(key.name)} ${kind} USING INDEX ${quoteIdentifier(key.name)}`))];
}
