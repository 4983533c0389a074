// uuid.
import { Column } from '../column';
import { ColumnType } from '../column-type';
import { quoteLiteral } from '../../sql/literal';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class UuidType implements ColumnType {
  readonly sql = 'uuid';

  literal(value: unknown): string {
    if (typeof value !== 'string' || !UUID.test(value)) throw new Error('expected a UUID such as "0b6a2c9e-5f51-4f5e-9d0c-3b1f2d9c4e7a"');
    return `${quoteLiteral(value.toLowerCase())}::uuid`;
  }
}

/** uuid. For generated keys: `uuid().defaultSql('gen_random_uuid()')`. */
export function uuid(): Column {
  return new Column(new UuidType());
}
