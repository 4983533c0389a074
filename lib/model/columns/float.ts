// real and double precision: inexact floating point.
import { Column } from '../column';
import { ColumnType } from '../column-type';

class FloatType implements ColumnType {
  constructor(readonly sql: 'real' | 'double precision') {}

  literal(value: unknown): string {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error('expected a finite number');
    if (this.sql === 'real' && Math.abs(value) > 3.4028234663852886e38) throw new Error('real holds up to about 3.4e38');
    return String(value);
  }
}

/** real: 4-byte floating point. */
export function real(): Column {
  return new Column(new FloatType('real'));
}

/** double precision: 8-byte floating point. */
export function doublePrecision(): Column {
  return new Column(new FloatType('double precision'));
}
