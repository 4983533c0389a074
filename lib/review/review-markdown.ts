// The review page as Markdown a reviewer reads on GitHub: per service with something pending,
// the migrations with their SQL step by step, each statement's lock and what it blocks, the lint
// findings and the acknowledgements, grants gained and lost, shared-write exceptions added and
// removed with their reasons and decision records, read contracts and ownership rows touched,
// and the service's ER diagram (a mermaid block GitHub draws).
import { inlineText } from '../registry/markdown-text';
import { appRoleName } from '../services/service-registry';
import { ReviewMigration, ReviewPage, ServiceReview, SharedWriteException } from './review-page';

/** A fence longer than any run of backticks in `text`: SQL or a model string cannot close it early. */
function fenced(language: string, text: string): string[] {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${language}`, text.replace(/\n+$/, ''), fence];
}

/** Table cell text: a pipe or a line break would end the cell. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r\n?|\n/g, ' ');

const STEP_MODES: Record<string, string> = { transaction: 'in a transaction', 'outside transaction': 'alone, outside a transaction', offline: 'in a transaction, OFFLINE (holds the table for a whole rewrite)' };

export function reviewMarkdown(page: ReviewPage): string {
  const touched = page.services.filter(isTouched);
  const lines = [`# Schema review against \`${cell(page.base)}\``, ''];
  if (!page.grantsCompared) lines.push(`The base has no docs/ACCESS.md (it predates it): grants are not compared.`, '');
  lines.push(touched.length === 0 ? 'Nothing pending: no migration, grant, read contract or ownership change against the base.' : `Services touched: ${touched.map((s) => s.service).join(', ')}.`, '');
  for (const service of touched) lines.push(...serviceSection(service));
  return `${lines.join('\n').trimEnd()}\n`;
}

function isTouched(s: ServiceReview): boolean {
  return (
    s.migrations.length + s.grants.gained.length + s.grants.lost.length + s.sharedWriters.added.length + s.sharedWriters.removed.length +
      s.readContracts.added.length + s.readContracts.removed.length + s.ownership.added.length + s.ownership.removed.length >
    0
  );
}

function serviceSection(s: ServiceReview): string[] {
  const lines = [`## ${s.service}`, ''];
  for (const migration of s.migrations) lines.push(...migrationSection(migration));
  lines.push(...changes('Grants', s.grants.gained, s.grants.lost, 'gained', 'lost'));
  lines.push(...sharedWriteSection(s));
  lines.push(...changes('Read contracts on its tables', s.readContracts.added, s.readContracts.removed, 'added', 'removed'));
  lines.push(...changes('Ownership', s.ownership.added, s.ownership.removed, 'added', 'removed'));
  lines.push(`### Tables of ${s.service}`, '', 'Solid edges: foreign keys inside the service; dotted: application-level references to other services.', '', ...fenced('mermaid', s.diagram), '');
  return lines;
}

function migrationSection(m: ReviewMigration): string[] {
  const findings = m.steps.flatMap((step) => step.statements.flatMap((s) => s.findings));
  const errors = findings.filter((f) => f.severity === 'error').length;
  const lines = [`### Migration \`${m.id}\``, ''];
  if (m.header.length > 0) lines.push(...m.header.map((h) => `> - ${cell(h)}`), '');
  lines.push(`${m.steps.length} step(s); ${errors} error(s), ${findings.length - errors} warning(s)${m.acknowledgements.length > 0 ? `; acknowledged: ${m.acknowledgements.map((a) => `${a.rule} (${cell(a.reason)})`).join(', ')}` : ''}.`, '');
  m.steps.forEach((step, index) => {
    lines.push(`**Step ${index + 1}**, ${step.data ?? STEP_MODES[step.mode] ?? step.mode}:`, '');
    lines.push(...fenced('sql', step.statements.map((s) => `${s.sql};`).join('\n')), '');
    if (step.batchStatement !== undefined) {
      lines.push('Each batch runs this, in a transaction of its own (`$1`: the key the batch before ended at, `$2`: the last key of this batch; the first batch only `<= $1`):', '');
      lines.push(...fenced('sql', `${step.batchStatement};`), '');
    }
    lines.push('| line | statement | lock | blocks | findings |', '|---|---|---|---|---|');
    for (const s of step.statements) {
      const said = s.findings.map((f) => `${f.severity === 'error' ? '**error**' : 'warning'} ${f.rule}: ${cell(f.message)}`).join('<br>') || '-';
      const first = s.sql.split('\n')[0];
      const shown = first.length > 72 ? `${first.slice(0, 71)}…` : first;
      lines.push(`| ${s.line} | \`${cell(shown).replace(/`/g, "'")}\` | ${s.lock} | ${s.blocks} | ${said} |`);
    }
    lines.push('');
  });
  return lines;
}

function changes(title: string, added: readonly string[], removed: readonly string[], plus: string, minus: string): string[] {
  if (added.length + removed.length === 0) return [];
  return [`### ${title}`, '', ...added.map((l) => `- ${plus}: ${cell(l)}`), ...removed.map((l) => `- ${minus}: ${cell(l)}`), ''];
}

/**
 * Shared-write exceptions added or removed: who writes which table through which role, why, and
 * the decision record. Only grants change (no migration); the reason is the code's text, shown
 * as words (never markup); the record's path holds letters, digits, hyphens and slashes only.
 */
function sharedWriteSection(s: ServiceReview): string[] {
  const { added, removed } = s.sharedWriters;
  if (added.length + removed.length === 0) return [];
  const record = (e: SharedWriteException) => (e.decision ? `decision \`${e.decision}\`` : 'no decision record linked');
  return [
    '### Shared-write exceptions',
    '',
    'Grants only, no migration: the role of each exception gains or loses its privileges on the table.',
    '',
    ...added.map((e) => `- added: ${e.writer} writes \`${e.table}\` through role \`${e.role}\` (member: \`${appRoleName(e.writer)}\`). Reason: ${inlineText(e.reason)}. ${upper(record(e))}.`),
    ...removed.map(
      (e) =>
        `- removed: ${e.writer} no longer writes \`${e.table}\`; role \`${e.role}\` loses its privileges. It was granted for: ${inlineText(e.reason)} (${record(e)}): ` +
        'record why it ends in that decision record or a new one (`npm run bedrock -- adr new <title>`).',
    ),
    '',
  ];
}

const upper = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
