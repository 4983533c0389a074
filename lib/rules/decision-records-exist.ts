// BEDROCK-O8: every decision record a construct links to exists in the project's folder. An
// exception to ownership (a shared writer today, a transferred table next) is only as good as
// the decision behind it: synth fails while the linked record (docs/adr/NNNN-<slug>.md) is missing.
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { IConstruct } from 'constructs';
import { decisionRecordProblem, NEW_DECISION_RECORD_COMMAND } from '../model/decision-record';
import { Table } from '../model/table';
import { Rule } from './rule';

/** A decision record linked from a construct, with what `adr new` would be given to write it. */
export interface DecisionLink {
  /** The linked path, relative to the project's folder, e.g. `docs/adr/0001-portfolio-writes-signals.md`. */
  readonly record: string;
  /** What links it, for messages, e.g. `the shared write exception for portfolio on decision_engine.signals`. */
  readonly linkedFrom: string;
  /** A title for the record, e.g. `portfolio writes decision_engine.signals`. */
  readonly title: string;
  /** The tables (`<service>.<table>`) and services the decision is about. */
  readonly tables: readonly string[];
  readonly services: readonly string[];
}

/** The decision records `construct` links to: a table's shared writers (and, once they exist, its transfer). */
export function decisionLinksOf(construct: IConstruct): DecisionLink[] {
  if (!(construct instanceof Table)) return [];
  const transfer = construct.transferredFrom;
  return [
    ...construct.sharedWriters.map((w) => ({
      record: w.decision,
      linkedFrom: `the shared write exception for ${w.service} on ${construct.qualifiedName}`,
      title: `${w.service} writes ${construct.qualifiedName}`,
      tables: [construct.qualifiedName],
      services: [w.service],
    })),
    ...(transfer
      ? [
          {
            record: transfer.decision,
            linkedFrom: `the transfer of ${construct.qualifiedName} from ${transfer.service}`,
            title: `${construct.service} takes ${construct.name} from ${transfer.service}`,
            tables: [`${transfer.service}.${construct.name}`],
            services: [transfer.service, construct.service],
          },
        ]
      : []),
  ];
}

/** The `adr new` command line that writes a record for `link`. */
export function newRecordCommand(link: DecisionLink): string {
  const options = [link.tables.length > 0 ? ` --tables ${link.tables.join(',')}` : '', link.services.length > 0 ? ` --services ${link.services.join(',')}` : ''].join('');
  return `${NEW_DECISION_RECORD_COMMAND} "${link.title}"${options}`;
}

/** Why the record `link` names is not a file in `root`, or undefined when it is. */
export function missingDecisionRecord(root: string, link: DecisionLink): string | undefined {
  // Tables check their links when built; checked again here, so no link can reach the file system unchecked.
  const problem = decisionRecordProblem(link.record);
  if (problem) return `${link.linkedFrom} links a decision record wrongly: ${problem}`;
  const file = path.join(root, ...link.record.split('/'));
  let isFile = false;
  try {
    isFile = statSync(file).isFile();
  } catch {
    isFile = false;
  }
  if (isFile) return undefined;
  return (
    `${link.linkedFrom} links the decision record ${link.record}, which is not a file in the project's folder (${root}): ` +
    `run \`${newRecordCommand(link)}\`, complete the record it writes and link that file, or correct the path`
  );
}

export const DecisionRecordsExist: Rule = {
  id: 'BEDROCK-O8',
  name: 'DecisionRecordsExist',
  description: 'Every decision record a construct links to (a shared writer\'s `decision`) is a file in docs/adr/ of the project',
  acknowledgeable: false,
  check: (construct, { root }) => decisionLinksOf(construct).flatMap((link) => missingDecisionRecord(root, link) ?? []),
};
