// BEDROCK-O1: every table is defined in exactly one service's stack, of a registered service.
import { Rule } from './rule';

export const TableInServiceStack: Rule = {
  id: 'BEDROCK-O1',
  name: 'TableInServiceStack',
  description: 'Every table and enum is defined inside the ServiceStack of a registered service, which owns it',
  acknowledgeable: false,
  enforcedAt: 'construction of the Table, EnumType and ServiceStack (an error)',
};
