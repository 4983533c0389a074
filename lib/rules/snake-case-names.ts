// BEDROCK-N1: table, column, constraint and index names are snake_case.
import { Table } from '../model/table';
import { Rule } from './rule';

export const SnakeCaseNames: Rule = {
  id: 'BEDROCK-N1',
  name: 'SnakeCaseNames',
  description: 'Table, column, constraint and index names are snake_case (lower-case letters, digits, single underscores)',
  acknowledgeable: true,
  check: (construct) =>
    construct instanceof Table ? construct.namingFindings.filter((f) => f.rule === 'snake-case').map((f) => f.message) : [],
};
