// bytea: raw bytes.
import { Column } from '../column';
import { ColumnType } from '../column-type';
import { quoteLiteral } from '../../sql/literal';

class ByteaType implements ColumnType {
  readonly sql = 'bytea';

  literal(value: unknown): string {
    if (!(value instanceof Uint8Array)) throw new Error('expected a Buffer or Uint8Array');
    return `${quoteLiteral(`\\x${Buffer.from(value).toString('hex')}`)}::bytea`;
  }
}

/** bytea: raw bytes. */
export function bytea(): Column {
  return new Column(new ByteaType());
}
