// BEDROCK-N2: no name is a word PostgreSQL reserves.
import { Table } from '../model/table';
import { Rule } from './rule';

export const NoReservedWords: Rule = {
  id: 'BEDROCK-N2',
  name: 'NoReservedWords',
  description: 'No table, column, constraint or index is named with a PostgreSQL reserved word (it would need quoting in every query)',
  acknowledgeable: true,
  check: (construct) =>
    construct instanceof Table ? construct.namingFindings.filter((f) => f.rule === 'reserved-word').map((f) => f.message) : [],
};
