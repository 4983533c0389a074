// numeric(precision, scale): exact decimals, e.g. prices and quantities.
import { Column } from '../column';
import { ColumnType } from '../column-type';

const MAX_PRECISION = 1000;

class NumericType implements ColumnType {
  readonly sql: string;
  readonly problem?: string;
  constructor(
    private readonly precision?: number,
    private readonly scale = 0,
  ) {
    if (precision === undefined) {
      this.sql = 'numeric';
      if (scale !== 0) this.problem = `numeric(undefined, ${scale}): a scale needs a precision, e.g. numeric(20, ${scale})`;
      return;
    }
    this.sql = `numeric(${precision},${scale})`;
    if (!Number.isInteger(precision) || precision < 1 || precision > MAX_PRECISION) {
      this.problem = `numeric(${precision}, ${scale}): the precision must be a whole number from 1 to ${MAX_PRECISION}`;
    } else if (!Number.isInteger(scale) || scale < 0 || scale > precision) {
      // PostgreSQL 15 accepts scale < 0 or > precision; the target is 14, so both are refused.
      this.problem = `numeric(${precision}, ${scale}): the scale must be a whole number from 0 to the precision (${precision}); e.g. numeric(${Math.max(precision, scale)}, ${Math.min(precision, Math.max(scale, 0))})`;
    }
  }

  literal(value: unknown): string {
    const text = typeof value === 'number' && Number.isFinite(value) ? decimalString(value) : typeof value === 'bigint' ? value.toString() : value;
    if (typeof text !== 'string' || !/^-?\d+(\.\d+)?$/.test(text)) {
      throw new Error('expected a finite number or a decimal string such as "12.50"');
    }
    if (this.precision !== undefined && !this.problem) {
      const [whole, fraction = ''] = text.replace(/^-/, '').split('.');
      const wholeDigits = whole.replace(/^0+/, '').length;
      const fractionDigits = fraction.replace(/0+$/, '').length;
      if (wholeDigits > this.precision - this.scale) {
        throw new Error(`${this.sql} allows ${this.precision - this.scale} digit(s) before the decimal point`);
      }
      if (fractionDigits > this.scale) {
        throw new Error(`${this.sql} keeps ${this.scale} decimal place(s); PostgreSQL would round the value`);
      }
    }
    return text;
  }
}

function decimalString(value: number): string {
  // Avoid exponent notation (1e-7) so the literal is a plain decimal.
  const text = String(value);
  return /e/i.test(text) ? value.toFixed(20).replace(/\.?0+$/, '') : text;
}

/** numeric(precision, scale); without arguments, numeric of any precision. */
export function numeric(precision?: number, scale?: number): Column {
  return new Column(new NumericType(precision, scale));
}
