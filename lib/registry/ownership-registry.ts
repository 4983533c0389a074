// The seed's "Table Ownership Registry" and "Shared Write Access" tables, generated from the
// code (so they cannot drift from it), plus application-level references and acknowledged
// rules; and a CODEOWNERS fragment giving each service's folder to its team.
import * as path from 'node:path';
import type { ServiceStack } from '../stacks/service-stack';
import { BedrockProject, serviceStacksOf } from '../project';
import { acknowledgementsOf } from '../rules/acknowledgements';
import { WRITER_TABLE_PRIVILEGES } from '../stacks/access-policy';

/** A table cell: a pipe would end the cell and any line break (LF, CR or CRLF) the row. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r\n?|\n/g, ' ');

/**
 * A decision record as a link that works from docs/ (where this file is written):
 * `[docs/adr/0001-x.md](adr/0001-x.md)`. The path was checked when the table was built
 * (lib/model/decision-record.ts): letters, digits, hyphens and slashes only.
 */
export const decisionLink = (record: string): string => `[${record}](${path.posix.relative('docs', record)})`;


/** `stacks`: the project's service stacks when the caller built them already (the review does). */
export function renderOwnershipRegistry(project: BedrockProject, stacks: readonly ServiceStack[] = serviceStacksOf(project)): string {
  const tables = stacks.flatMap((stack) => stack.tables);
  const lines = [
    '# Table ownership registry',
    '',
    'Generated from the table definitions by `npm run bedrock -- registry`; do not edit by hand.',
    'A test fails when this file is stale. Ownership is enforced at synth (`npm run bedrock -- rules`)',
    'and by PostgreSQL privileges: only the owner service writes its tables; every other service reads them.',
    '',
    '## Table Ownership Registry',
    '',
    '| Table Name | Owner Service | Team | Purpose | Notes |',
    '|------------|---------------|------|---------|-------|',
    ...tables.map((t) => {
      const writers = t.sharedWriters.map((w) => w.service);
      const notes = writers.length > 0 ? `Also written by ${writers.join(', ')}; read-only for the others` : 'Read-only for other services';
      return `| \`${t.name}\` | ${t.service} | ${project.registry.get(t.service).team} | ${cell(t.toModel().comment ?? '')} | ${notes} |`;
    }),
    '',
    '## Exception: Shared Write Access',
    '',
    `Each exception is a role \`<writer>_writes_<table>\` holding ${WRITER_TABLE_PRIVILEGES.join(', ')} on that table, granted by the decision linked here`,
    '(`npm run bedrock -- adr new <title>` writes one). Adding or removing one changes grants only: no migration.',
    '',
    '| Table | Primary Owner | Secondary Writers | Reason | Decision |',
    '|-------|---------------|-------------------|--------|----------|',
  ];
  const shared = tables.flatMap((t) => t.sharedWriters.map((w) => `| \`${t.name}\` | ${t.service} | ${w.service} | ${cell(w.reason)} | ${decisionLink(w.decision)} |`));
  lines.push(...(shared.length > 0 ? shared : ['| (None yet) | - | - | - | - |']));
  // Listed only once there is one, so a registry without transfers keeps its bytes.
  const transfers = tables.flatMap((t) => (t.transferredFrom ? [`| \`${t.name}\` | ${t.transferredFrom.service} | ${t.service} | ${cell(t.transferredFrom.reason)} | ${decisionLink(t.transferredFrom.decision)} |`] : []));
  if (transfers.length > 0) {
    lines.push('', '## Transfers', '', 'Tables that changed owner with their rows (`transferredFrom`), each by the decision linked here.', '');
    lines.push('| Table | From | To | Reason | Decision |', '|-------|------|----|--------|----------|', ...transfers);
  }
  lines.push('', '## Application-level references', '', 'References between services, kept by the applications: no foreign key crosses services.', '');
  lines.push('| From | To | Owner of the target |', '|------|----|---------------------|');
  const references = tables.flatMap((t) =>
    t.appReferences.map((r) => `| \`${t.qualifiedName}(${r.columns.join(', ')})\` | \`${r.table}(${r.targetColumns.join(', ')})\` | ${r.table.split('.')[0]} |`),
  );
  lines.push(...(references.length > 0 ? references : ['| (none) | - | - |']));
  lines.push(...readsSection(project));
  lines.push('', '## Acknowledged rules', '', '| Construct | Rule | Reason |', '|-----------|------|--------|');
  const acknowledged = tables.flatMap((t) => acknowledgementsOf(t).map((a) => `| \`${t.qualifiedName}\` | ${a.rule} | ${cell(a.reason)} |`));
  lines.push(...(acknowledged.length > 0 ? acknowledged : ['| (none) | - | - |']), '');
  return lines.join('\n');
}

/**
 * Who reads what: each service's declared reads (registry `reads`), a whole table or columns (a
 * read contract the owner keeps: BEDROCK-O7). A service that declares nothing reads every table.
 */
function readsSection(project: BedrockProject): string[] {
  const lines = ['', '## Declared reads', '', 'What each service declares it reads of other services\' tables. Declared columns are a contract: the owner may not drop, rename or retype them (BEDROCK-O7).', ''];
  lines.push('| Reader | Table | Columns | Owner |', '|--------|-------|---------|-------|');
  const rows = project.registry.names.flatMap((reader) => {
    const reads = project.registry.readsOf(reader);
    if (reads === undefined) return [`| ${reader} | every other service's table | all | - |`];
    return reads.map((r) => `| ${reader} | \`${r.table}\` | ${r.columns ? r.columns.map((c) => `\`${c}\``).join(', ') : 'all'} | ${r.table.split('.')[0]} |`);
  });
  lines.push(...rows);
  return lines;
}

export function renderCodeowners(project: BedrockProject, folder: (service: string) => string): string {
  return [
    '# Generated by `npm run bedrock -- registry`: each service folder belongs to its team.',
    ...project.registry.names.map((service) => `/${folder(service)}/ ${project.registry.get(service).team}`),
    '',
  ].join('\n');
}

/**
 * Every service's grants as the plan's \`access\` outputs say them, committed: the review page
 * compares a base's copy with the head's to show the grants a change gains and loses.
 */
export function renderAccess(project: BedrockProject, stacks: readonly ServiceStack[] = serviceStacksOf(project)): string {
  const lines = ['# Access', '', 'Generated by `npm run bedrock -- registry` from the table definitions and the registry (an environment running every service); do not edit by hand.', ''];
  for (const stack of stacks) {
    lines.push(`## ${stack.service}`, '', ...stack.accessLines().map((line) => `- ${line}`), '');
  }
  return lines.join('\n');
}
