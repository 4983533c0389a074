// json and jsonb. Defaults are JavaScript values, serialized with JSON.stringify.
import { Column } from '../column';
import { ColumnType } from '../column-type';
import { quoteLiteral } from '../../sql/literal';

class JsonType implements ColumnType {
  constructor(readonly sql: 'json' | 'jsonb') {}

  literal(value: unknown): string {
    let encoded: string | undefined;
    try {
      encoded = JSON.stringify(value);
    } catch (error) {
      throw new Error(`it cannot be serialized as JSON (${(error as Error).message})`);
    }
    if (encoded === undefined) throw new Error('it cannot be serialized as JSON');
    // jsonb keeps strings as PostgreSQL text, which cannot hold NUL (JSON.stringify writes \u0000).
    if (this.sql === 'jsonb' && /(^|[^\\])(\\\\)*\\u0000/.test(encoded)) {
      throw new Error('a string in it contains the NUL character (U+0000), which jsonb cannot store: remove it');
    }
    return `${quoteLiteral(encoded)}::${this.sql}`;
  }
}

/** jsonb: binary JSON, indexable with GIN (the usual choice). */
export function jsonb(): Column {
  return new Column(new JsonType('jsonb'));
}

/** json: JSON kept as written. */
export function json(): Column {
  return new Column(new JsonType('json'));
}
