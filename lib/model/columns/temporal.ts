// date, time, timestamp, timestamptz and interval. Literal defaults are fixed values; for the
// current time use an expression: `.defaultSql('now()')`.
import { Column } from '../column';
import { ColumnType } from '../column-type';
import { quoteLiteral } from '../../sql/literal';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)(:([0-5]\d)(\.\d{1,6})?)?$/;
const ZONE = /^(Z|[+-]([01]\d|2[0-3])(:?[0-5]\d)?)$/;
const INTERVAL_UNIT = '(microseconds?|milliseconds?|seconds?|secs?|minutes?|mins?|hours?|days?|weeks?|months?|years?|decades?|centuries|century|millennium|millennia)';
const INTERVAL = new RegExp(`^(\\s*[+-]?\\d+(\\.\\d+)?\\s*${INTERVAL_UNIT}\\s*)+$`, 'i');
const ISO_INTERVAL = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

function isCalendarDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Splits "2025-01-09 12:00:00+02" into date, time and zone parts. */
function timestampParts(text: string): { date: string; time: string; zone?: string } | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)(.*)$/.exec(text);
  if (!match) return undefined;
  return { date: match[1], time: match[2], zone: match[3] === '' ? undefined : match[3] };
}

type TemporalKind = 'date' | 'time' | 'timestamp' | 'timestamptz' | 'interval';

const SQL_NAMES: Record<TemporalKind, string> = {
  date: 'date',
  time: 'time without time zone',
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  interval: 'interval',
};

class TemporalType implements ColumnType {
  readonly sql: string;
  constructor(private readonly kind: TemporalKind) {
    this.sql = SQL_NAMES[kind];
  }

  literal(value: unknown): string {
    return `${quoteLiteral(this.text(value))}::${this.sql}`;
  }

  private text(value: unknown): string {
    if (value instanceof Date) {
      if (isNaN(value.getTime())) throw new Error('the Date is invalid');
      if (this.kind === 'timestamptz') return value.toISOString();
      if (this.kind === 'date') return value.toISOString().slice(0, 10);
      throw new Error(`a Date carries a time zone; give ${this.sql} a string instead`);
    }
    if (typeof value !== 'string') throw new Error('expected a string (or a Date for timestamptz and date)');
    if (this.kind === 'date' && isCalendarDate(value)) return value;
    if (this.kind === 'time' && TIME.test(value)) return value;
    if (this.kind === 'interval' && (INTERVAL.test(value) || ISO_INTERVAL.test(value))) return value;
    if (this.kind === 'timestamp' || this.kind === 'timestamptz') {
      const parts = timestampParts(value);
      const zoneFits = this.kind === 'timestamp' ? parts?.zone === undefined : parts?.zone !== undefined && ZONE.test(parts.zone);
      if (parts && isCalendarDate(parts.date) && TIME.test(parts.time) && zoneFits) return value;
    }
    throw new Error(`expected ${EXAMPLES[this.kind]}`);
  }
}

const EXAMPLES: Record<TemporalKind, string> = {
  date: 'a date such as "2025-01-09"',
  time: 'a time such as "12:00" or "12:00:30.5"',
  timestamp: 'a timestamp without zone such as "2025-01-09 12:00:00"',
  timestamptz: 'a timestamp with zone such as "2025-01-09T12:00:00Z" or a Date',
  interval: 'an interval such as "1 day", "90 minutes" or "PT1H"',
};

/** date. */
export function date(): Column {
  return new Column(new TemporalType('date'));
}

/** time (without time zone). */
export function time(): Column {
  return new Column(new TemporalType('time'));
}

/** timestamp (without time zone). Prefer timestamptz for instants. */
export function timestamp(): Column {
  return new Column(new TemporalType('timestamp'));
}

/** timestamptz: an instant in time. */
export function timestamptz(): Column {
  return new Column(new TemporalType('timestamptz'));
}

/** interval: a duration. */
export function interval(): Column {
  return new Column(new TemporalType('interval'));
}
