// Grants beyond the default: a reader limited to the tables it declares, a shared-write
// exception through a role of its own, and the access list the plan shows.
import { App, Testing } from '../../lib/cdk';
import { bigint, serial, ServiceRegistry, ServiceStack, Table } from '../../lib';
import { testEnvironment } from '../support/app';
import { DECISION, decisionRecords } from '../support/decision-records';

type Json = Record<string, any>;

const registry = new ServiceRegistry([
  { name: 'datahub', team: '@t/datahub' },
  { name: 'portfolio', team: '@t/portfolio', reads: ['datahub.klines'] },
  { name: 'mlops', team: '@t/mlops', reads: [] },
]);

function datahub(): { app: App; stack: ServiceStack } {
  const app = Testing.app({ context: decisionRecords().context });
  const stack = new ServiceStack(app, { service: 'datahub', environment: testEnvironment({ services: registry.names }), registry });
  new Table(stack, 'klines', { columns: { id: bigint() }, sharedWriters: [{ service: 'mlops', reason: 'writes model-derived features back', decision: DECISION }] });
  new Table(stack, 'chain_data', { columns: { id: serial() }, sharedWriters: [{ service: 'portfolio', reason: 'links positions to blocks', decision: DECISION }] });
  return { app, stack };
}

const grants = (json: Json): Json[] => Object.values(json.resource.postgresql_grant ?? {});

test('a reader that declares its reads gets SELECT on those tables only, and no default privileges', () => {
  const { stack } = datahub();
  const json = JSON.parse(Testing.synth(stack, true));
  expect(grants(json)).toContainEqual(expect.objectContaining({ role: 'portfolio_app', object_type: 'table', objects: ['klines'], privileges: ['SELECT'] }));
  expect(Object.values(json.resource.postgresql_default_privileges).map((d: any) => d.role)).not.toContain('portfolio_app');
  // A reader that declared no table of this service gets nothing here at all.
  expect(grants(json).map((g) => g.role)).not.toContain('mlops_app');
});

test('a shared-write exception is a role of its own with DML on that one table, the writer a member', () => {
  const { stack } = datahub();
  const json = JSON.parse(Testing.synth(stack, true));
  expect(Object.values(json.resource.postgresql_role)).toEqual([
    expect.objectContaining({ name: 'mlops_writes_klines', login: false }),
    expect.objectContaining({ name: 'portfolio_writes_chain_data', login: false }),
  ]);
  // A serial column's sequence needs USAGE for the writer to insert.
  expect(grants(json)).toContainEqual(
    expect.objectContaining({ role: 'portfolio_writes_chain_data', object_type: 'sequence', objects: ['chain_data_id_seq'], privileges: ['SELECT', 'USAGE'] }),
  );
  expect(grants(json)).toContainEqual(
    expect.objectContaining({ role: 'mlops_writes_klines', schema: 'datahub', object_type: 'table', objects: ['klines'], privileges: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] }),
  );
  expect(Object.values(json.resource.postgresql_grant_role)).toEqual([
    expect.objectContaining({ role: 'mlops_app', grant_role: 'mlops_writes_klines' }),
    expect.objectContaining({ role: 'portfolio_app', grant_role: 'portfolio_writes_chain_data' }),
  ]);
  // No second schema-wide grant for the writer's app role: that would undo its reader grant.
  expect(grants(json).filter((g) => g.role === 'mlops_app')).toEqual([]);
});

test('the plan lists who may do what, as an output whose changes show gains and losses', () => {
  const { stack } = datahub();
  const json = JSON.parse(Testing.synth(stack, true));
  expect(json.output.access.value).toEqual([
    'datahub_app: SELECT, INSERT, UPDATE, DELETE on all tables in schema datahub',
    'datahub_app: SELECT, USAGE on all sequences in schema datahub',
    'mlops_writes_klines (member: mlops_app): SELECT, INSERT, UPDATE, DELETE on table datahub.klines',
    'portfolio_app: SELECT on tables datahub.klines',
    'portfolio_writes_chain_data (member: portfolio_app): SELECT, INSERT, UPDATE, DELETE on table datahub.chain_data',
  ]);
});

test('a declared read of a table that does not exist fails synth', () => {
  const bad = new ServiceRegistry([
    { name: 'datahub', team: '@t/datahub' },
    { name: 'portfolio', team: '@t/portfolio', reads: ['datahub.candles'] },
  ]);
  const app = Testing.app();
  const environment = testEnvironment({ services: bad.names });
  new ServiceStack(app, { service: 'datahub', environment, registry: bad });
  new ServiceStack(app, { service: 'portfolio', environment, registry: bad });
  expect(() => app.synth()).toThrow('[test-portfolio] [BEDROCK-O6] service portfolio declares it reads datahub.candles, which no service defines');
});
