// A new decision record (ADR), written by `adr new`: the seed's "write an ADR" step with its
// context filled in from the model (each table's owner, readers and writers, each service's
// tables, writes and reads), the grants each outcome would change, and the exact code that
// links the record once it is accepted.
import * as path from 'node:path';
import { DECISION_RECORD_FOLDER } from '../model/decision-record';
import type { Table } from '../model/table';
import { BedrockProject } from '../project';
import { appRoleName } from '../services/service-registry';
import { columnReads, sharedWriterRoleName, tableAccess, WRITER_SEQUENCE_PRIVILEGES, WRITER_TABLE_PRIVILEGES } from '../stacks/access-policy';
import { inlineText } from './markdown-text';

export interface DecisionRecordInput {
  /** The record's path, relative to the project's folder, e.g. `docs/adr/0003-portfolio-writes-signals.md`. */
  readonly record: string;
  readonly number: number;
  /** As the person gave it: shown as plain words, never as markup. */
  readonly title: string;
  /** `YYYY-MM-DD` */
  readonly date: string;
  /** The tables the decision is about, built from the model (every service's stack). */
  readonly tables: readonly Table[];
  /** The registered services the decision is about. */
  readonly services: readonly string[];
  /** Every table of the project, for what each service owns and writes. */
  readonly allTables: readonly Table[];
}

const code = (text: string): string => `\`${text}\``;
const list = (items: readonly string[], none: string): string => (items.length > 0 ? items.join(', ') : none);

/** The record's Markdown. Names in it are validated identifiers; free text (title, reasons, teams) goes through inlineText. */
export function decisionRecordText(project: BedrockProject, input: DecisionRecordInput): string {
  const lines = [
    `# ${String(input.number).padStart(4, '0')}. ${inlineText(input.title)}`,
    '',
    '- Status: Proposed',
    `- Date: ${input.date}`,
    `- Tables: ${list(input.tables.map((t) => code(t.qualifiedName)), 'none named')}`,
    `- Services: ${list(input.services, 'none named')}`,
    '',
    '## Context',
    '',
    '_What forces this decision: who needs it, what breaks or costs without it, what was tried. The state below is generated from the code as it was when this record was written._',
    '',
  ];
  for (const table of input.tables) lines.push(...tableContext(project, table));
  if (input.services.length > 0) {
    lines.push('### Services', '');
    for (const service of input.services) lines.push(...serviceContext(project, service, input.allTables));
    lines.push('');
  }
  if (input.tables.length + input.services.length === 0) lines.push('No table or service was named: `adr new <title> --tables <service>.<table> --services <service>` fills this in.', '');
  lines.push(
    '## Decision',
    '',
    '_What was decided, by whom, and the options weighed: a shared-write exception (`sharedWriters`), moving the table to the writing service (`transferredFrom`), or keeping one writer (the other service asks the owner through its API or an event)._',
    '',
    '## Consequences',
    '',
    ...consequences(input),
    '',
    '## Linking this record',
    '',
    `Set the status to Accepted once the decision is made, then link this file from the code. The rule BEDROCK-O8 fails synth while a linked record is missing, and \`npm run bedrock -- registry\` lists it in docs/TABLE_OWNERSHIP.md.`,
    '',
    ...linkSnippets(project, input),
  );
  return `${lines.join('\n').trimEnd()}\n`;
}

/** `decision_engine.signals`: its owner, who writes it (owner, shared writers) and who reads it. */
function tableContext(project: BedrockProject, table: Table): string[] {
  const owner = table.service;
  const names = project.registry.names;
  const access = tableAccess(owner, names, project.registry);
  const byColumns = columnReads(owner, names, project.registry).filter((r) => r.table === table.name);
  const readers = names.flatMap((service) => {
    if (service === owner) return [];
    const grant = access.find((a) => a.role === appRoleName(service));
    const whole = grant && (grant.objects === undefined || grant.objects.includes(table.name));
    const columns = byColumns.filter((r) => r.reader === service);
    const declared = project.registry.readsOf(service) !== undefined;
    return [
      ...(whole ? [`${service} (the whole table${declared ? ', declared in its reads' : ': it declares no reads, so it reads every table'})`] : []),
      ...columns.map((r) => `${service} (columns ${r.columns.map(code).join(', ')}, a read contract, through role ${code(r.role)})`),
    ];
  });
  const writers = [
    `${owner}, the owner (${code(appRoleName(owner))}: ${WRITER_TABLE_PRIVILEGES.join(', ')})`,
    ...table.sharedWriters.map((w) => `${w.service}, a shared writer through role ${code(sharedWriterRoleName(w.service, table.name))}: ${inlineText(w.reason)} (decision ${code(w.decision)})`),
  ];
  return [
    `### ${code(table.qualifiedName)}`,
    '',
    `- Owner: ${owner} (team ${inlineText(project.registry.get(owner).team)})`,
    `- Writers: ${writers.join('; ')}`,
    `- Readers: ${list(readers, 'none')}`,
    '',
  ];
}

/** A service: its team, the tables it owns, the shared writes it holds, what it reads. */
function serviceContext(project: BedrockProject, service: string, allTables: readonly Table[]): string[] {
  const owned = allTables.filter((t) => t.service === service).map((t) => code(t.name));
  const writes = allTables.flatMap((t) => t.sharedWriters.filter((w) => w.service === service).map((w) => `${code(t.qualifiedName)} (decision ${code(w.decision)})`));
  const reads = project.registry.readsOf(service);
  const readText = reads === undefined ? "every other service's tables (it declares no reads)" : list(reads.map((r) => (r.columns ? `${code(r.table)} columns ${r.columns.map(code).join(', ')}` : code(r.table))), 'nothing of other services (it declares no reads)');
  return [
    `- ${service} (team ${inlineText(project.registry.get(service).team)}): owns ${list(owned, 'no tables')}; writes as a shared writer: ${list(writes, 'nothing')}; reads ${readText}`,
  ];
}

/** What each outcome changes in grants, per named table and service. */
function consequences(input: DecisionRecordInput): string[] {
  const pairs = input.tables.flatMap((table) => input.services.map((service) => ({ table, service })));
  if (pairs.length === 0) return ['_What changes: name the tables and services (`--tables`, `--services`) to have the grant changes listed here._'];
  return pairs.flatMap(({ table, service }) => {
    const owner = table.service;
    const role = code(sharedWriterRoleName(service, table.name));
    if (service === owner) return [`- ${service} owns ${code(table.qualifiedName)} already: nothing changes for it.`];
    const existing = table.sharedWriters.find((w) => w.service === service);
    if (existing) {
      return [
        `- Ending ${service}'s shared write on ${code(table.qualifiedName)}: role ${role} loses ${WRITER_TABLE_PRIVILEGES.join(', ')} on the table and ${code(appRoleName(service))} stops being its member; ` +
          `${service} keeps what its reads give it. Grants only, no migration; the plan's \`access\` output of the ${owner} stacks and the review page show the loss.`,
      ];
    }
    const sequences = table.toModel().columns.filter((c) => c.serial).map((c) => code(`${table.name}_${c.name}_seq`));
    return [
      `- ${service} as a shared writer of ${code(table.qualifiedName)}: a new role ${role} (NOLOGIN, member ${code(appRoleName(service))}) gains ${WRITER_TABLE_PRIVILEGES.join(', ')} on the table` +
        `${sequences.length > 0 ? ` and ${WRITER_SEQUENCE_PRIVILEGES.join(', ')} on ${sequences.join(', ')}` : ''}. Grants only, no migration: the schema is unchanged; the plan's \`access\` output of the ${owner} stacks and the review page show the gain.`,
      `- ${code(table.qualifiedName)} moved to ${service} instead (\`transferredFrom\`): a migration in each service moves the table to schema ${service}; ${code(appRoleName(owner))} loses INSERT, UPDATE, DELETE on it and ${code(appRoleName(service))} gains them.`,
    ];
  });
}

/** The code that links the record: a shared writer on the owner's table, or a transfer on the new owner's. */
function linkSnippets(project: BedrockProject, input: DecisionRecordInput): string[] {
  const folder = (service: string) => {
    const dir = path.dirname(project.migrationsDirectory(service));
    const relative = path.relative(project.root ?? process.cwd(), path.resolve(project.root ?? process.cwd(), dir));
    return `${relative.split(path.sep).join('/')}/`;
  };
  const pairs = input.tables.flatMap((table) => input.services.filter((s) => s !== table.service).map((service) => ({ table, service })));
  const shown = pairs.length > 0 ? pairs : [{ table: undefined, service: undefined }];
  const lines: string[] = [];
  for (const { table, service } of shown) {
    const writer = service ?? '<service>';
    const name = table?.name ?? '<table>';
    const owner = table?.service ?? '<owner>';
    const entry = `{ service: '${writer}', reason: '<why ${writer} must write ${name}>', decision: '${input.record}' }`;
    const where = `in the owner's definition of ${code(name)} (${code(table ? folder(owner) : `stacks/${owner}/`)})`;
    lines.push(
      ...(table && table.sharedWriters.length > 0
        ? [`A shared writer: ${where}, add to its \`sharedWriters\` list`, '', '```ts', `${entry},`, '```', '']
        : [`A shared writer: ${where}, add`, '', '```ts', `sharedWriters: [${entry}],`, '```', '']),
      `Or a transfer: in ${writer}'s definitions (${code(service ? folder(service) : `stacks/${writer}/`)}), define ${code(name)} with`,
      '',
      '```ts',
      `transferredFrom: { service: '${owner}', reason: '<why ${name} belongs to ${writer}>', decision: '${input.record}' },`,
      '```',
      '',
    );
  }
  lines.push(`Records live in ${DECISION_RECORD_FOLDER}/; a later decision that replaces this one sets this status to "Superseded by NNNN".`);
  return lines;
}
