// BEDROCK-O9: a table transferred from another service (`transferredFrom`) names a registered
// service other than its new owner, with a reason (the decision record's existence is BEDROCK-O8's),
// and nothing still ties it to its old owner: a foreign key between it and a table the old owner
// keeps would now cross services (BEDROCK-O3 refuses it, this says what to do for a transfer),
// and a read contract that names it at its old owner would name a table that no longer exists.
import { Table, TransferredFromProps } from '../model/table';
import { ServiceRegistry } from '../services/service-registry';
import { Rule } from './rule';

export const TransfersDeclared: Rule = {
  id: 'BEDROCK-O9',
  name: 'TransfersDeclared',
  description: 'A table declared transferredFrom a service names another registered service, with a reason; no foreign key ties it to the old owner and no read contract names it there',
  acknowledgeable: false,
  check: (construct, { registry, tables }) => {
    if (!(construct instanceof Table)) return [];
    return [...keysIntoMovedTables(construct, tables), ...(construct.transferredFrom ? transferProblems(construct, construct.transferredFrom, registry) : [])];
  },
};

const fixFor = (giver: string) => `drop it in ${giver} in a migration of its own before the transfer (keep the link as appReferences), or transfer that table too`;

/** A table the old owner keeps whose foreign key points at a table moving away (reported on the old owner's table, whose stack synth checks). */
function keysIntoMovedTables(construct: Table, tables: readonly Table[]): string[] {
  return construct.toModel().foreignKeys.flatMap((fk) => {
    const target = tables.find((t) => t.schema === fk.references.schema && t.name === fk.references.table);
    if (target?.transferredFrom?.service !== construct.service) return [];
    return [`foreign key ${fk.name} of ${construct.qualifiedName} references ${target.name}, which moves to ${target.service}: it would cross services: ${fixFor(construct.service)}`];
  });
}

function transferProblems(construct: Table, from: TransferredFromProps, registry: ServiceRegistry): string[] {
  const at = construct.qualifiedName;
  const problems: string[] = [];
  if (!registry.has(from.service)) problems.push(`transferredFrom "${from.service}" is not a registered service (registered: ${registry.names.join(', ')}): name the service that owned ${construct.name}`);
  if (from.service === construct.service) problems.push(`transferredFrom "${from.service}" is the table's own service: remove transferredFrom`);
  if (from.reason.trim() === '') problems.push(`the transfer of ${construct.name} from ${from.service} has no reason: say why it changes owner`);
  for (const fk of construct.toModel().foreignKeys.filter((k) => k.references.schema === from.service)) {
    problems.push(`foreign key ${fk.name} of ${at} references ${fk.references.schema}.${fk.references.table}, which stays with ${from.service}: after the transfer it would cross services: ${fixFor(from.service)}`);
  }
  const old = `${from.service}.${construct.name}`;
  for (const reader of registry.names) {
    if ((registry.readsOf(reader) ?? []).some((c) => c.table === old)) {
      problems.push(`${reader} declares that it reads ${old} (a read contract), which moves to ${construct.service}: change ${reader}'s reads in the service registry to ${at}, and tell ${reader}'s team (the decision record names them)`);
    }
  }
  return problems;
}
