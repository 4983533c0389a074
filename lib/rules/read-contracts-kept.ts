// BEDROCK-O7: a column another service declared it reads (a read contract in its registry
// `reads`) stays in the owner's table. Dropping or renaming it would break that reader at the
// next deploy; the route is expand/contract, and the finding names the reader.
import { Table } from '../model/table';
import { Rule } from './rule';

export const ReadContractsKept: Rule = {
  id: 'BEDROCK-O7',
  name: 'ReadContractsKept',
  description: 'The columns another service declared it reads (registry `reads` with columns) stay in the owner\'s table, with their type (type: checked against the snapshot by `check`, synth and `generate`)',
  acknowledgeable: false,
  check: (construct, { registry }) => {
    if (!(construct instanceof Table)) return [];
    const names = new Set(construct.toModel().columns.map((c) => c.name));
    return registry.columnReadersOf(construct.qualifiedName).flatMap(({ service, columns }) =>
      columns.filter((column) => !names.has(column)).map((column) => readContractBroken(construct.service, construct.qualifiedName, column, service, 'has no column')),
    );
  },
};

/** The message when `owner` breaks `reader`'s read contract on `table`.`column`. */
export function readContractBroken(owner: string, table: string, column: string, reader: string, what: string): string {
  return (
    `${table} ${what} ${column}, which service ${reader} declares it reads (its registry \`reads\`: { table: '${table}', columns: [..., '${column}'] }): ` +
    `go by expand/contract: add the new column, ${owner} writes both, ${reader} moves its reads and its declaration to the new one, then drop the old one`
  );
}
