// Column read contracts: a service declares the columns it reads of another service's table; the
// owner dropping, renaming or retyping one fails generate, check and synth, naming the reader,
// its declaration and the expand/contract route. Table-level declarations keep working.
import { Testing } from '../../lib/cdk';
import { bigint, integer, numeric, ServiceRegistry, ServiceStack, Table, text, timestamptz } from '../../lib';
import { testEnvironment } from '../support/app';
import { testProject } from '../support/project';
import { renderOwnershipRegistry } from '../../lib/registry/ownership-registry';

const READS = [{ table: 'datahub.klines', columns: ['symbol', 'close', 'open_time'] }];

function klines(columns: Record<string, ReturnType<typeof text>> = {}) {
  return (stack: ServiceStack) => {
    new Table(stack, 'klines', {
      columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: text().notNull(), open_time: timestamptz().notNull(), close: numeric(20, 8), volume: numeric(20, 8), ...columns },
      primaryKey: ['id'],
    });
  };
}

const withoutClose = (stack: ServiceStack) => {
  new Table(stack, 'klines', { columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: text().notNull(), open_time: timestamptz().notNull(), volume: numeric(20, 8) }, primaryKey: ['id'] });
};

const CONTRACT = "which service portfolio declares it reads (its registry `reads`: { table: 'datahub.klines', columns: [..., 'close'] }): go by expand/contract: add the new column, datahub writes both, portfolio moves its reads and its declaration to the new one, then drop the old one";

async function projectWithKlines() {
  const project = testProject(undefined, READS);
  project.tables.datahub = klines();
  expect((await project.cli('generate', 'datahub', 'add_klines')).code).toBe(0);
  return project;
}

test('dropping a declared column: generate refuses, naming the reader and the route; nothing is written', async () => {
  const project = await projectWithKlines();
  project.tables.datahub = withoutClose;
  const result = await project.cli('generate', 'datahub', 'drop_close', '--accept-data-loss');
  expect(result.code).toBe(1);
  expect(result.err).toContain(`[BEDROCK-O7] datahub.klines has no column close, ${CONTRACT}`);
});

test('dropping a declared column: check and synth fail naming the reader, on the owner\'s table', async () => {
  const project = await projectWithKlines();
  project.tables.datahub = withoutClose;
  const checked = await project.cli('check', 'datahub');
  expect(checked.code).toBe(8);
  expect(checked.err).toContain(`[BEDROCK-O7] datahub.klines has no column close, ${CONTRACT}`);
  const app = Testing.app();
  const stack = new ServiceStack(app, { service: 'datahub', environment: testEnvironment({ services: ['datahub', 'portfolio'] }), registry: project.registry });
  withoutClose(stack);
  expect(() => Testing.synth(stack, true)).toThrow(`[BEDROCK-O7] datahub.klines has no column close, ${CONTRACT}`);
});

test('renaming a declared column reads the same: the old name is gone', async () => {
  const project = await projectWithKlines();
  project.tables.datahub = (stack) => {
    new Table(stack, 'klines', {
      columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: text().notNull(), open_time: timestamptz().notNull(), close_price: numeric(20, 8).renamedFrom('close'), volume: numeric(20, 8) },
      primaryKey: ['id'],
    });
  };
  const result = await project.cli('generate', 'datahub', 'rename_close');
  expect(result.code).toBe(1);
  expect(result.err).toContain(`datahub.klines has no column close, ${CONTRACT}`);
});

test('changing the type of a declared column: generate refuses and check fails, naming the reader', async () => {
  const project = await projectWithKlines();
  project.tables.datahub = klines({ close: integer() as never });
  const generated = await project.cli('generate', 'datahub', 'close_int', '--accept-data-loss');
  expect(generated.code).toBe(1);
  expect(generated.err).toContain(`datahub: this change breaks another service's read contract; nothing written:\n  - datahub.klines changes the type (numeric(20,8) to integer) of column close, ${CONTRACT}`);
  const checked = await project.cli('check', 'datahub');
  expect(checked.code).toBe(8);
  expect(checked.err).toContain(`datahub: datahub.klines changes the type (numeric(20,8) to integer) of column close, ${CONTRACT}`);
});

test('columns nobody declared change freely; a table-level declaration keeps working', async () => {
  const project = await projectWithKlines();
  project.tables.datahub = klines({ volume: integer() as never });
  expect((await project.cli('generate', 'datahub', 'volume_int', '--accept-data-loss')).code).toBe(0);
  const tableLevel = testProject(undefined, ['datahub.klines']);
  tableLevel.tables.datahub = klines();
  expect((await tableLevel.cli('generate', 'datahub', 'add_klines')).code).toBe(0);
  tableLevel.tables.datahub = withoutClose;
  expect((await tableLevel.cli('generate', 'datahub', 'drop_close', '--accept-data-loss')).code).toBe(0);
});

test.each([
  [{ table: 'datahub.klines', columns: [] }, 'service "portfolio" reads columns of datahub.klines: list at least one column'],
  [{ table: 'klines', columns: ['close'] }, 'service "portfolio" reads "klines": write <service>.<table>'],
  [{ table: 'datahub.klines', columns: ['close', 'close'] }, 'service "portfolio" reads column close of datahub.klines twice: list it once'],
  [{ table: 'datahub.klines', columns: ['Close Price'] }, 'service "portfolio" reads column "Close Price" of datahub.klines:'],
  [42, 'service "portfolio" reads 42: give a table or { table, columns }'],
  [['datahub.klines', { table: 'datahub.klines', columns: ['close'] }], 'service "portfolio" declares it reads datahub.klines twice: keep one declaration'],
])('a malformed declaration %j is refused when the registry is built', (read, message) => {
  const reads = Array.isArray(read) ? read : [read];
  expect(() => new ServiceRegistry([{ name: 'datahub', team: '@t/d' }, { name: 'portfolio', team: '@t/p', reads: reads as never }])).toThrow(message);
});

test('the generated registry says who reads what, down to columns', async () => {
  const project = await projectWithKlines();
  const registry = renderOwnershipRegistry(project);
  expect(registry).toContain('| portfolio | `datahub.klines` | `symbol`, `close`, `open_time` | datahub |');
  expect(registry).toContain("| datahub | every other service's table | all | - |");
});

test("the owner's stack grants a contract's columns to a role of its own, one resource per column, before any table grant", () => {
  const registry = new ServiceRegistry([
    { name: 'datahub', team: '@t/d' },
    { name: 'portfolio', team: '@t/p', reads: ['datahub.chain_data', { table: 'datahub.klines', columns: ['symbol', 'close'] }] },
  ]);
  const app = Testing.app();
  const stack = new ServiceStack(app, { service: 'datahub', environment: testEnvironment({ services: ['datahub', 'portfolio'] }), registry });
  klines()(stack);
  new Table(stack, 'chain_data', { columns: { id: bigint().generatedAlwaysAsIdentity() }, primaryKey: ['id'] });
  const json = JSON.parse(Testing.synth(stack, true));
  const grants = Object.entries(json.resource.postgresql_grant as Record<string, Record<string, unknown>>);
  const columnGrants = grants.filter(([, g]) => g.object_type === 'column').map(([, g]) => [g.role, g.objects, g.columns, g.privileges]);
  expect(columnGrants).toEqual([
    ['portfolio_reads_klines', ['klines'], ['close'], ['SELECT']],
    ['portfolio_reads_klines', ['klines'], ['symbol'], ['SELECT']],
  ]);
  expect(Object.values(json.resource.postgresql_role as Record<string, { name: string; login: boolean }>).map((r) => [r.name, r.login])).toContainEqual(['portfolio_reads_klines', false]);
  expect(Object.values(json.resource.postgresql_grant_role as Record<string, { role: string; grant_role: string }>).map((m) => [m.role, m.grant_role])).toContainEqual(['portfolio_app', 'portfolio_reads_klines']);
  // The reader's table grant covers the whole-table read only, and runs after the contract's resources.
  const [tableGrantName, tableGrant] = grants.find(([, g]) => g.role === 'portfolio_app')!;
  expect(tableGrant.objects).toEqual(['chain_data']);
  expect(tableGrantName).toMatch(/^tables_portfolio_app/);
  // The chain's first table grant (the owner's app role's) waits for the contract's membership.
  const first = grants.find(([name]) => name.startsWith('tables_datahub_app'))![1];
  expect(first.depends_on).toEqual([expect.stringMatching(/^postgresql_grant_role\.column_read_portfolio_klines_member/)]);
  expect(json.output.access.value).toContain('portfolio_reads_klines (member: portfolio_app): SELECT (close, symbol) on table datahub.klines');
});
