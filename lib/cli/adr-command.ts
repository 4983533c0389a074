// `adr new <title> [--tables a,b] [--services x,y]`: writes the next decision record,
// docs/adr/NNNN-<slug>.md in the project's folder, from the template with its context filled in
// from the model (lib/registry/decision-record-template.ts). Never overwrites a file.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { BedrockProject, serviceStacksOf } from '../project';
import { DECISION_RECORD_FOLDER, decisionRecordPath, decisionRecordProblem, decisionRecordSlug, nextDecisionRecordNumber } from '../model/decision-record';
import type { Table } from '../model/table';
import { decisionRecordText } from '../registry/decision-record-template';
import { CliFailure, Output } from './command-support';

export interface AdrOptions {
  /** The tables the decision is about, comma-separated: `decision_engine.signals` or `signals`. */
  readonly tables?: string;
  /** The services the decision is about, comma-separated, e.g. `portfolio`. */
  readonly services?: string;
  /** The record's date. @default today (UTC) */
  readonly today?: Date;
}

/** What `adr new` wrote. */
export interface WrittenDecisionRecord {
  /** Relative to the project's folder, as code links it: `docs/adr/0003-portfolio-writes-signals.md`. */
  readonly record: string;
  /** The file's absolute path. */
  readonly file: string;
}

/** A title longer than this is a paragraph: the context belongs in the record. */
const MAX_TITLE_LENGTH = 200;

/** What the user typed, as a message shows it: quoted, escapes for what cannot be seen, cut short. */
const shown = (text: string): string => JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text).replace(/[\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);

export function adrCommand(project: BedrockProject, title: string, options: AdrOptions, output: Output): WrittenDecisionRecord {
  const slug = decisionRecordSlug(title);
  if (slug === '') {
    throw new CliFailure(`adr new: the title ${shown(title)} has no letter or digit to name the file after: give the decision in words, e.g. adr new "portfolio writes decision_engine signals"`);
  }
  if (title.length > MAX_TITLE_LENGTH) throw new CliFailure(`adr new: the title is ${title.length} characters long; keep it under ${MAX_TITLE_LENGTH} and write the rest in the record's Context`);
  const allTables = serviceStacksOf(project).flatMap((stack) => stack.tables);
  const tables = namesOf(options.tables).map((name) => tableNamed(allTables, name));
  const services = namesOf(options.services);
  for (const service of services) {
    if (!project.registry.has(service)) throw new CliFailure(`adr new: --services: ${shown(service)} is not a registered service (registered: ${project.registry.names.join(', ')})`);
  }

  const root = project.root ?? process.cwd();
  const folder = path.join(root, ...DECISION_RECORD_FOLDER.split('/'));
  mkdirSync(folder, { recursive: true });
  const number = nextDecisionRecordNumber(readdirSync(folder));
  if (number > 9999) throw new CliFailure(`adr new: ${DECISION_RECORD_FOLDER}/ holds record 9999 already: there is no four-digit number left`);
  const record = decisionRecordPath(number, slug);
  // The slug and number are built to pass; checked all the same, as a link to this file will be.
  const problem = decisionRecordProblem(record);
  if (problem) throw new Error(`adr new: ${problem}`);
  const file = path.join(root, ...record.split('/'));
  const date = (options.today ?? new Date()).toISOString().slice(0, 10);
  const text = decisionRecordText(project, { record, number, title, date, tables, services: [...new Set(services)], allTables });
  try {
    // 'wx': created here or not at all, so a record that appeared meanwhile is never overwritten.
    writeFileSync(file, text, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new CliFailure(`adr new: ${record} exists already; nothing was overwritten: run the command again for the next number`);
    throw error;
  }
  output.log(`wrote ${record} (status Proposed): complete its Context, Decision and Consequences; once accepted, link it from the code:`);
  const [table] = tables;
  const writer = services.find((s) => s !== table?.service);
  output.log(`  sharedWriters: [{ service: '${writer ?? '<service>'}', reason: '<why>', decision: '${record}' }]   (on ${table ? table.qualifiedName : 'the table'}, in its owner's definitions)`);
  output.log(`  transferredFrom: { service: '${table?.service ?? '<owner>'}', reason: '<why>', decision: '${record}' }   (on the table, in its new owner's definitions)`);
  return { record, file };
}

function namesOf(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

/** A table by `<service>.<table>`, or by its name alone when one service defines it. */
function tableNamed(tables: readonly Table[], name: string): Table {
  const found = tables.filter((t) => (name.includes('.') ? t.qualifiedName === name : t.name === name));
  if (found.length === 1) return found[0];
  if (found.length > 1) throw new CliFailure(`adr new: --tables: ${shown(name)} is defined by ${found.map((t) => t.service).join(' and ')}: write it as <service>.<table> (${found.map((t) => t.qualifiedName).join(', ')})`);
  const known = tables.map((t) => t.qualifiedName);
  throw new CliFailure(`adr new: --tables: no service defines a table ${shown(name)}: write it as <service>.<table> (tables: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', ...' : ''})`);
}
