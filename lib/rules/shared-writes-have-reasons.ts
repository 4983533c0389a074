// BEDROCK-O5: only the owner writes its tables, except declared shared-write exceptions, each
// with a registered writer service and a written reason (the seed's "Shared Write Access"),
// and each with a role of its own (`<writer>_writes_<table>`) that PostgreSQL keeps whole. Each
// also links its decision record: the link's form is checked when the table is built
// (lib/model/decision-record.ts), the file's existence at synth (BEDROCK-O8).
import { Table } from '../model/table';
import { MAX_IDENTIFIER_BYTES } from '../sql/identifier';
import { sharedWriterRoleName } from '../stacks/access-policy';
import { Rule } from './rule';

export const SharedWritesHaveReasons: Rule = {
  id: 'BEDROCK-O5',
  name: 'SharedWritesHaveReasons',
  description: 'A shared-write exception names a registered writer service other than the owner, with a non-empty reason and a role name of at most 63 bytes',
  acknowledgeable: false,
  check: (construct, { registry, tables }) => {
    if (!(construct instanceof Table)) return [];
    return construct.sharedWriters.flatMap((writer) => {
      const problems: string[] = [];
      if (!registry.has(writer.service)) problems.push(`shared writer "${writer.service}" is not a registered service (registered: ${registry.names.join(', ')})`);
      if (writer.service === construct.service) problems.push(`shared writer "${writer.service}" owns the table already: remove the exception`);
      if (!writer.reason || writer.reason.trim() === '') problems.push(`the shared write exception for ${writer.service} has no reason: say why ${writer.service} must write ${construct.qualifiedName}`);
      problems.push(...roleNameProblems(construct, writer.service, tables));
      return problems;
    });
  },
};

/**
 * The exception's role must keep its whole name: PostgreSQL truncates a longer one to 63
 * bytes, so two exceptions could end up granting through one role. Two exceptions whose
 * names join to the same role (writer `a` of `b_writes_c`, writer `a_writes_b` of `c`) are
 * refused for the same reason (the same table of another environment is the same exception).
 */
function roleNameProblems(table: Table, writer: string, tables: readonly Table[]): string[] {
  const role = sharedWriterRoleName(writer, table.name);
  const bytes = Buffer.byteLength(role, 'utf8');
  if (bytes > MAX_IDENTIFIER_BYTES) {
    return [
      `the shared write exception for ${writer} on table ${table.qualifiedName} needs role "${role}", which is ${bytes} bytes long; ` +
        `PostgreSQL truncates role names to ${MAX_IDENTIFIER_BYTES} bytes, so two exceptions could share one role: ` +
        `shorten the table name (renamedFrom keeps its data) so that "${writer}_writes_<table>" fits in ${MAX_IDENTIFIER_BYTES} bytes`,
    ];
  }
  const others = tables.flatMap((t) => t.sharedWriters.filter((w) => t.name !== table.name && sharedWriterRoleName(w.service, t.name) === role).map((w) => `${w.service} on ${t.qualifiedName}`));
  return others.map((other) => `the shared write exception for ${writer} on table ${table.qualifiedName} needs role "${role}", the same as the exception for ${other}: rename one of the tables`);
}
