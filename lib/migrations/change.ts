// The typed changes the differ returns. Each kind carries what the renderer needs to write its
// SQL (lib/sql/render-change.ts) and the facts a reviewer needs: one line saying what it does,
// whether it loses data, the lock it takes on the table and whether it scans or rewrites it.
import { CheckModel, ColumnModel, DefaultValue, EnumModel, ForeignKeyModel, IdentityGeneration, IndexModel, KeyModel, SqlType, TableModel } from '../schema/schema-model';
import { renderType } from '../sql/sql-type';
import { changesInPlace, keepsValues } from './type-widening';
import { TableTransfer, transferDescription } from './table-transfer';

/** A table by name (the name it has when the change runs). */
export interface TableRef {
  readonly schema: string;
  readonly name: string;
}

/** A column whose enum type is rebuilt: converted through text to the new type. */
export interface EnumColumnConversion {
  readonly table: TableRef;
  readonly column: string;
  readonly array: boolean;
  /** Its default is dropped before the conversion... */
  readonly hadDefault: boolean;
  /** ...and set again after it, when it still has one. */
  readonly defaultAfter?: DefaultValue;
}

export type ChangeData =
  | { readonly kind: 'CreateEnum'; readonly type: EnumModel }
  | { readonly kind: 'DropEnum'; readonly type: EnumModel }
  | { readonly kind: 'AddEnumValue'; readonly type: EnumModel; readonly value: string; readonly before?: string }
  | { readonly kind: 'RebuildEnum'; readonly type: EnumModel; readonly removed: readonly string[]; readonly columns: readonly EnumColumnConversion[] }
  | { readonly kind: 'CommentOnEnum'; readonly type: EnumModel; readonly comment?: string }
  | { readonly kind: 'CreateTable'; readonly table: TableModel }
  | { readonly kind: 'DropTable'; readonly table: TableRef; readonly freesName: boolean }
  | { readonly kind: 'TransferTable'; readonly table: TableRef; readonly transfer: TableTransfer }
  | { readonly kind: 'RenameTable'; readonly table: TableRef; readonly to: string }
  | { readonly kind: 'AddColumn'; readonly table: TableRef; readonly column: ColumnModel }
  | { readonly kind: 'DropColumn'; readonly table: TableRef; readonly column: string; readonly freesName: boolean; readonly renamedInto?: string }
  | { readonly kind: 'RenameColumn'; readonly table: TableRef; readonly column: string; readonly to: string }
  | { readonly kind: 'AlterColumnType'; readonly table: TableRef; readonly column: string; readonly from: SqlType; readonly to: SqlType; readonly viaText: boolean }
  | { readonly kind: 'SetDefault'; readonly table: TableRef; readonly column: string; readonly value: DefaultValue }
  | { readonly kind: 'DropDefault'; readonly table: TableRef; readonly column: string }
  | { readonly kind: 'SetNotNull'; readonly table: TableRef; readonly column: string }
  | { readonly kind: 'DropNotNull'; readonly table: TableRef; readonly column: string }
  | { readonly kind: 'AddIdentity'; readonly table: TableRef; readonly column: string; readonly generation: IdentityGeneration }
  | { readonly kind: 'SetIdentityGeneration'; readonly table: TableRef; readonly column: string; readonly generation: IdentityGeneration }
  | { readonly kind: 'DropIdentity'; readonly table: TableRef; readonly column: string }
  | { readonly kind: 'AddPrimaryKey'; readonly table: TableRef; readonly key: KeyModel }
  | { readonly kind: 'AddUnique'; readonly table: TableRef; readonly key: KeyModel }
  | { readonly kind: 'AddCheck'; readonly table: TableRef; readonly check: CheckModel }
  | { readonly kind: 'DropConstraint'; readonly table: TableRef; readonly name: string; readonly what: 'primary key' | 'unique constraint' | 'check constraint' }
  | { readonly kind: 'DropForeignKey'; readonly table: TableRef; readonly name: string }
  | { readonly kind: 'RenameConstraint'; readonly table: TableRef; readonly name: string; readonly to: string }
  | { readonly kind: 'CreateIndex'; readonly table: TableRef; readonly index: IndexModel }
  | { readonly kind: 'DropIndex'; readonly table: TableRef; readonly name: string }
  | { readonly kind: 'RenameIndex'; readonly table: TableRef; readonly name: string; readonly to: string }
  | { readonly kind: 'RenameSequence'; readonly table: TableRef; readonly name: string; readonly to: string }
  | { readonly kind: 'AddForeignKey'; readonly table: TableRef; readonly foreignKey: ForeignKeyModel }
  | { readonly kind: 'CommentOnTable'; readonly table: TableRef; readonly comment?: string }
  | { readonly kind: 'CommentOnColumn'; readonly table: TableRef; readonly column: string; readonly comment?: string };

export type ChangeKind = ChangeData['kind'];

/** The table lock a change takes ('none': it touches no existing table). */
export type Lock = 'none' | 'SHARE UPDATE EXCLUSIVE' | 'SHARE' | 'SHARE ROW EXCLUSIVE' | 'ACCESS EXCLUSIVE';

/** What it does to the table's rows: nothing, reads them all, or writes the table anew. */
export type TableWork = 'none' | 'scan' | 'rewrite';

export interface ChangeFacts {
  /** One line for the migration's summary and the person generating it. */
  readonly description: string;
  /** What data it loses, when it can lose data. */
  readonly dataLoss?: string;
  readonly lock: Lock;
  readonly work: TableWork;
}

export type Change = ChangeData & ChangeFacts;

const at = (table: TableRef): string => `${table.schema}.${table.name}`;
const quoted = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');

/** A change with its facts. */
export function change(data: ChangeData): Change {
  return { ...data, ...facts(data) } as Change;
}

// Locks as PostgreSQL's documentation gives them (ALTER TABLE, CREATE INDEX, COMMENT).
function facts(c: ChangeData): ChangeFacts {
  const exclusive = (description: string, work: TableWork = 'none', dataLoss?: string): ChangeFacts => ({
    description,
    lock: 'ACCESS EXCLUSIVE',
    work,
    ...(dataLoss ? { dataLoss } : {}),
  });
  const light = (description: string, lock: Lock = 'none'): ChangeFacts => ({ description, lock, work: 'none' });
  switch (c.kind) {
    case 'CreateEnum':
      return light(`create enum ${at(c.type)}`);
    case 'DropEnum':
      return light(`drop enum ${at(c.type)}`);
    case 'AddEnumValue':
      return light(`add value '${c.value}' to enum ${at(c.type)}`);
    case 'RebuildEnum':
      return {
        description: `rebuild enum ${at(c.type)} with values ${quoted(c.type.values)}`,
        lock: c.columns.length > 0 ? 'ACCESS EXCLUSIVE' : 'none',
        work: c.columns.length > 0 ? 'rewrite' : 'none',
        ...(c.removed.length > 0 ? { dataLoss: `enum ${at(c.type)} loses ${quoted(c.removed)} (rows holding them make the migration fail)` } : {}),
      };
    case 'CommentOnEnum':
      return light(`${c.comment === undefined ? 'remove the comment of' : 'comment on'} enum ${at(c.type)}`);
    case 'CreateTable':
      return light(`create table ${at(c.table)}`);
    case 'DropTable':
      return exclusive(`drop table ${at(c.table)}`, 'none', `drop table ${at(c.table)} and its rows`);
    case 'TransferTable':
      // ALTER TABLE SET SCHEMA and OWNER TO, GRANT and REVOKE: catalog changes, no rows touched.
      return exclusive(transferDescription(c.transfer));
    case 'RenameTable':
      return exclusive(`rename table ${at(c.table)} to ${c.to}`);
    case 'AddColumn':
      return exclusive(`add column ${at(c.table)}.${c.column.name} ${renderType(c.column.type)}`, fillsEveryRow(c.column) ? 'rewrite' : 'none');
    case 'DropColumn': {
      const hint = c.renamedInto ? ` (its name now belongs to the column renamed from ${c.renamedInto}; if that renamedFrom is left from an earlier migration, remove it)` : '';
      return exclusive(`drop column ${at(c.table)}.${c.column}`, 'none', `drop column ${at(c.table)}.${c.column} and its data${hint}`);
    }
    case 'RenameColumn':
      return exclusive(`rename column ${at(c.table)}.${c.column} to ${c.to}`);
    case 'AlterColumnType': {
      const where = `${at(c.table)}.${c.column}`;
      const loss = keepsValues(c.from, c.to) ? undefined : `change ${where} from ${renderType(c.from)} to ${renderType(c.to)} (values that do not fit are cut, rounded or refused)`;
      return exclusive(`change type of ${where} from ${renderType(c.from)} to ${renderType(c.to)}`, changesInPlace(c.from, c.to) ? 'none' : 'rewrite', loss);
    }
    case 'SetDefault':
      return exclusive(`set default of ${at(c.table)}.${c.column}`);
    case 'DropDefault':
      return exclusive(`drop default of ${at(c.table)}.${c.column}`);
    case 'SetNotNull':
      return exclusive(`set NOT NULL on ${at(c.table)}.${c.column}`, 'scan');
    case 'DropNotNull':
      return exclusive(`drop NOT NULL on ${at(c.table)}.${c.column}`);
    case 'AddIdentity':
      return exclusive(`make ${at(c.table)}.${c.column} an identity column (generated ${c.generation})`);
    case 'SetIdentityGeneration':
      return exclusive(`generate ${at(c.table)}.${c.column} ${c.generation}`);
    case 'DropIdentity':
      return exclusive(`drop identity of ${at(c.table)}.${c.column}`);
    case 'AddPrimaryKey':
      return exclusive(`set primary key of ${at(c.table)} (${c.key.columns.join(', ')})`, 'scan');
    case 'AddUnique':
      return exclusive(`add unique constraint ${c.key.name} on ${at(c.table)}`, 'scan');
    case 'AddCheck':
      return exclusive(`add check constraint ${c.check.name} on ${at(c.table)}`, 'scan');
    case 'DropConstraint':
      return exclusive(`drop ${c.what} ${c.name} on ${at(c.table)}`);
    case 'DropForeignKey':
      return exclusive(`drop foreign key ${c.name} on ${at(c.table)}`);
    case 'RenameConstraint':
      return exclusive(`rename constraint ${c.name} on ${at(c.table)} to ${c.to}`);
    case 'CreateIndex':
      return { description: `add index ${c.index.name} on ${at(c.table)}`, lock: 'SHARE', work: 'scan' };
    case 'DropIndex':
      return exclusive(`drop index ${c.name} on ${at(c.table)}`);
    case 'RenameIndex':
      return light(`rename index ${c.name} on ${at(c.table)} to ${c.to}`, 'SHARE UPDATE EXCLUSIVE');
    case 'RenameSequence':
      return light(`rename sequence ${c.table.schema}.${c.name} to ${c.to}`);
    case 'AddForeignKey':
      return { description: `add foreign key ${c.foreignKey.name} on ${at(c.table)}`, lock: 'SHARE ROW EXCLUSIVE', work: 'scan' };
    case 'CommentOnTable':
      return light(`${c.comment === undefined ? 'remove the comment of' : 'comment on'} table ${at(c.table)}`, 'SHARE UPDATE EXCLUSIVE');
    case 'CommentOnColumn':
      return light(`${c.comment === undefined ? 'remove the comment of' : 'comment on'} column ${at(c.table)}.${c.column}`, 'SHARE UPDATE EXCLUSIVE');
  }
}

// Adding a column whose default is a volatile expression (random(), clock_timestamp()) writes
// every row; a constant or one of these stable functions is stored once (PostgreSQL 11+).
const STABLE_DEFAULTS = new Set(['now()', 'current_timestamp', 'current_date', 'localtimestamp', 'transaction_timestamp()', 'statement_timestamp()']);

/**
 * Whether adding the column writes a value into every row: a volatile default, or a sequence
 * (serial, identity) that gives each row its own number. Anything else is stored once.
 */
function fillsEveryRow(column: ColumnModel): boolean {
  if (column.serial || column.identity !== undefined) return true;
  return column.default?.kind === 'expression' && !stableDefault(column.default.sql);
}

function stableDefault(sql: string): boolean {
  return STABLE_DEFAULTS.has(sql.trim().toLowerCase());
}
