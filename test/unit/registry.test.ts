// The ownership registry and CODEOWNERS are generated from the code; the committed files
// must match it.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { bigint, Table, text } from '../../lib';
import { registryFiles } from '../../lib/registry/registry-files';
import { bedrockProject } from '../../stacks';
import { projectRoot } from '../support/commands';
import { testProject } from '../support/project';

test('the committed docs/TABLE_OWNERSHIP.md and docs/CODEOWNERS are up to date (run `npm run bedrock -- registry`)', () => {
  for (const [file, text] of registryFiles(bedrockProject)) {
    expect({ file, text: readFileSync(path.join(projectRoot, file), 'utf8') }).toEqual({ file, text });
  }
});

test('the registry lists owners, shared writers with reasons, application-level references and acknowledgements', async () => {
  const project = testProject();
  project.tables.datahub = (stack) => {
    new Table(stack, 'klines', { comment: 'Candles', columns: { id: bigint() }, primaryKey: ['id'], sharedWriters: [{ service: 'portfolio', reason: 'backfills marks | after settlement' }] });
  };
  project.tables.portfolio = (stack) => {
    new Table(stack, 'fills', {
      columns: { kline_id: bigint(), Legacy: text() },
      appReferences: [{ columns: ['kline_id'], table: 'datahub.klines', targetColumns: ['id'] }],
      acknowledgements: [{ rule: 'BEDROCK-N1', reason: 'adopted as is' }],
    });
  };
  const [[, registry], [, codeowners]] = registryFiles(project);
  expect(registry).toContain('| `klines` | datahub | @test/datahub | Candles | Also written by portfolio; read-only for the others |');
  expect(registry).toContain('| `fills` | portfolio | @test/portfolio |  | Read-only for other services |');
  expect(registry).toContain('| `klines` | datahub | portfolio | backfills marks \\| after settlement |');
  expect(registry).toContain('| `portfolio.fills(kline_id)` | `datahub.klines(id)` | datahub |');
  expect(registry).toContain('| `portfolio.fills` | BEDROCK-N1 | adopted as is |');
  expect(codeowners.split('\n')[1]).toMatch(/^\/.*\/stacks\/datahub\/ @test\/datahub$/);
});

test('registry --check fails on a stale file, naming it and the fix', async () => {
  const project = testProject();
  project.tables.datahub = (stack) => {
    new Table(stack, 'klines', { columns: { id: bigint() } });
  };
  const previous = process.cwd();
  process.chdir(project.root);
  try {
    expect((await project.cli('registry')).code).toBe(0);
    expect(await project.cli('registry', '--check')).toEqual({ code: 0, out: 'ok: the ownership registry and CODEOWNERS match the code', err: '' });
    project.tables.datahub = (stack) => {
      new Table(stack, 'candles', { columns: { id: bigint() } });
    };
    const stale = await project.cli('registry', '--check');
    expect(stale).toEqual({ code: 1, out: '', err: 'stale: docs/TABLE_OWNERSHIP.md: run `npm run bedrock -- registry` and commit the result' });
  } finally {
    process.chdir(previous);
  }
});
