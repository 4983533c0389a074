// What every column type knows: how it is spelled in SQL and how a JavaScript value becomes
// a literal of that type. Each kind lives in its own file under columns/.

/** A PostgreSQL data type as the model sees it. */
export interface ColumnType {
  /** The type as written in DDL, e.g. `numeric(20,8)` or `"portfolio"."order_side"`. */
  readonly sql: string;
  /**
   * Renders `value` as a SQL literal of this type. Throws an Error whose message says why the
   * value does not fit (the caller adds which table and column).
   */
  literal(value: unknown): string;
  /**
   * What is wrong with the type's parameters (e.g. numeric scale above precision), reported
   * when the table is built so the message can name the construct.
   */
  readonly problem?: string;
  /** True for integer types that may be identity columns. */
  readonly allowsIdentity?: boolean;
  /** True for serial / bigserial, whose default is their own sequence. */
  readonly isSerial?: boolean;
  /** The enum type this column uses, so a table can check that its own service defines it. */
  readonly enumType?: EnumTypeReference;
}

/** An enum type as a column type sees it: where it lives and who defines it. */
export interface EnumTypeReference {
  readonly schema: string;
  readonly name: string;
  /** The service that owns the enum. */
  readonly service: string;
  /** The construct path of the stack that defines it (and so creates it in its migrations). */
  readonly stack: string;
}

/** Describes a JavaScript value briefly, for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Date) return `Date(${isNaN(value.getTime()) ? 'invalid' : value.toISOString()})`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
