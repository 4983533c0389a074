// inet: an IPv4 or IPv6 host address, optionally with a netmask.
import { isIP } from 'node:net';
import { Column } from '../column';
import { ColumnType } from '../column-type';
import { quoteLiteral } from '../../sql/literal';

class InetType implements ColumnType {
  readonly sql = 'inet';

  literal(value: unknown): string {
    const [address, prefix, extra] = typeof value === 'string' ? value.split('/') : [];
    const version = address === undefined ? 0 : isIP(address);
    const maxPrefix = version === 6 ? 128 : 32;
    const prefixFits = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= maxPrefix);
    if (version === 0 || !prefixFits || extra !== undefined) {
      throw new Error('expected an IP address such as "10.0.0.1", "10.0.0.0/8" or "::1"');
    }
    return `${quoteLiteral(value as string)}::inet`;
  }
}

/** inet: an IP address with optional netmask. */
export function inet(): Column {
  return new Column(new InetType());
}
