// The review page's Markdown cannot be broken by what a migration holds: backticks, pipes,
// newlines and NUL in SQL or comments stay inside their block or cell.
import { reviewMarkdown } from '../../lib/review/review-markdown';
import { ReviewPage } from '../../lib/review/review-page';

const hostile = "COMMENT ON TABLE \"datahub\".\"t\" IS E'````\\n| x | y |\\n</details>\\u0000';";

const page: ReviewPage = {
  base: 'HEAD',
  grantsCompared: true,
  services: [
    {
      service: 'datahub',
      migrations: [{ id: '20260101_000000_datahub_x', header: ['comment on table datahub.t | with a pipe'], steps: [{ mode: 'transaction', statements: [{ line: 6, sql: `${hostile}\nSELECT 1`, lock: 'SHARE UPDATE EXCLUSIVE', blocks: 'nothing', findings: [{ rule: 'BEDROCK-L7', severity: 'warning', message: 'a | b\nc' }] }] }], acknowledgements: [] }],
      grants: { gained: [], lost: [] },
      sharedWriters: {
        added: [{ table: 'datahub.t', writer: 'portfolio', role: 'portfolio_writes_t', reason: 'marks fills\n### Forged heading\n<!-- hide the rest', decision: 'docs/adr/0002-portfolio-writes-t.md' }],
        removed: [{ table: 'datahub.t', writer: 'mlops', role: 'mlops_writes_t', reason: 'wrote features | back' }],
      },
      readContracts: { added: [], removed: [] },
      ownership: { added: [], removed: [] },
      diagram: 'erDiagram\n  t {\n    text a\n  }\n',
    },
  ],
};

test('SQL holding backticks, pipes and newlines stays in a fence longer than any run of backticks in it, and in one table cell', () => {
  const markdown = reviewMarkdown(page);
  const fence = markdown.split('\n').find((line) => /^`+sql$/.test(line))!;
  expect(fence).toBe('`````sql');
  expect(markdown).toContain(`\`\`\`\`\`sql\n${hostile}\nSELECT 1;\n\`\`\`\`\``);
  const row = markdown.split('\n').find((line) => line.startsWith('| 6 |'))!;
  expect(row.split(/(?<!\\)\|/)).toHaveLength(7); // five cells: no pipe in the SQL or the finding opened another
  expect(row).toContain('warning BEDROCK-L7: a \\| b c');
  expect(markdown).toContain('> - comment on table datahub.t \\| with a pipe');
});

test('a shared-write exception shows its role, reason and decision record on one line; a hostile reason reads as words', () => {
  const markdown = reviewMarkdown(page);
  const lines = markdown.split('\n');
  const section = lines.indexOf('### Shared-write exceptions');
  expect(section).toBeGreaterThan(0);
  expect(lines.filter((l) => l.startsWith('### ')).map((l) => l.slice(4))).toEqual(['Migration `20260101_000000_datahub_x`', 'Shared-write exceptions', 'Tables of datahub']);
  expect(lines[section + 4]).toBe(
    '- added: portfolio writes `datahub.t` through role `portfolio_writes_t` (member: `portfolio_app`). Reason: marks fills \\#\\#\\# Forged heading \\<\\!-- hide the rest. Decision `docs/adr/0002-portfolio-writes-t.md`.',
  );
  expect(lines[section + 5]).toBe(
    '- removed: mlops no longer writes `datahub.t`; role `mlops_writes_t` loses its privileges. It was granted for: wrote features \\| back (no decision record linked): ' +
      'record why it ends in that decision record or a new one (`npm run bedrock -- adr new <title>`).',
  );
});
