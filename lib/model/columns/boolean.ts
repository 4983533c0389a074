// boolean.
import { Column } from '../column';
import { ColumnType } from '../column-type';

class BooleanType implements ColumnType {
  readonly sql = 'boolean';

  literal(value: unknown): string {
    if (typeof value !== 'boolean') throw new Error('expected true or false');
    return value ? 'true' : 'false';
  }
}

/** boolean. */
export function boolean(): Column {
  return new Column(new BooleanType());
}
