// Acknowledging a statement rule in a migration file, with a written reason (like cdk-nag
// suppressions): a comment line `-- bedrock:acknowledge BEDROCK-S3 <reason>` in up or down.
// Only real `--` comments count (found by PostgreSQL's scanner), never text inside a string
// literal or a dollar-quoted body; a malformed acknowledgement is itself a finding.
import { LineComment } from './parsed-migration';
import { StatementRule } from './statement-rule';

export const ACKNOWLEDGE = 'bedrock:acknowledge';

const MARKER = /^--\s*bedrock:acknowledge(?:\s+(\S+))?\s*(.*)$/s;

export interface AcknowledgementProblem {
  readonly line: number;
  /** The rule named, or `bedrock:acknowledge` when none is. */
  readonly rule: string;
  readonly message: string;
}

export interface FileAcknowledgements {
  /** Rule id to reason, for each well-formed acknowledgement of an acknowledgeable rule. */
  readonly acknowledged: ReadonlyMap<string, string>;
  readonly problems: readonly AcknowledgementProblem[];
}

/** The acknowledgements among a file's comments, checked against `rules`. */
export function fileAcknowledgements(comments: readonly LineComment[], rules: readonly StatementRule[]): FileAcknowledgements {
  const acknowledged = new Map<string, string>();
  const problems: AcknowledgementProblem[] = [];
  for (const comment of comments) {
    const match = MARKER.exec(comment.text.trimEnd());
    if (!match) continue;
    const [, id, reason] = match;
    const problem = acknowledgementProblem(id, reason, rules);
    if (problem) problems.push({ line: comment.line, rule: id ?? ACKNOWLEDGE, message: problem });
    else acknowledged.set(id!, reason);
  }
  return { acknowledged, problems };
}

function acknowledgementProblem(id: string | undefined, reason: string, rules: readonly StatementRule[]): string | undefined {
  const form = `write \`-- ${ACKNOWLEDGE} <rule> <reason>\`, e.g. \`-- ${ACKNOWLEDGE} BEDROCK-S3 backfills prices once, reviewed in PR 123\``;
  if (id === undefined) return `the acknowledgement names no rule: ${form}`;
  const rule = rules.find((r) => r.id === id);
  if (!rule) return `the acknowledgement names an unknown statement rule: see \`npm run bedrock -- rules\`, and ${form}`;
  if (!rule.acknowledgeable) return `${rule.name} cannot be acknowledged: change the statement instead`;
  if (reason.trim() === '') return `the acknowledgement has no reason: ${form}`;
  return undefined;
}
