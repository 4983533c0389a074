// A read contract's columns keep their type: the owner's model against the schema it was last
// generated to (the head snapshot), or against the schema before a migration `generate` is
// about to write. A type change would break the reader the way a drop does.
import { sameType } from '../schema/schema-model';
import { readContractBroken } from '../rules/read-contracts-kept';
import { renderType } from '../sql/sql-type';
import { ServiceRegistry } from '../services/service-registry';
import { ServiceSchema } from './service-schema';

/** Every declared column whose type differs between `before` and `after`, naming its reader. */
export function retypedReadColumns(registry: ServiceRegistry, before: ServiceSchema, after: ServiceSchema): string[] {
  return after.tables.flatMap((table) => {
    const old = before.tables.find((t) => t.name === table.name);
    if (!old) return [];
    const qualified = `${before.service}.${table.name}`;
    return registry.columnReadersOf(qualified).flatMap(({ service, columns }) =>
      columns.flatMap((name) => {
        const [was, is] = [old.columns.find((c) => c.name === name), table.columns.find((c) => c.name === name)];
        if (!was || !is || sameType(was.type, is.type)) return [];
        return [readContractBroken(before.service, qualified, name, service, `changes the type (${renderType(was.type)} to ${renderType(is.type)}) of column`)];
      }),
    );
  });
}
