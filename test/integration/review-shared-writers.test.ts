// The review page of a shared writer added, then removed, in a git repository of its own: the
// exception shows in the owner's section with the writer, its role, the reason and the linked
// decision record; the grants gained (then lost) are the exception's role; no migration is
// pending. A base written before records were linked (a four-column registry) still reads.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bigint, ServiceStack, Table, text } from '../../lib';
import { renderAccess, renderOwnershipRegistry } from '../../lib/registry/ownership-registry';
import { decisionRecords } from '../support/decision-records';
import { testProject, TestProject } from '../support/project';

const RECORD = 'docs/adr/0001-portfolio-writes-klines.md';

let root: string;
const git = (...args: string[]) => {
  const run = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
};

function klines(withWriter: boolean) {
  return (stack: ServiceStack) => {
    new Table(stack, 'klines', {
      columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: text().notNull() },
      primaryKey: ['id'],
      ...(withWriter ? { sharedWriters: [{ service: 'portfolio', reason: 'backfills marks | after settlement', decision: RECORD }] } : {}),
    });
  };
}

function project(withWriter: boolean): TestProject {
  const p = testProject(root);
  p.tables.datahub = klines(withWriter);
  return p;
}

function writeDocs(p: TestProject): void {
  mkdirSync(path.join(root, 'docs'), { recursive: true });
  writeFileSync(path.join(root, 'docs', 'ACCESS.md'), renderAccess(p));
  writeFileSync(path.join(root, 'docs', 'TABLE_OWNERSHIP.md'), renderOwnershipRegistry(p));
}

const GAINED = 'portfolio_writes_klines (member: portfolio_app): SELECT, INSERT, UPDATE, DELETE on table datahub.klines';
const EXCEPTION = { table: 'datahub.klines', writer: 'portfolio', role: 'portfolio_writes_klines', reason: 'backfills marks | after settlement', decision: RECORD };

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'bedrock-review-writers-'));
  git('init', '-q');
  git('config', 'user.email', 'test@bedrock.invalid');
  git('config', 'user.name', 'review test');
  const base = project(false);
  expect((await base.cli('generate', 'datahub', 'add_klines')).code).toBe(0);
  writeDocs(base);
  git('add', '-A');
  git('commit', '-qm', 'base');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

test('an added shared writer: the exception with its reason and decision record, the grant gained, no migration', async () => {
  decisionRecords([RECORD], root);
  const head = project(true);
  expect(await head.cli('generate', 'datahub', 'add_writer')).toEqual({ code: 0, out: 'datahub: no changes: the tables match the snapshot. Nothing written.', err: '' });
  writeDocs(head);
  const markdown = (await head.cli('review', '--base', 'HEAD')).out;
  // README: BEDROCK_PRINT_REVIEW=1 prints the page.
  if (process.env.BEDROCK_PRINT_REVIEW) console.log(markdown);
  expect(markdown).toContain('Services touched: datahub.');
  expect(markdown).not.toContain('### Migration');
  expect(markdown).toContain(`### Grants\n\n- gained: ${GAINED}\n`);
  expect(markdown).toContain(
    '### Shared-write exceptions\n\nGrants only, no migration: the role of each exception gains or loses its privileges on the table.\n\n' +
      '- added: portfolio writes `datahub.klines` through role `portfolio_writes_klines` (member: `portfolio_app`). Reason: backfills marks \\| after settlement. ' +
      'Decision `docs/adr/0001-portfolio-writes-klines.md`.\n',
  );
  // The registry's shared-write row is shown once, as the exception, not again as an ownership row.
  expect(markdown).not.toContain('- added: | `klines` | datahub | portfolio |');
  const json = JSON.parse((await head.cli('review', '--base', 'HEAD', '--format', 'json')).out);
  const datahub = json.services.find((s: { service: string }) => s.service === 'datahub');
  expect(datahub.sharedWriters).toEqual({ added: [EXCEPTION], removed: [] });
  expect(datahub.migrations).toEqual([]);
  expect(datahub.grants).toEqual({ gained: [GAINED], lost: [] });
  git('add', '-A');
  git('commit', '-qm', 'portfolio writes klines');
});

test('the removed shared writer: the exception it was, with the record that granted it, and the grant lost', async () => {
  const head = project(false);
  expect((await head.cli('generate', 'datahub', 'remove_writer')).out).toBe('datahub: no changes: the tables match the snapshot. Nothing written.');
  writeDocs(head);
  const markdown = (await head.cli('review', '--base', 'HEAD')).out;
  expect(markdown).toContain(`- lost: ${GAINED}`);
  expect(markdown).toContain(
    '- removed: portfolio no longer writes `datahub.klines`; role `portfolio_writes_klines` loses its privileges. It was granted for: backfills marks \\| after settlement ' +
      '(decision `docs/adr/0001-portfolio-writes-klines.md`): record why it ends in that decision record or a new one (`npm run bedrock -- adr new <title>`).',
  );
  const json = JSON.parse((await head.cli('review', '--base', 'HEAD', '--format', 'json')).out);
  expect(json.services.find((s: { service: string }) => s.service === 'datahub').sharedWriters).toEqual({ added: [], removed: [EXCEPTION] });
});

test('against a base whose registry predates decision records, the exception reads back without one', async () => {
  // The base's TABLE_OWNERSHIP.md in the old four-column form, with the exception in it.
  const head = project(true);
  writeDocs(head);
  const file = path.join(root, 'docs', 'TABLE_OWNERSHIP.md');
  const current = renderOwnershipRegistry(head);
  const old = current
    .replace('| Table | Primary Owner | Secondary Writers | Reason | Decision |', '| Table | Primary Owner | Secondary Writers | Reason |')
    .replace('|-------|---------------|-------------------|--------|----------|', '|-------|---------------|-------------------|--------|')
    .replace(` | [${RECORD}](adr/0001-portfolio-writes-klines.md) |`, ' |');
  expect(old).toContain('| `klines` | datahub | portfolio | backfills marks \\| after settlement |\n');
  writeFileSync(file, old);
  git('add', '-A');
  git('commit', '-qm', 'an old registry');
  writeDocs(head);
  const page = JSON.parse((await head.cli('review', '--base', 'HEAD', '--format', 'json')).out);
  const { decision: _record, ...withoutRecord } = EXCEPTION;
  // The record linked since then shows as the exception changing: the old row without one, the new with it.
  expect(page.services.find((s: { service: string }) => s.service === 'datahub').sharedWriters).toEqual({ added: [EXCEPTION], removed: [withoutRecord] });
  const markdown = (await head.cli('review', '--base', 'HEAD')).out;
  expect(markdown).toContain('(no decision record linked)');
});
