// BEDROCK-O6: the tables a service declares it reads exist and belong to other services.
import { isSchemaScope } from '../model/schema-scope';
import { Rule } from './rule';

export const DeclaredReadsExist: Rule = {
  id: 'BEDROCK-O6',
  name: 'DeclaredReadsExist',
  description: "The tables a service declares it reads (registry `reads`) exist and belong to other services",
  acknowledgeable: false,
  check: (construct, { registry, tables }) => {
    if (!isSchemaScope(construct) || !registry.has(construct.service)) return [];
    return (registry.readsOf(construct.service) ?? []).flatMap(({ table: read }) => {
      if (read.startsWith(`${construct.service}.`)) return [`service ${construct.service} declares it reads ${read}, its own table: remove it (a service always writes its own tables)`];
      // Declared columns the owner's table lacks are the owner's finding (BEDROCK-O7, ReadContractsKept).
      return tables.some((t) => t.qualifiedName === read) ? [] : [`service ${construct.service} declares it reads ${read}, which no service defines: write it as <service>.<table>`];
    });
  },
};
