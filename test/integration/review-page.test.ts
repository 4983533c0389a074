// The review page of a sample change, in a git repository of its own: a new column and a new
// index on an existing table, and a grant change (portfolio declares it reads columns of
// datahub.klines). The Markdown shows the migration step by step with each statement's lock,
// the grants gained and lost and the read contract added; every diagram parses with Mermaid.
// Data sections show as hand-written, a batched one with the statement each batch runs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bigint, numeric, ServiceStack, Table, text } from '../../lib';
import { renderAccess, renderOwnershipRegistry } from '../../lib/registry/ownership-registry';
import { writeReviews } from '../../lib/review/write-reviews';
import { testProject, TestProject } from '../support/project';

let root: string;
const git = (...args: string[]) => {
  const run = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
};

function klines(withVolume: boolean) {
  return (stack: ServiceStack) => {
    new Table(stack, 'klines', {
      columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: text().notNull(), close: numeric(20, 8), ...(withVolume ? { volume: numeric(20, 8) } : {}) },
      primaryKey: ['id'],
      ...(withVolume ? { indexes: [{ columns: ['symbol', 'volume'] }] } : {}),
    });
  };
}

function writeDocs(project: TestProject): void {
  mkdirSync(path.join(root, 'docs'), { recursive: true });
  writeFileSync(path.join(root, 'docs', 'ACCESS.md'), renderAccess(project));
  writeFileSync(path.join(root, 'docs', 'TABLE_OWNERSHIP.md'), renderOwnershipRegistry(project));
}

/** Runs scripts/check-mermaid.mjs on the diagrams; its exit status and what it said. */
function checkMermaid(diagrams: readonly string[]): { status: number | null; out: string } {
  const run = spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'check-mermaid.mjs')], { input: JSON.stringify(diagrams), encoding: 'utf8', cwd: path.join(__dirname, '..', '..') });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

let markdown: string;
let head: TestProject;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'bedrock-review-'));
  git('init', '-q');
  git('config', 'user.email', 'test@bedrock.invalid');
  git('config', 'user.name', 'review test');
  const base = testProject(root);
  base.tables.datahub = klines(false);
  base.tables.portfolio = (stack) => {
    new Table(stack, 'positions', { columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: text() }, primaryKey: ['id'], appReferences: [{ columns: ['symbol'], table: 'datahub.klines', targetColumns: ['symbol'] }] as never });
  };
  expect((await base.cli('generate', 'datahub', 'add_klines')).code).toBe(0);
  expect((await base.cli('generate', 'portfolio', 'add_positions')).code).toBe(0);
  writeDocs(base);
  git('add', '-A');
  git('commit', '-qm', 'base');

  head = testProject(root, [{ table: 'datahub.klines', columns: ['symbol', 'close'] }]);
  head.tables.datahub = klines(true);
  head.tables.portfolio = base.tables.portfolio;
  expect((await head.cli('generate', 'datahub', 'add_volume')).code).toBe(0);
  writeDocs(head);
  const result = await head.cli('review', '--base', 'HEAD');
  expect(result.err).toBe('');
  markdown = result.out;
  // The README's example is this page: printed so it can be copied from a run.
  if (process.env.BEDROCK_PRINT_REVIEW) console.log(markdown);
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

test('the pending migration, step by step, with each statement\'s lock and what it blocks', () => {
  expect(markdown).toMatch(/^# Schema review against `HEAD`/);
  expect(markdown).toMatch(/### Migration `\d{8}_\d{6}_datahub_add_volume`/);
  expect(markdown).toContain('> - add column datahub.klines.volume numeric(20,8)');
  expect(markdown).toContain('**Step 1**, in a transaction:');
  expect(markdown).toContain('**Step 2**, alone, outside a transaction:');
  expect(markdown).toContain('CREATE INDEX CONCURRENTLY "klines_symbol_volume_idx" ON "datahub"."klines" USING btree ("symbol", "volume")');
  expect(markdown).toContain('ALTER TABLE "datahub"."klines" ADD COLUMN "volume" numeric(20,8);\n');
  expect(markdown).toMatch(/\| \d+ \| `ALTER TABLE "datahub"\."klines" ADD COLUMN [^|]*` \| ACCESS EXCLUSIVE \| reads and writes \| - \|/);
  expect(markdown).toMatch(/\| \d+ \| `CREATE INDEX CONCURRENTLY [^|]*` \| SHARE UPDATE EXCLUSIVE \| nothing \| - \|/);
  expect(markdown).toContain('2 step(s); 0 error(s), 0 warning(s).');
  // portfolio's own migration was committed in the base: not pending.
  expect(markdown).not.toContain('portfolio_add_positions');
});

test('the grants gained and lost, and the read contract added', () => {
  expect(markdown).toContain('- gained: portfolio_reads_klines (member: portfolio_app): SELECT (close, symbol) on table datahub.klines');
  expect(markdown).toContain('- lost: portfolio_app: SELECT on all tables in schema datahub');
  expect(markdown).toContain('- added: portfolio reads `datahub.klines`: columns `symbol`, `close`');
});

test('every diagram on the page parses with Mermaid; a broken one does not (the check can fail)', () => {
  const diagrams = [...markdown.matchAll(/^(`{3,})mermaid\n([\s\S]*?)\n\1$/gm)].map((m) => m[2]);
  expect(diagrams).toHaveLength(1); // datahub: the one service touched
  expect(diagrams[0]).toContain('numeric_20_8 volume');
  expect(checkMermaid(diagrams)).toEqual({ status: 0, out: '' });
  const broken = checkMermaid(['erDiagram\n  klines ||--o{\n']);
  expect(broken.status).toBe(1);
  expect(broken.out).toContain('diagram 1: Parse error on line 2');
});

test('--format json holds the same content for CI bots', async () => {
  const json = JSON.parse((await head.cli('review', '--base', 'HEAD', '--format', 'json')).out);
  const datahub = json.services.find((s: { service: string }) => s.service === 'datahub');
  expect(datahub.migrations).toHaveLength(1);
  expect(datahub.migrations[0].steps.map((s: { mode: string }) => s.mode)).toEqual(['transaction', 'outside transaction']);
  expect(datahub.grants.gained).toContain('portfolio_reads_klines (member: portfolio_app): SELECT (close, symbol) on table datahub.klines');
  // Every service's diagram is in the JSON; portfolio's draws its application-level reference dotted.
  const portfolio = json.services.find((s: { service: string }) => s.service === 'portfolio');
  expect(portfolio.diagram).toContain('datahub__klines ||..o{ positions : "symbol (app reference to datahub.klines)"');
  expect(checkMermaid(json.services.map((s: { diagram: string }) => s.diagram))).toEqual({ status: 0, out: '' });
  expect((await head.cli('review', '--base', 'no-such-ref')).err).toContain('review: --base "no-such-ref" is not a commit of this repository');
});

test('on synth, one page per environment (its services only) goes to cdktf.out/review/, markdown and json', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'bedrock-review-out-'));
  try {
    const project = { ...head, environments: [{ name: 'dev', connection: { database: 'db', username: 'deployer' }, services: ['datahub', 'portfolio'] }, { name: 'reports', connection: { database: 'db', username: 'deployer' }, services: ['portfolio'] }] };
    const written = writeReviews(project, outdir, () => undefined);
    expect(written.map((f) => path.basename(f))).toEqual(['dev.md', 'reports.md']);
    expect(readFileSync(path.join(outdir, 'review', 'dev.md'), 'utf8')).toBe(`${markdown}\n`);
    expect(readFileSync(path.join(outdir, 'review', 'reports.md'), 'utf8')).toContain('Nothing pending');
    expect(JSON.parse(readFileSync(path.join(outdir, 'review', 'reports.json'), 'utf8')).services.map((s: { service: string }) => s.service)).toEqual(['portfolio']);
    // Outside a git clone there is no base: said, nothing written.
    const said: string[] = [];
    expect(writeReviews({ ...project, root: tmpdir() }, path.join(outdir, 'elsewhere'), (line) => said.push(line))).toEqual([]);
    expect(said).toEqual([expect.stringContaining('review pages not written: review:')]);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});

test('data sections show as hand-written: a batched one with its table, key and batch size, and the statement each batch runs', async () => {
  const dataRoot = mkdtempSync(path.join(tmpdir(), 'bedrock-review-data-'));
  const inRoot = (...args: string[]) => {
    const run = spawnSync('git', args, { cwd: dataRoot, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`);
  };
  try {
    inRoot('init', '-q');
    inRoot('config', 'user.email', 'test@bedrock.invalid');
    inRoot('config', 'user.name', 'review test');
    const project = testProject(dataRoot);
    project.tables.datahub = klines(false);
    expect((await project.cli('generate', 'datahub', 'add_klines')).code).toBe(0);
    writeDocs(project);
    inRoot('add', '-A');
    inRoot('commit', '-qm', 'base');
    project.tables.datahub = klines(true);
    expect((await project.cli('generate', 'datahub', 'add_volume', '--data')).code).toBe(0);
    // The engineer fills the data section the template left: a batched backfill, then a small fix in one transaction.
    const directory = project.migrationsDirectory('datahub');
    const file = readdirSync(directory).filter((f) => f.endsWith('_datahub_add_volume.sql'))[0];
    const text = readFileSync(path.join(directory, file), 'utf8');
    const lines = text.split('\n');
    const marker = lines.indexOf('-- +data');
    const end = lines.findIndex((l, i) => i > marker && l.startsWith('-- +'));
    const filled = [
      ...lines.slice(0, marker),
      '-- +data batched datahub.klines key id size 10000',
      'UPDATE datahub.klines SET volume = close * 2;',
      '-- +data',
      "DELETE FROM datahub.klines WHERE symbol = 'TEST';",
      ...lines.slice(end),
    ];
    writeFileSync(path.join(directory, file), filled.join('\n'));
    expect((await project.cli('rehash', 'datahub')).code).toBe(0);
    const review = await project.cli('review', '--base', 'HEAD');
    expect(review.err).toBe('');
    expect(review.out).toContain('**Step 3**, data (hand-written): batched UPDATE of datahub.klines by id, 10,000 rows per batch:\n\n```sql\nUPDATE datahub.klines SET volume = close * 2;\n```\n');
    expect(review.out).toContain(
      'Each batch runs this, in a transaction of its own (`$1`: the key the batch before ended at, `$2`: the last key of this batch; the first batch only `<= $1`):\n\n' +
        '```sql\nUPDATE "datahub"."klines" SET "volume" = ("close" * 2) WHERE (("klines"."id" > $1) AND ("klines"."id" <= $2));\n```\n',
    );
    expect(review.out).toContain("**Step 4**, data (hand-written, one transaction):\n\n```sql\nDELETE FROM datahub.klines WHERE symbol = 'TEST';\n```\n");
    const json = JSON.parse((await project.cli('review', '--base', 'HEAD', '--format', 'json')).out);
    const steps = json.services.find((s: { service: string }) => s.service === 'datahub').migrations[0].steps;
    expect(steps.map((s: { mode: string; data?: string }) => s.data ?? s.mode)).toEqual([
      'transaction',
      'outside transaction',
      'data (hand-written): batched UPDATE of datahub.klines by id, 10,000 rows per batch',
      'data (hand-written, one transaction)',
    ]);
  } finally {
    rmSync(dataRoot, { recursive: true, force: true });
  }
}, 60_000);
