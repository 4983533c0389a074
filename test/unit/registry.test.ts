// The ownership registry and CODEOWNERS are generated from the code; the committed files
// must match it.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Testing } from '../../lib/cdk';
import { bigint, ServiceRegistry, ServiceStack, Table, text } from '../../lib';
import { registryFiles } from '../../lib/registry/registry-files';
import { bedrockProject } from '../../stacks';
import { synthError, testEnvironment } from '../support/app';
import { projectRoot } from '../support/commands';
import { testProject } from '../support/project';
import { DECISION, decisionRecords } from '../support/decision-records';

test('the committed docs/TABLE_OWNERSHIP.md and docs/CODEOWNERS are up to date (run `npm run bedrock -- registry`)', () => {
  for (const [file, text] of registryFiles(bedrockProject)) {
    expect({ file, text: readFileSync(path.join(projectRoot, file), 'utf8') }).toEqual({ file, text });
  }
});

test('the registry lists owners, shared writers with reasons, application-level references and acknowledgements', async () => {
  const project = testProject();
  project.tables.datahub = (stack) => {
    new Table(stack, 'klines', { comment: 'Candles', columns: { id: bigint() }, primaryKey: ['id'], sharedWriters: [{ service: 'portfolio', reason: 'backfills marks | after settlement', decision: 'docs/adr/0007-portfolio-backfills-klines.md' }] });
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
  expect(registry).toContain('| `klines` | datahub | portfolio | backfills marks \\| after settlement | [docs/adr/0007-portfolio-backfills-klines.md](adr/0007-portfolio-backfills-klines.md) |');
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

test('a carriage return in a comment or reason cannot end a table row', () => {
  // Before, only \n was replaced: a lone \r (a line break to Markdown) split the row.
  const project = testProject();
  project.tables.datahub = (stack) => {
    new Table(stack, 'klines', {
      comment: 'Candles\rsecond line',
      columns: { id: bigint() },
      sharedWriters: [{ service: 'portfolio', reason: 'backfills\r| forged | row |\r\nafter settlement', decision: DECISION }],
    });
  };
  const [[, registry]] = registryFiles(project);
  expect(registry).not.toMatch(/\r/);
  expect(registry).toContain('| `klines` | datahub | @test/datahub | Candles second line | Also written by portfolio; read-only for the others |');
  expect(registry).toContain('| `klines` | datahub | portfolio | backfills \\| forged \\| row \\| after settlement | [docs/adr/0001-shared-write.md](adr/0001-shared-write.md) |');
});

describe('the role of a shared-write exception, <writer>_writes_<table>', () => {
  const registry = new ServiceRegistry([
    { name: 'datahub', team: '@test/datahub' },
    { name: 'portfolio', team: '@test/portfolio' },
    { name: 'portfolio_writes_market', team: '@test/portfolio' },
  ]);

  function stacks(): { app: App; datahub: ServiceStack; portfolio: ServiceStack } {
    const app = Testing.app({ context: decisionRecords().context });
    const environment = testEnvironment({ services: registry.names });
    return {
      app,
      datahub: new ServiceStack(app, { service: 'datahub', environment, registry }),
      portfolio: new ServiceStack(app, { service: 'portfolio', environment, registry }),
    };
  }

  // Before, nothing checked it: PostgreSQL truncates a role name to 63 bytes, so two tables
  // whose names differ only past that point would grant through one role.
  test('longer than 63 bytes is refused at synth, naming the table, the writer and the fix', () => {
    const { app, datahub } = stacks();
    const table = 'order_book_snapshots_with_depth_aggregated_by_minute'; // 52 bytes, fits alone
    new Table(datahub, table, { columns: { id: bigint() }, sharedWriters: [{ service: 'portfolio', reason: 'backfills marks', decision: DECISION }] });
    expect(synthError(app)).toContain(
      `[test-datahub/${table}] [BEDROCK-O5] the shared write exception for portfolio on table datahub.${table} needs role "portfolio_writes_${table}", which is 69 bytes long; ` +
        'PostgreSQL truncates role names to 63 bytes, so two exceptions could share one role: shorten the table name (renamedFrom keeps its data) so that "portfolio_writes_<table>" fits in 63 bytes',
    );
  });

  test('63 bytes passes', () => {
    const { app, datahub } = stacks();
    new Table(datahub, 'k'.repeat(63 - 'portfolio_writes_'.length), { columns: { id: bigint() }, sharedWriters: [{ service: 'portfolio', reason: 'backfills marks', decision: DECISION }] });
    expect(synthError(app)).toBe('');
  });

  test('two exceptions that join to the same role are refused on both tables', () => {
    const { app, datahub } = stacks();
    new Table(datahub, 'market_writes_klines', { columns: { id: bigint() }, sharedWriters: [{ service: 'portfolio', reason: 'backfills marks', decision: DECISION }] });
    new Table(datahub, 'klines', { columns: { id: bigint() }, sharedWriters: [{ service: 'portfolio_writes_market', reason: 'settles', decision: DECISION }] });
    const message = synthError(app);
    expect(message).toContain(
      '[test-datahub/market_writes_klines] [BEDROCK-O5] the shared write exception for portfolio on table datahub.market_writes_klines needs role "portfolio_writes_market_writes_klines", ' +
        'the same as the exception for portfolio_writes_market on datahub.klines: rename one of the tables',
    );
    expect(message).toContain(
      '[test-datahub/klines] [BEDROCK-O5] the shared write exception for portfolio_writes_market on table datahub.klines needs role "portfolio_writes_market_writes_klines", the same as the exception for portfolio on datahub.market_writes_klines',
    );
  });
});
