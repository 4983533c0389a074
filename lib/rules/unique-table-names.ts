// BEDROCK-O2: a table name is used by one service only. Every app role's search_path lists
// all service schemas, so unqualified names (the seed's `klines`, `trades`) must stay unique.
import { Table } from '../model/table';
import { Rule } from './rule';

export const UniqueTableNames: Rule = {
  id: 'BEDROCK-O2',
  name: 'UniqueTableNames',
  description: 'The same table name is never defined by two services',
  acknowledgeable: false,
  check: (construct, { tables }) => {
    if (!(construct instanceof Table)) return [];
    const others = tables.filter((t) => t !== construct && t.name === construct.name && t.service !== construct.service);
    // Reported on each side, naming the other, so either owner can act.
    return others.map(
      (other) =>
        `table "${construct.name}" is defined by service ${construct.service} and by service ${other.service} (${other.node.path}): a table has one owner; rename one of them`,
    );
  },
};
