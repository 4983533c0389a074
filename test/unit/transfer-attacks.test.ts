// An attacker's look at table transfers: a transfer step runs as the deploying user, so every way
// a hand-edited file or snapshot gets one past `check` and synth is a hole. Each test here fails
// while the hole is open.
import { bigint, ServiceStack, Table, text } from '../../lib';
import { generateMigration } from '../../lib/migrations/generate';
import { MigrationDirectory } from '../../lib/migrations/migration-directory';
import { parseMigration } from '../../lib/migrations/migration-file';
import { plannedSteps } from '../../lib/migrations/planned-steps';
import { modelOf } from '../../lib/project';
import { decisionRecords } from '../support/decision-records';
import { testProject, TestProject } from '../support/project';

const RECORD = 'docs/adr/0003-portfolio-owns-klines.md';

async function inRoot<T>(project: TestProject, run: () => Promise<T>): Promise<T> {
  const cwd = process.cwd();
  process.chdir(project.root);
  try {
    return await run();
  } finally {
    process.chdir(cwd);
  }
}

/** datahub keeps klines in its code and its migrations; portfolio declares it transferredFrom datahub. */
async function handWrittenAdopt(origin: { service: string; schema: string; release?: string }, table = 'klines', giverDefinesIt = true) {
  const project = testProject();
  decisionRecords([RECORD], project.root);
  const state = { adopt: false };
  const klines = (stack: ServiceStack, from?: string) =>
    new Table(stack, table, { columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: text() }, primaryKey: ['id'], ...(from ? { transferredFrom: { service: from, reason: 'portfolio owns pricing', decision: RECORD } } : {}) });
  project.tables.datahub = (stack) => {
    new Table(stack, 'tickers', { columns: { symbol: text() } });
    if (giverDefinesIt) klines(stack);
  };
  project.tables.portfolio = (stack) => {
    new Table(stack, 'positions', { columns: { id: bigint().generatedAlwaysAsIdentity() }, primaryKey: ['id'] });
    if (state.adopt) klines(stack, 'datahub');
  };
  await inRoot(project, async () => {
    expect((await project.cli('generate', 'datahub', 'initial')).code).toBe(0);
    expect((await project.cli('generate', 'portfolio', 'initial')).code).toBe(0);
  });
  state.adopt = true;
  // The hand edit: the adopt written as the renderer writes it from an edited snapshot, without generate's pair checks.
  const model = modelOf(project, 'portfolio');
  const edited = { ...model, tables: model.tables.map((t) => (t.name === table ? { ...t, transferredFrom: origin } : t)) };
  const directory = new MigrationDirectory(project.migrationsDirectory('portfolio'), 'portfolio', 'portfolio');
  return () => generateMigration({ directory, model: edited, description: 'adopt_klines', registry: project.registry, now: new Date('2030-01-01T00:00:00Z') });
}

test('an adopt that names no release gets no exemption from the statement rules: generate and check refuse it', async () => {
  const write = await handWrittenAdopt({ service: 'datahub', schema: 'datahub' });
  expect(write).toThrow(/\[BEDROCK-S1\] ALTER TABLE datahub\.klines touches service datahub's schema/);
});

test('an adopt of a table the giver never had is refused the same way', async () => {
  const write = await handWrittenAdopt({ service: 'datahub', schema: 'datahub' }, 'klines', false);
  expect(write).toThrow(/\[BEDROCK-S1\]/);
});

test('a snapshot whose transferredFrom.schema is not its service (the ledger, say) is refused, with or without a release', async () => {
  const bare = await handWrittenAdopt({ service: 'datahub', schema: 'bedrock' }, 'migrations', false);
  expect(bare).toThrow(/\[BEDROCK-S1\] ALTER TABLE bedrock\.migrations/);
  const named = await handWrittenAdopt({ service: 'datahub', schema: 'bedrock', release: '20260101_000000_datahub_release' }, 'migrations', false);
  expect(named).toThrow(/\[BEDROCK-S1\] ALTER TABLE bedrock\.migrations/);
  const { snapshotProblems } = await import('../../lib/migrations/snapshot-checks');
  const snapshot = { service: 'portfolio', schema: 'portfolio', enums: [], tables: [{ schema: 'portfolio', name: 'migrations', columns: [], uniques: [], checks: [], indexes: [], foreignKeys: [], transferredFrom: { service: 'datahub', schema: 'bedrock' } }] };
  expect(snapshotProblems(snapshot)).toContain('table migrations: transferredFrom names service "datahub" but schema "bedrock": a service\'s schema is its name');
});

test('synth refuses a transfer step that names no release, or names anything but the table and the two services', () => {
  const file = (lines: string[]) => parseMigration('20260101_000000_portfolio_x.sql', ['-- Migration 20260101_000000_portfolio_x', '-- service: portfolio', '-- parent: none', '-- renderer: 2', '', '-- +up', '-- +step transfer', ...lines, '', '-- +down', ''].join('\n'));
  const plan = (lines: string[]) => () => plannedSteps(file(lines).upSteps, 'portfolio', '20260101_000000_portfolio_x.sql');
  expect(plan(['-- transfer: adopt datahub.klines from datahub', 'ALTER TABLE "datahub"."klines" SET SCHEMA "portfolio";'])).toThrow('an adopt names the release it waits for');
  const line = '-- transfer: adopt datahub.klines from datahub after 20251231_000000_datahub_release_klines';
  expect(plan([line, 'ALTER TABLE "datahub"."klines" SET SCHEMA "portfolio";'])).not.toThrow();
  expect(plan([line, 'GRANT INSERT ON TABLE "portfolio"."klines" TO PUBLIC;'])).toThrow('a grant or owner names a role of neither service');
  expect(plan([line, 'GRANT INSERT ON TABLE "portfolio"."klines" TO "mlops_app";'])).toThrow('a grant or owner names a role of neither service');
  expect(plan([line, 'ALTER TABLE "bedrock"."klines" SET SCHEMA "portfolio";'])).toThrow('it names schema bedrock');
  expect(plan([line, 'ALTER TABLE "datahub"."tickers" SET SCHEMA "portfolio";'])).toThrow('it names tickers, not the table or its sequences');
  expect(plan([line, 'ALTER TYPE "bedrock"."x" SET SCHEMA "portfolio";'])).toThrow('it names a type outside the two schemas');
  expect(plan(['-- transfer: release datahub.klines to mlops', 'REVOKE INSERT ON TABLE "datahub"."klines" FROM "datahub_app";'])).toThrow("a release works on a table of portfolio's own schema");
});
