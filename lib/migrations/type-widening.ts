// What PostgreSQL does with a column's values when its type changes: which changes keep every
// value (a widening) and which it applies without rewriting the table. Compares types as data.
import { elementType, SqlType } from '../schema/schema-model';

const builtin = (type: SqlType, name: string): type is Extract<SqlType, { kind: 'builtin' }> => type.kind === 'builtin' && type.name === name;
const params = (type: SqlType): readonly (number | string)[] => (type.kind === 'enum' ? [] : (type.params ?? []));

/** Every value of `from` fits `to` unchanged (element by element for arrays). */
export function keepsValues(from: SqlType, to: SqlType): boolean {
  if (Boolean(from.array) !== Boolean(to.array)) return false;
  return scalarKeepsValues(elementType(from), elementType(to));
}

function scalarKeepsValues(from: SqlType, to: SqlType): boolean {
  if (JSON.stringify(from) === JSON.stringify(to)) return true;
  if (builtin(from, 'smallint')) return builtin(to, 'integer') || builtin(to, 'bigint');
  if (builtin(from, 'integer')) return builtin(to, 'bigint');
  if (builtin(from, 'real')) return builtin(to, 'double precision');
  if (builtin(from, 'json')) return builtin(to, 'jsonb');
  if (builtin(from, 'character varying')) return builtin(to, 'text') || (builtin(to, 'character varying') && longEnough(from, to));
  if (builtin(from, 'numeric')) return builtin(to, 'numeric') && widerNumeric(from, to);
  return false;
}

/** varchar(n) to varchar(m >= n) or unbounded varchar. */
function longEnough(from: SqlType, to: SqlType): boolean {
  const [length] = params(from);
  const [target] = params(to);
  return target === undefined || (length !== undefined && Number(target) >= Number(length));
}

/** numeric(p, s) to unconstrained numeric, or to one with at least as many digits on each side. */
function widerNumeric(from: SqlType, to: SqlType): boolean {
  const [p2, s2 = 0] = params(to).map(Number);
  if (p2 === undefined) return true;
  const [p1, s1 = 0] = params(from).map(Number);
  return p1 !== undefined && s2 >= s1 && p2 - s2 >= p1 - s1;
}

/**
 * True when PostgreSQL changes the type without rewriting the table (binary-coercible, only
 * a looser limit): varchar lengths up, varchar to text, numeric precision up with the same scale.
 */
export function changesInPlace(from: SqlType, to: SqlType): boolean {
  if (from.array || to.array) return false;
  if (builtin(from, 'character varying')) return builtin(to, 'text') || (builtin(to, 'character varying') && longEnough(from, to));
  if (builtin(from, 'text')) return builtin(to, 'character varying') && params(to).length === 0;
  if (builtin(from, 'numeric') && builtin(to, 'numeric')) {
    const [p2, s2 = 0] = params(to).map(Number);
    const [p1, s1 = 0] = params(from).map(Number);
    return p2 === undefined || (p1 !== undefined && s1 === s2 && p2 >= p1);
  }
  return false;
}
