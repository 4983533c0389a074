// Adding or removing a shared writer changes grants only: `generate` finds nothing to migrate,
// the plan's migrations are the same resources, and the grant resources gained or lost are
// exactly the exception's role, its grant and the writer's membership (the `access` output says
// so). The rule pack finds the linked decision record in the project's folder.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Testing } from '../../lib/cdk';
import { bigint, defineEnvironment, ServiceStack, Table, text } from '../../lib';
import { decisionRecords } from '../support/decision-records';
import { testProject, TestProject } from '../support/project';

type Json = Record<string, any>;

const RECORD = 'docs/adr/0001-portfolio-writes-klines.md';

function klines(withWriter: boolean) {
  return (stack: ServiceStack) => {
    new Table(stack, 'klines', {
      columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: text().notNull() },
      primaryKey: ['id'],
      ...(withWriter ? { sharedWriters: [{ service: 'portfolio', reason: 'backfills marks after settlement', decision: RECORD }] } : {}),
    });
  };
}

/** Every file of the service's migrations folder with its content. */
function folder(project: TestProject, service: string): Record<string, string> {
  const dir = project.migrationsDirectory(service);
  if (!existsSync(dir)) return {};
  return Object.fromEntries(
    readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f.includes('.'))
      .sort()
      .map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]),
  );
}

/** The datahub stack of `project` as synth writes it (validations run). */
function datahubPlan(project: TestProject): Json {
  const app = Testing.app({ context: { 'bedrock:projectRoot': project.root } });
  const environment = { name: 'dev', connection: { database: 'db', username: 'deployer' }, services: project.registry.names };
  const defined = defineEnvironment(app, { environment, registry: project.registry, tables: project.tables, migrationsDirectory: project.migrationsDirectory });
  return JSON.parse(Testing.synth(defined.services.find((s) => s.service === 'datahub')!, true));
}

/** `type.name` of every resource, with its body (depends_on left out: it only orders the chain). */
function resources(plan: Json): Record<string, Json> {
  return Object.fromEntries(
    Object.entries(plan.resource as Json).flatMap(([type, byName]) =>
      Object.entries(byName as Json).map(([name, body]) => {
        const { depends_on: _order, ...rest } = body as Json;
        return [`${type}.${name}`, rest];
      }),
    ),
  );
}

test('adding a shared writer: generate finds no changes, the plan keeps its migrations and gains exactly the exception\'s grants; removing it reverses that', async () => {
  const project = testProject(decisionRecords([RECORD]).root);
  project.tables.datahub = klines(false);
  expect((await project.cli('generate', 'datahub', 'add_klines')).code).toBe(0);
  const migrations = folder(project, 'datahub');
  const before = datahubPlan(project);

  project.tables.datahub = klines(true);
  expect(await project.cli('generate', 'datahub', 'add_writer')).toEqual({ code: 0, out: 'datahub: no changes: the tables match the snapshot. Nothing written.', err: '' });
  expect(await project.cli('generate', 'portfolio', 'add_writer')).toEqual({ code: 0, out: 'portfolio: no changes: the tables match the snapshot. Nothing written.', err: '' });
  expect(folder(project, 'datahub')).toEqual(migrations);
  const after = datahubPlan(project);

  const [was, is] = [resources(before), resources(after)];
  // The migrations (terraform_data records and the head that runs the runner) are the same resources, unchanged.
  const migrationResources = (all: Record<string, Json>) => Object.fromEntries(Object.entries(all).filter(([address]) => address.startsWith('terraform_data.')));
  expect(Object.keys(migrationResources(was)).length).toBeGreaterThan(0);
  expect(migrationResources(is)).toEqual(migrationResources(was));
  // Nothing that existed changes; what is added is the exception: its role, its DML grant on klines, the writer's membership.
  for (const [address, body] of Object.entries(was)) expect({ address, body: is[address] }).toEqual({ address, body });
  const added = Object.keys(is).filter((address) => !(address in was));
  expect(added.sort().map((address) => [address.split('.')[0], is[address]])).toEqual([
    ['postgresql_grant', { database: 'db', role: 'portfolio_writes_klines', schema: 'datahub', object_type: 'table', objects: ['klines'], privileges: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] }],
    ['postgresql_grant_role', { role: 'portfolio_app', grant_role: 'portfolio_writes_klines' }],
    ['postgresql_role', { name: 'portfolio_writes_klines', login: false }],
  ]);
  // The plan's access output says it: one line more.
  const accessAdded = (after.output.access.value as string[]).filter((line) => !(before.output.access.value as string[]).includes(line));
  expect(accessAdded).toEqual(['portfolio_writes_klines (member: portfolio_app): SELECT, INSERT, UPDATE, DELETE on table datahub.klines']);
  expect((before.output.access.value as string[]).filter((line) => !(after.output.access.value as string[]).includes(line))).toEqual([]);

  // Removing it: still no migration, and the plan is the one before.
  project.tables.datahub = klines(false);
  expect(await project.cli('generate', 'datahub', 'remove_writer')).toEqual({ code: 0, out: 'datahub: no changes: the tables match the snapshot. Nothing written.', err: '' });
  expect(folder(project, 'datahub')).toEqual(migrations);
  expect(resources(datahubPlan(project))).toEqual(was);
});

test('generate and check refuse a shared writer whose record is missing from the project, naming the command that writes it', async () => {
  const project = testProject(decisionRecords([]).root);
  project.tables.datahub = klines(true);
  const result = await project.cli('generate', 'datahub', 'add_klines');
  expect(result.code).toBe(1);
  expect(result.err).toContain(
    `datahub: synth would refuse these tables; nothing written. Fix:\n  - model-datahub/klines: [BEDROCK-O8] the shared write exception for portfolio on datahub.klines links the decision record ${RECORD}, ` +
      `which is not a file in the project's folder (${project.root}): run \`npm run bedrock -- adr new "portfolio writes datahub.klines" --tables datahub.klines --services portfolio\``,
  );
  expect(folder(project, 'datahub')).toEqual({});
  // The record written where the project is (not the working directory), generate goes on.
  decisionRecords([RECORD], project.root);
  expect((await project.cli('generate', 'datahub', 'add_klines')).code).toBe(0);
  expect((await project.cli('check')).code).toBe(0);
});
