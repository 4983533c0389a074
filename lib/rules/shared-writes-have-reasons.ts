// BEDROCK-O5: only the owner writes its tables, except declared shared-write exceptions, each
// with a registered writer service and a written reason (the seed's "Shared Write Access").
import { Table } from '../model/table';
import { Rule } from './rule';

export const SharedWritesHaveReasons: Rule = {
  id: 'BEDROCK-O5',
  name: 'SharedWritesHaveReasons',
  description: 'A shared-write exception names a registered writer service other than the owner, with a non-empty reason',
  acknowledgeable: false,
  check: (construct, { registry }) => {
    if (!(construct instanceof Table)) return [];
    return construct.sharedWriters.flatMap((writer) => {
      const problems: string[] = [];
      if (!registry.has(writer.service)) problems.push(`shared writer "${writer.service}" is not a registered service (registered: ${registry.names.join(', ')})`);
      if (writer.service === construct.service) problems.push(`shared writer "${writer.service}" owns the table already: remove the exception`);
      if (!writer.reason || writer.reason.trim() === '') problems.push(`the shared write exception for ${writer.service} has no reason: say why ${writer.service} must write ${construct.qualifiedName}`);
      return problems;
    });
  },
};
