// A service stack with a migrations folder: one record per migration with its SQL, one head
// that runs the runner after the default privileges and before the table grants.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Testing } from '../../lib/cdk';
import { bigint, ServiceStack, Table, text } from '../../lib';
import { testEnvironment, testRegistry } from '../support/app';
import { testProject } from '../support/project';

type Json = Record<string, any>;

async function projectWithOneMigration() {
  const project = testProject();
  project.tables.datahub = (stack) => {
    new Table(stack, 'klines', { columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: text().notNull() }, primaryKey: ['id'] });
  };
  expect((await project.cli('generate', 'datahub', 'add_klines_table')).code).toBe(0);
  return project;
}

function synthStack(project: Awaited<ReturnType<typeof projectWithOneMigration>>, allowDowngrades: boolean, define = project.tables.datahub): { json: Json; app: App; stack: ServiceStack } {
  const app = Testing.app();
  const stack = new ServiceStack(app, {
    service: 'datahub',
    environment: testEnvironment({ allowDowngrades, services: ['datahub', 'portfolio'] }),
    registry: testRegistry,
    migrationsDirectory: project.migrationsDirectory('datahub'),
  });
  define(stack);
  return { json: JSON.parse(Testing.synth(stack, true)), app, stack };
}

test('the plan shows each migration with its SQL, and a head that runs the runner', async () => {
  const project = await projectWithOneMigration();
  const { json } = synthStack(project, false);
  const data: Record<string, Json> = json.resource.terraform_data;
  const records = Object.entries(data).filter(([name]) => name.includes('_migration_'));
  expect(records).toHaveLength(1);
  const [recordName, record] = records[0];
  expect(record.input).toMatchObject({ id: expect.stringMatching(/_datahub_add_klines_table$/), checksum: expect.stringMatching(/^[0-9a-f]{64}$/), transactional: true });
  expect(record.input.up).toContain('CREATE TABLE "datahub"."klines"');
  expect(record.input.down).toBe('DROP TABLE "datahub"."klines";');
  expect(record).not.toHaveProperty('provisioner');

  const [, head] = Object.entries(data).find(([name]) => name.startsWith('migrations_head'))!;
  expect(head.depends_on).toEqual([`terraform_data.${recordName}`, 'postgresql_default_privileges.default_tables_portfolio_app']);
  const command: string = head.provisioner[0]['local-exec'].command;
  expect(command).toMatch(
    /^node assets\/migrations_runner_\w+\/\w+\/runner\.js --manifest assets\/migrations_manifest_\w+\/\w+\/datahub-\w+\.json --expect [0-9a-f]{64} --lock-timeout-ms 500 --statement-timeout-ms 900000 --lock-wait-ms 60000 --lock-retries 8 --lock-retry-backoff-ms 1000 --lock-retry-max-backoff-ms 30000 --backup-retention-days 14$/,
  );
  // The settings are in the plan as data too, where a reviewer reads them.
  expect(head.input.settings).toEqual({ lockTimeoutMs: 500, statementTimeoutMs: 900000, lockWaitMs: 60000, lockRetries: { retries: 8, backoffMs: 1000, maxBackoffMs: 30000 }, backups: { enabled: true, retentionDays: 14 } });
  expect(head.provisioner[0]['local-exec']).not.toHaveProperty('when'); // create-time only: destroy never drops tables
  expect(head.triggers_replace).toMatchObject({ service: 'datahub', head: record.input.id, chain: expect.stringMatching(/^[0-9a-f]{64}$/) });

  // Table grants wait for the migrations.
  const grants: Json[] = Object.values(json.resource.postgresql_grant);
  const firstGrant = grants.find((g) => g.depends_on?.some((d: string) => d.startsWith('terraform_data.')));
  expect(firstGrant?.depends_on).toEqual([expect.stringMatching(/^terraform_data\.migrations_head_/)]);
});

test('downgrades are passed to the runner only where the environment allows them', async () => {
  const project = await projectWithOneMigration();
  const command = (allow: boolean) => (Object.entries(synthStack(project, allow).json.resource.terraform_data).find(([n]) => n.startsWith('migrations_head'))![1] as Json).provisioner[0]['local-exec'].command;
  expect(command(true)).toMatch(/ --allow-downgrades --lock-timeout-ms /);
  expect(command(false)).not.toContain('--allow-downgrades');
});

test('the stack folder holds the runner and the manifest, so it deploys with only node', async () => {
  const project = await projectWithOneMigration();
  const app = Testing.app();
  const stack = new ServiceStack(app, { service: 'datahub', environment: testEnvironment({ services: ['datahub'] }), registry: testRegistry, migrationsDirectory: project.migrationsDirectory('datahub') });
  project.tables.datahub(stack);
  app.synth();
  const folder = path.join(app.outdir, 'stacks', 'test-datahub');
  const json: Json = JSON.parse(readFileSync(path.join(folder, 'cdk.tf.json'), 'utf8'));
  const command: string = (Object.entries(json.resource.terraform_data).find(([n]) => n.startsWith('migrations_head'))![1] as Json).provisioner[0]['local-exec'].command;
  const [, runner, , manifest] = command.split(' ');
  expect(existsSync(path.join(folder, runner))).toBe(true);
  expect(readFileSync(path.join(folder, manifest), 'utf8')).toContain('CREATE TABLE \\"datahub\\".\\"klines\\"');
});

test('synth fails when the tables differ from the last snapshot, naming the fix', async () => {
  const project = await projectWithOneMigration();
  expect(() =>
    synthStack(project, false, (stack) => {
      new Table(stack, 'klines', { columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: text().notNull(), venue: text() }, primaryKey: ['id'] });
    }),
  ).toThrow(/\[test-datahub\] datahub: the tables in code differ from the snapshot at \d{8}_\d{6}_datahub_add_klines_table: run `npm run bedrock -- generate datahub <description>`/);
});

test('synth refuses CREATE INDEX CONCURRENTLY in a migration that runs in a transaction', async () => {
  const project = await projectWithOneMigration();
  const dir = project.migrationsDirectory('datahub');
  const head = readdirSync(dir).find((f) => f.endsWith('.sql'))!.replace('.sql', '');
  const id = '29990101_000000_datahub_concurrent_index';
  writeFileSync(path.join(dir, `${id}.sql`), ['-- service: datahub', `-- parent: ${head}`, '-- +up', 'CREATE INDEX CONCURRENTLY x_idx ON datahub.klines (symbol);', '-- +down', 'DROP INDEX datahub.x_idx;', ''].join('\n'));
  writeFileSync(path.join(dir, 'snapshots', `${id}.json`), readFileSync(path.join(dir, 'snapshots', `${head}.json`)));
  expect((await project.cli('rehash', 'datahub')).code).toBe(0);
  expect(() => synthStack(project, false)).toThrow(
    `[test-datahub] datahub: ${id}.sql line 4: [BEDROCK-L11] CREATE INDEX runs CREATE INDEX CONCURRENTLY inside a transaction on datahub.klines: SHARE UPDATE EXCLUSIVE lock (blocks nothing), reads the whole table. PostgreSQL refuses it in a transaction block: the deploy stops there. Safe form: put a \`-- +step outside transaction\` line above it, alone in its step`,
  );
});

test("an environment's timeouts, retries and offline limit reach the runner's command line", async () => {
  const project = await projectWithOneMigration();
  const app = Testing.app();
  const migrations = { lockTimeoutMs: 250, lockRetries: { retries: 3, backoffMs: 500, maxBackoffMs: 4000 }, offlineChangeMaxRows: 100000 };
  const stack = new ServiceStack(app, { service: 'datahub', environment: testEnvironment({ services: ['datahub'], migrations }), registry: testRegistry, migrationsDirectory: project.migrationsDirectory('datahub') });
  project.tables.datahub(stack);
  const json: Json = JSON.parse(Testing.synth(stack, true));
  const head = Object.entries(json.resource.terraform_data).find(([n]) => n.startsWith('migrations_head'))![1] as Json;
  expect(head.provisioner[0]['local-exec'].command).toMatch(/ --lock-timeout-ms 250 --statement-timeout-ms 900000 --lock-wait-ms 60000 --lock-retries 3 --lock-retry-backoff-ms 500 --lock-retry-max-backoff-ms 4000 --offline-max-rows 100000 --backup-retention-days 14$/);
  expect(head.input.settings).toMatchObject({ lockTimeoutMs: 250, offlineChangeMaxRows: 100000 });
});

test.each([
  [{ lockTimeoutMs: 0 }, 'migrations.lockTimeoutMs 0: give a whole number above 0'],
  [{ statementTimeoutMs: '1h' }, 'migrations.statementTimeoutMs "1h": give a whole number above 0'],
  [{ lockRetries: { retries: -1 } }, 'migrations.lockRetries.retries -1: give a whole number 0 or more'],
  [{ lockRetries: { backoffMs: 5000, maxBackoffMs: 1000 } }, 'migrations.lockRetries.maxBackoffMs 1000 is below backoffMs 5000'],
  [{ lockTimeout: 500 }, 'migrations.lockTimeout is not a setting (known: lockTimeoutMs, '],
  [{ offlineChangeMaxRows: 1.5 }, 'migrations.offlineChangeMaxRows 1.5: give a whole number 0 or more'],
])('environment migrations settings %j are refused at construction', (migrations, message) => {
  expect(() => new ServiceStack(Testing.app(), { service: 'datahub', environment: testEnvironment({ services: ['datahub'], migrations: migrations as never }), registry: testRegistry })).toThrow(message);
});
