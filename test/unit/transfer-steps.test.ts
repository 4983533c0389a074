// A transfer step is the one step the runner runs as the deploying user, so what may stand in
// one is narrow, and checked twice: `check` renders it again from the snapshots and refuses any
// edit, and synth's step planner admits only the forms a transfer writes. A file not written by
// the current renderer gets no exemption from the statement rules at all.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { bigint, ServiceStack, Table, text } from '../../lib';
import { parseMigration } from '../../lib/migrations/migration-file';
import { plannedSteps } from '../../lib/migrations/planned-steps';
import { decisionRecords } from '../support/decision-records';
import { testProject } from '../support/project';

const RECORD = 'docs/adr/0003-portfolio-owns-klines.md';

async function transferred() {
  const project = testProject();
  decisionRecords([RECORD], project.root);
  const moved = { now: false };
  const klines = (stack: ServiceStack, from?: string) =>
    new Table(stack, 'klines', { columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: text() }, primaryKey: ['id'], ...(from ? { transferredFrom: { service: from, reason: 'portfolio owns pricing', decision: RECORD } } : {}) });
  project.tables.datahub = (stack) => {
    if (!moved.now) klines(stack);
    new Table(stack, 'tickers', { columns: { symbol: text() } });
  };
  project.tables.portfolio = (stack) => {
    if (moved.now) klines(stack, 'datahub');
  };
  const cwd = process.cwd();
  process.chdir(project.root);
  try {
    expect((await project.cli('generate', 'datahub', 'initial')).code).toBe(0);
    moved.now = true;
    const pair = await project.cli('generate', 'datahub', 'give_klines');
    expect(pair.err).toBe('');
    expect((await project.cli('check')).code).toBe(0);
  } finally {
    process.chdir(cwd);
  }
  const folder = project.migrationsDirectory('portfolio');
  const file = path.join(folder, require('node:fs').readdirSync(folder).find((f: string) => f.endsWith('.sql')));
  return { project, file };
}

async function checked(project: Awaited<ReturnType<typeof transferred>>['project']) {
  const cwd = process.cwd();
  process.chdir(project.root);
  try {
    expect((await project.cli('rehash', 'portfolio')).code).toBe(0);
    return await project.cli('check');
  } finally {
    process.chdir(cwd);
  }
}

test('a statement slipped into a transfer step is refused by check (the step is rendered again) and by the step planner', async () => {
  const { project, file } = await transferred();
  const text = readFileSync(file, 'utf8').replace(`OWNER TO "portfolio_owner";`, `OWNER TO "portfolio_owner";\nDROP TABLE "datahub"."tickers";`);
  writeFileSync(file, text);
  const result = await checked(project);
  expect(result.code).toBe(8);
  expect(result.err).toContain('it reads "DROP TABLE');
  const migration = parseMigration(path.basename(file), text);
  expect(() => plannedSteps(migration.upSteps, 'portfolio', path.basename(file))).toThrow(/line \d+: a transfer step holds only what generate writes for a transfer \(Drop is not one of them\)/);
});

test('a transfer step in a file without the renderer line gets no exemption: the statement rules refuse its statements', async () => {
  const { project, file } = await transferred();
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^-- renderer: 2\n/m, ''));
  const result = await checked(project);
  expect(result.code).toBe(8);
  expect(result.err).toContain('[BEDROCK-S1]');
});

test('a transfer step whose first line is not the one generate writes is refused by the step planner', () => {
  const text = [
    '-- Migration 20260101_000000_portfolio_x',
    '-- service: portfolio',
    '-- parent: none',
    '-- renderer: 2',
    '',
    '-- +up',
    '-- +step transfer',
    'ALTER TABLE "datahub"."klines" SET SCHEMA "portfolio";',
    '',
    '-- +down',
    '',
  ].join('\n');
  const migration = parseMigration('20260101_000000_portfolio_x.sql', text);
  expect(() => plannedSteps(migration.upSteps, 'portfolio', '20260101_000000_portfolio_x.sql')).toThrow(/a transfer step starts with the line generate writes/);
});

test('the ownership registry links each transfer to its decision record', async () => {
  const { project } = await transferred();
  const { renderOwnershipRegistry } = await import('../../lib/registry/ownership-registry');
  expect(renderOwnershipRegistry(project)).toContain(`| \`klines\` | datahub | portfolio | portfolio owns pricing | [${RECORD}](adr/0003-portfolio-owns-klines.md) |`);
});
