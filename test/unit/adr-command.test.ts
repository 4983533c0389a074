// `adr new <title> [--tables] [--services]`: the next decision record in docs/adr/ of the
// project, its context filled in from the model (owner, readers, writers of each table; what
// each service owns, writes and reads), the grants each outcome changes, the code that links it.
// Never overwrites; a title cannot break the Markdown.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { bigint, BedrockProject, numeric, serial, ServiceRegistry, Table, text } from '../../lib';
import { adrCommand } from '../../lib/cli/adr-command';
import { CliFailure } from '../../lib/cli/command-support';
import { decisionRecords } from '../support/decision-records';

const EXISTING = 'docs/adr/0001-mlops-writes-klines.md';

function project(): BedrockProject & { root: string } {
  const { root } = decisionRecords([EXISTING]);
  const registry = new ServiceRegistry([
    { name: 'datahub', team: '@bedrock/datahub' },
    { name: 'portfolio', team: '@bedrock/portfolio', reads: [{ table: 'datahub.klines', columns: ['symbol', 'close'] }, 'datahub.chain_data'] },
    { name: 'mlops', team: '@bedrock/mlops' },
    { name: 'notification', team: '@bedrock/notification', reads: ['datahub.klines'] },
  ]);
  return {
    root,
    registry,
    environments: [],
    migrationsDirectory: (service) => path.join(root, 'stacks', service, 'migrations'),
    tables: {
      datahub: (stack) => {
        new Table(stack, 'klines', {
          columns: { id: serial(), symbol: text().notNull(), close: numeric(20, 8) },
          primaryKey: ['id'],
          sharedWriters: [{ service: 'mlops', reason: 'writes model features back', decision: EXISTING }],
        });
        new Table(stack, 'chain_data', { columns: { id: bigint() } });
      },
      portfolio: (stack) => {
        new Table(stack, 'positions', { columns: { id: bigint() } });
      },
      mlops: () => undefined,
      notification: () => undefined,
    },
  };
}

function run(p: BedrockProject, title: string, options: { tables?: string; services?: string } = {}) {
  const out: string[] = [];
  const written = adrCommand(p, title, { ...options, today: new Date('2026-11-25T10:00:00Z') }, { log: (l) => out.push(l), error: (l) => out.push(`error: ${l}`) });
  return { ...written, out, text: readFileSync(written.file, 'utf8') };
}

function failure(action: () => unknown): { message: string; code: number } {
  try {
    action();
  } catch (error) {
    if (error instanceof CliFailure) return { message: error.message, code: error.code };
    throw error;
  }
  throw new Error('expected a CliFailure');
}

/**
 * The Markdown's block structure as marked (npm, a dependency of mermaid) reads it: per top-level
 * token its type, its depth (headings), its text, and the types of its inline tokens.
 */
function blocks(markdown: string): [string, number | null, string, string[]][] {
  const script =
    "import { lexer } from 'marked'; let s = ''; process.stdin.on('data', (c) => (s += c)); process.stdin.on('end', () => { " +
    "console.log(JSON.stringify(lexer(s).filter((t) => t.type !== 'space').map((t) => [t.type, t.depth ?? null, t.text ?? '', (t.tokens ?? []).map((i) => i.type)]))); });";
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { input: markdown, encoding: 'utf8', cwd: path.join(__dirname, '..', '..') });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

test('writes the next record from the template, with the context from the model', () => {
  const p = project();
  const written = run(p, 'Portfolio writes klines', { tables: 'klines', services: 'portfolio' });
  // README: `BEDROCK_PRINT_ADR=1 npx jest test/unit/adr-command.test.ts` prints the sample.
  if (process.env.BEDROCK_PRINT_ADR) console.log(`${written.out.join('\n')}\n\n${written.text}`);
  expect(written.record).toBe('docs/adr/0002-portfolio-writes-klines.md');
  expect(written.file).toBe(path.join(p.root, 'docs', 'adr', '0002-portfolio-writes-klines.md'));
  expect(written.out).toEqual([
    'wrote docs/adr/0002-portfolio-writes-klines.md (status Proposed): complete its Context, Decision and Consequences; once accepted, link it from the code:',
    "  sharedWriters: [{ service: 'portfolio', reason: '<why>', decision: 'docs/adr/0002-portfolio-writes-klines.md' }]   (on datahub.klines, in its owner's definitions)",
    "  transferredFrom: { service: 'datahub', reason: '<why>', decision: 'docs/adr/0002-portfolio-writes-klines.md' }   (on the table, in its new owner's definitions)",
  ]);
  const lines = written.text.split('\n');
  expect(lines.slice(0, 6)).toEqual(['# 0002. Portfolio writes klines', '', '- Status: Proposed', '- Date: 2026-11-25', '- Tables: `datahub.klines`', '- Services: portfolio']);
  // The table: its owner, its writers (the owner, the shared writer with its reason and record), its readers by kind.
  expect(lines).toContain('- Owner: datahub (team @bedrock/datahub)');
  expect(lines).toContain(
    '- Writers: datahub, the owner (`datahub_app`: SELECT, INSERT, UPDATE, DELETE); mlops, a shared writer through role `mlops_writes_klines`: writes model features back (decision `docs/adr/0001-mlops-writes-klines.md`)',
  );
  expect(lines).toContain(
    '- Readers: portfolio (columns `close`, `symbol`, a read contract, through role `portfolio_reads_klines`), mlops (the whole table: it declares no reads, so it reads every table), notification (the whole table, declared in its reads)',
  );
  // The service named: its tables, its shared writes, its reads.
  expect(lines).toContain('- portfolio (team @bedrock/portfolio): owns `positions`; writes as a shared writer: nothing; reads `datahub.klines` columns `symbol`, `close`, `datahub.chain_data`');
  // What changes in grants: the writer's role gains DML (and USAGE on the serial column's sequence); no migration.
  expect(lines).toContain(
    '- portfolio as a shared writer of `datahub.klines`: a new role `portfolio_writes_klines` (NOLOGIN, member `portfolio_app`) gains SELECT, INSERT, UPDATE, DELETE on the table and SELECT, USAGE on `klines_id_seq`. ' +
      "Grants only, no migration: the schema is unchanged; the plan's `access` output of the datahub stacks and the review page show the gain.",
  );
  // How to link it: the table has an exception already, so the entry joins its list; or a transfer.
  expect(written.text).toContain(
    "A shared writer: in the owner's definition of `klines` (`stacks/datahub/`), add to its `sharedWriters` list\n\n```ts\n" +
      "{ service: 'portfolio', reason: '<why portfolio must write klines>', decision: 'docs/adr/0002-portfolio-writes-klines.md' },\n```",
  );
  expect(written.text).toContain(
    "Or a transfer: in portfolio's definitions (`stacks/portfolio/`), define `klines` with\n\n```ts\n" +
      "transferredFrom: { service: 'datahub', reason: '<why klines belongs to portfolio>', decision: 'docs/adr/0002-portfolio-writes-klines.md' },\n```",
  );
  expect(blocks(written.text).filter(([type]) => type === 'heading').map(([, depth, text]) => `${depth} ${text}`)).toEqual([
    '1 0002. Portfolio writes klines',
    '2 Context',
    '3 `datahub.klines`',
    '3 Services',
    '2 Decision',
    '2 Consequences',
    '2 Linking this record',
  ]);
});

test('ending an existing exception: its record is in the context, and the consequence is the role losing its privileges', () => {
  const p = project();
  const { text } = run(p, 'mlops stops writing klines', { tables: 'datahub.klines', services: 'mlops' });
  expect(text).toContain('- mlops (team @bedrock/mlops): owns no tables; writes as a shared writer: `datahub.klines` (decision `docs/adr/0001-mlops-writes-klines.md`); reads every other service\'s tables (it declares no reads)');
  expect(text).toContain(
    "- Ending mlops's shared write on `datahub.klines`: role `mlops_writes_klines` loses SELECT, INSERT, UPDATE, DELETE on the table and `mlops_app` stops being its member; mlops keeps what its reads give it.",
  );
});

test('a table without exceptions gets the whole sharedWriters line; without tables or services, placeholders', () => {
  const p = project();
  const { text } = run(p, 'portfolio writes chain data', { tables: 'datahub.chain_data', services: 'portfolio' });
  expect(text).toContain("```ts\nsharedWriters: [{ service: 'portfolio', reason: '<why portfolio must write chain_data>', decision: 'docs/adr/0002-portfolio-writes-chain-data.md' }],\n```");
  const bare = run(p, 'Retire the legacy writer');
  expect(bare.record).toBe('docs/adr/0003-retire-the-legacy-writer.md');
  expect(bare.text).toContain('- Tables: none named\n- Services: none named');
  expect(bare.text).toContain('No table or service was named: `adr new <title> --tables <service>.<table> --services <service>` fills this in.');
  expect(bare.text).toContain("sharedWriters: [{ service: '<service>', reason: '<why <service> must write <table>>', decision: 'docs/adr/0003-retire-the-legacy-writer.md' }],");
});

test('numbers follow the highest record in docs/adr/; the records there are left as they were', () => {
  const { root } = decisionRecords(['docs/adr/0001-a.md', 'docs/adr/0007-b.md']);
  const p = { ...project(), root };
  expect(run(p, 'third').record).toBe('docs/adr/0008-third.md');
  expect(run(p, 'third').record).toBe('docs/adr/0009-third.md');
  expect(readdirSync(path.join(root, 'docs', 'adr')).sort()).toEqual(['0001-a.md', '0007-b.md', '0008-third.md', '0009-third.md']);
  expect(readFileSync(path.join(root, 'docs', 'adr', '0007-b.md'), 'utf8')).toBe('# 0007-b\n\n- Status: Accepted\n');
});

test('a project without docs/adr/ gets the folder, in the project, not in the working directory', () => {
  const p = project();
  const elsewhere = { ...p, root: path.join(p.root, 'nested', 'project') };
  const { file } = run(elsewhere, 'first decision');
  expect(file).toBe(path.join(p.root, 'nested', 'project', 'docs', 'adr', '0001-first-decision.md'));
  expect(existsSync(path.join(process.cwd(), 'docs', 'adr', '0001-first-decision.md'))).toBe(false);
});

test.each<[string, string, { tables?: string; services?: string }, string, number]>([
  ['a title of punctuation', '?!', {}, 'adr new: the title "?!" has no letter or digit to name the file after: give the decision in words, e.g. adr new "portfolio writes decision_engine signals"', 1],
  ['a title with no ASCII letter', '日本語', {}, 'adr new: the title "日本語" has no letter or digit to name the file after', 1],
  ['a title of 201 characters', 'x'.repeat(201), {}, 'adr new: the title is 201 characters long; keep it under 200 and write the rest in the record\'s Context', 1],
  ['an unknown table', 'ok', { tables: 'candles' }, 'adr new: --tables: no service defines a table "candles": write it as <service>.<table> (tables: datahub.klines, datahub.chain_data, portfolio.positions)', 1],
  ['a table of another service', 'ok', { tables: 'portfolio.klines' }, 'adr new: --tables: no service defines a table "portfolio.klines"', 1],
  ['an unknown service, with an invisible character', 'ok', { services: 'billing\u202e' }, 'adr new: --services: "billing\\u202e" is not a registered service (registered: datahub, portfolio, mlops, notification)', 1],
])('%s is refused, writing nothing', (_label, title, options, message, code) => {
  const p = project();
  const refused = failure(() => run(p, title, options));
  expect(refused.message).toContain(message);
  expect(refused.code).toBe(code);
  expect(readdirSync(path.join(p.root, 'docs', 'adr'))).toEqual(['0001-mlops-writes-klines.md']);
});

test.each([
  ['line breaks and headings', 'a\n## Decision\nAccepted\r\n# Title'],
  ['backticks and fences', '```\nfenced `code` ``` more'],
  ['HTML and comments', '<script>alert(1)</script> <!-- hide the rest <img src=x onerror=alert(1)>'],
  ['links, emphasis, entities, tables', '[x](javascript:alert(1)) **bold** _it_ &amp; | a | b | ~~s~~ \\'],
  ['control and invisible characters', 'tab\there\u0000nul\u001bESC\u202eRLO\u200bZWSP\u2028LS end'],
])('a hostile title (%s) stays one heading of plain words', (_label, title) => {
  const p = project();
  const { text } = run(p, title, { tables: 'klines', services: 'portfolio' });
  const parsed = blocks(text);
  expect(parsed.filter(([type]) => type === 'heading').map(([, depth]) => depth)).toEqual([1, 2, 3, 3, 2, 2, 2]);
  expect(parsed.filter(([type]) => type === 'html')).toEqual([]);
  // The title is the first block, one heading whose inline content is only text and escapes:
  // no code span, HTML, link, emphasis or strikethrough.
  expect(parsed[0][0]).toBe('heading');
  expect([...new Set(parsed[0][3])].filter((type) => type !== 'text' && type !== 'escape')).toEqual([]);
  const heading = text.split('\n')[0];
  expect(heading).toMatch(/^# 0002\. \S/);
  // Nothing invisible is written.
  expect(heading).not.toMatch(/[\u0000-\u001f\u007f\u200b\u2028\u202e]/);
  expect(text.split('\n').filter((l) => l.startsWith('# '))).toEqual([heading]);
});

test('the escaped title reads as the words typed', () => {
  const p = project();
  const { text } = run(p, '<b>Portfolio</b> writes `signals`\n## now', { tables: 'klines', services: 'portfolio' });
  expect(text.split('\n')[0]).toBe('# 0002. \\<b\\>Portfolio\\</b\\> writes \\`signals\\` \\#\\# now');
  expect(blocks(text)[0]).toEqual(['heading', 1, '0002. \\<b\\>Portfolio\\</b\\> writes \\`signals\\` \\#\\# now', expect.any(Array)]);
});
