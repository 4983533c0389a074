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
