// Applying N generated table-creating migrations (15 columns, 2 indexes each) to an empty
// database, each tool into a fresh database, interleaved rounds, medians:
//   ours     the bundled runner, as Terraform starts it (lock, ledger row with checksum in each
//            migration's transaction, SET ROLE, timeouts)
//   floor    psql -1 -f of the same SQL in one file
//   dbmate   its native binary (npm `dbmate`), --no-dump-schema
//   alembic  the tool this project replaces, seed layout, transaction_per_migration=True
// Also: a re-run with nothing to do, and two deploys at once.
// Run: node scripts/run-app.js bench/migrations.bench.ts [rounds]
import { spawn, spawnSync, SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { loadSqlParser, ServiceRegistry, ServiceStack, Table } from '../lib';
import { App } from '../lib/cdk';
import { diffSchemas } from '../lib/migrations/schema-diff';
import { schemaChange } from '../lib/migrations/schema-change';
import { emptySchema, ServiceSchema } from '../lib/migrations/service-schema';
import { checksumOf, formatMigration, Migration, parseMigration } from '../lib/migrations/migration-file';
import { manifestText } from '../lib/runner/manifest';
import { migrationPlan } from '../lib/migrations/migration-plan';
import { runnerBundle } from '../lib/runner/bundle';
import { benchColumns } from './bench-columns';
import { formatMs, median } from './median';
import { startBenchPostgres } from './bench-postgres';

const root = path.resolve(__dirname, '..');
// --tmpfs puts PostgreSQL's data in memory (/dev/shm): no disk noise, and no fsync cost either.
const onTmpfs = process.argv.includes('--tmpfs') && existsSync('/dev/shm');
const work = mkdtempSync(path.join(onTmpfs ? '/dev/shm' : tmpdir(), 'bedrock-bench-migrations-'));
// As root, the server runs as the postgres user, which must reach its data.
chmodSync(work, 0o777);
const SERVICE = 'bench';
const OWNER = 'bench_owner';
const PYTHON = '/usr/bin/python3';

// ---- PostgreSQL ----

/** PostgreSQL 18, started as the tests and the other benches start it (bench-postgres.ts). */
async function startPostgres(): Promise<{ url: (db: string) => string; stop: () => Promise<void> }> {
  const server = await startBenchPostgres(18, work);
  return { url: (db) => server.url(db), stop: () => server.stop() };
}

let databaseCount = 0;
async function freshDatabase(admin: Client, url: (db: string) => string): Promise<string> {
  const name = `bench_${++databaseCount}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const client = new Client({ connectionString: url(name) });
  await client.connect();
  await client.query(`CREATE SCHEMA ${SERVICE} AUTHORIZATION ${OWNER}`);
  // Every tool starts from the same quiet state: no checkpoint pending from the setup.
  await client.query('CHECKPOINT');
  await client.end();
  return url(name);
}

// ---- the migrations ----

/** N table-creating migrations; `trivial` keeps their ids and files but makes each `SELECT 1` (tool overhead only). */
function generated(count: number, trivial = false): Migration[] {
  const registry = new ServiceRegistry([{ name: SERVICE, team: '@bench' }]);
  const stack = new ServiceStack(new App({ outdir: path.join(work, 'app') }), {
    service: SERVICE,
    registry,
    environment: { name: 'bench', connection: { database: 'bench', username: 'bench' }, services: [SERVICE] },
  });
  const migrations: Migration[] = [];
  const empty: ServiceSchema = emptySchema(SERVICE, SERVICE);
  for (let i = 0; i < count; i += 1) {
    const table = new Table(stack, `t${i}`, {
      columns: benchColumns(),
      primaryKey: ['id'],
      indexes: [{ columns: ['symbol', 'created_at'] }, { columns: ['account_id'] }],
    });
    // Each migration creates one table: the diff from nothing to that table alone.
    const created = schemaChange(diffSchemas(empty, { ...empty, tables: [table.toModel()] }));
    const change = trivial ? { ...created, up: ['SELECT 1;'], down: ['SELECT 1;'] } : created;
    const id = `2025${String(Math.floor(i / 86400) + 101).padStart(4, '0')}_${new Date(i * 1000).toISOString().slice(11, 19).replace(/:/g, '')}_${SERVICE}_create_t${i}`;
    const textOf = formatMigration({ id, service: SERVICE, parent: migrations[i - 1]?.id, summary: change.summary, destructive: [], up: change.up, down: change.down });
    migrations.push(parseMigration(`${id}.sql`, textOf));
  }
  return migrations;
}

interface Tool {
  readonly name: string;
  /** Writes the tool's input for these migrations; returns the command that applies them to `url`. */
  prepare(migrations: readonly Migration[], dir: string): (url: string) => [string, string[], NodeJS.ProcessEnv];
}

const ours: Tool = {
  name: 'ours (runner)',
  prepare(migrations, dir) {
    const manifest = manifestText(migrationPlan(SERVICE, OWNER, migrations), migrations);
    writeFileSync(path.join(dir, 'manifest.json'), manifest);
    const runner = runnerBundle();
    return (url) => [process.execPath, [runner, '--manifest', path.join(dir, 'manifest.json'), '--expect', checksumOf(manifest)], { DATABASE_URL: url }];
  },
};

const floor: Tool = {
  name: 'psql -1 (floor)',
  prepare(migrations, dir) {
    writeFileSync(path.join(dir, 'all.sql'), migrations.map((m) => m.up).join('\n'));
    return (url) => ['psql', ['-q', '-X', '-1', '-v', 'ON_ERROR_STOP=1', '-f', path.join(dir, 'all.sql'), url], {}];
  },
};

function dbmateBinary(): string | undefined {
  const prefix = path.join(root, '.bedrock', 'bench-tools', 'dbmate');
  const binary = path.join(prefix, 'node_modules', '@dbmate', 'linux-x64', 'bin', 'dbmate');
  if (!existsSync(binary)) spawnSync('npm', ['install', '--prefix', prefix, '--no-save', 'dbmate@2.28.0'], { stdio: 'ignore' });
  return existsSync(binary) ? binary : undefined;
}

const dbmate = (binary: string): Tool => ({
  name: 'dbmate',
  prepare(migrations, dir) {
    const migrationsDir = path.join(dir, 'db', 'migrations');
    mkdirSync(migrationsDir, { recursive: true });
    migrations.forEach((m, i) => writeFileSync(path.join(migrationsDir, `${String(i + 1).padStart(14, '0')}_${m.id}.sql`), `-- migrate:up\n${m.up}\n\n-- migrate:down\n${m.down}\n`));
    return (url) => [binary, ['--url', `${url}?sslmode=disable`, '--migrations-dir', migrationsDir, '--no-dump-schema', 'up'], {}];
  },
});

function alembicAvailable(): boolean {
  const check = () => spawnSync(PYTHON, ['-c', 'import alembic, sqlalchemy, psycopg2'], { stdio: 'ignore' }).status === 0;
  if (check()) return true;
  spawnSync('apt-get', ['install', '-y', 'python3-alembic', 'python3-sqlalchemy', 'python3-psycopg2'], { stdio: 'ignore' });
  return check();
}

const alembic: Tool = {
  name: 'alembic',
  prepare(migrations, dir) {
    // The seed's layout: database_migrations/alembic.ini, alembic/env.py, alembic/versions/.
    const project = path.join(dir, 'database_migrations');
    const versions = path.join(project, 'alembic', 'versions');
    mkdirSync(versions, { recursive: true });
    writeFileSync(path.join(project, 'alembic.ini'), '[alembic]\nscript_location = %(here)s/alembic\n');
    writeFileSync(
      path.join(project, 'alembic', 'env.py'),
      [
        'import os',
        'from alembic import context',
        'from sqlalchemy import create_engine',
        'engine = create_engine(os.environ["DATABASE_URL"].replace("postgres://", "postgresql+psycopg2://"))',
        'with engine.connect() as connection:',
        '    context.configure(connection=connection, target_metadata=None, transaction_per_migration=True)',
        '    with context.begin_transaction():',
        '        context.run_migrations()',
        '',
      ].join('\n'),
    );
    migrations.forEach((m, i) => {
      const sql = JSON.stringify(m.up);
      writeFileSync(
        path.join(versions, `${m.id}.py`),
        `from alembic import op\nrevision = "r${i}"\ndown_revision = ${i === 0 ? 'None' : `"r${i - 1}"`}\nbranch_labels = None\ndepends_on = None\n\ndef upgrade():\n    op.execute(${sql})\n\ndef downgrade():\n    op.execute(${JSON.stringify(m.down)})\n`,
      );
    });
    return (url) => [PYTHON, ['-m', 'alembic', '-c', path.join(project, 'alembic.ini'), 'upgrade', 'head'], { DATABASE_URL: url }];
  },
};

function timed(command: [string, string[], NodeJS.ProcessEnv]): { ms: number; result: SpawnSyncReturns<string> } {
  const [file, args, env] = command;
  const start = process.hrtime.bigint();
  const result = spawnSync(file, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${file} failed: ${result.stderr || result.stdout}`);
  return { ms, result };
}

/** Starts the same deploy twice at once; returns how each ended. */
function concurrently(command: [string, string[], NodeJS.ProcessEnv]): Promise<string[]> {
  const [file, args, env] = command;
  const once = () =>
    new Promise<string>((resolve) => {
      const child = spawn(file, args, { env: { ...process.env, ...env } });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.on('exit', (code) => {
        const lines = output.trim().split('\n').filter((l) => l.trim() !== '');
        // The line that says what happened: an error, or the tool's own summary.
        const telling = lines.find((l) => /Error: |Error\)|duplicate key|already exists/.test(l)) ?? lines.filter((l) => /nothing|up to date|applied/i.test(l)).pop() ?? lines.pop();
        resolve(`exit ${code}: ${(telling ?? '(no output)').trim().slice(0, 170)}`);
      });
    });
  return Promise.all([once(), once()]);
}

async function main(): Promise<void> {
  await loadSqlParser();
  const rounds = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 5);
  const pg = await startPostgres();
  const admin = new Client({ connectionString: pg.url('postgres') });
  await admin.connect();
  try {
    await measure(admin, pg.url, rounds);
  } finally {
    await admin.end();
    await pg.stop();
  }
}

async function measure(admin: Client, url: (db: string) => string, rounds: number): Promise<void> {
  const pg = { url };
  await admin.query(`CREATE ROLE ${OWNER} NOLOGIN`);
  const tools: Tool[] = [ours, floor];
  const skipped: string[] = [];
  const dbmateAt = dbmateBinary();
  if (dbmateAt) tools.push(dbmate(dbmateAt));
  else skipped.push('dbmate: `npm install dbmate` failed (no registry?)');
  if (alembicAvailable()) tools.push(alembic);
  else skipped.push('alembic: python3-alembic, python3-sqlalchemy and python3-psycopg2 are not installed and apt-get could not install them');
  if (spawnSync('psql', ['--version']).status !== 0) throw new Error('psql (the floor) is not on PATH: apt-get install postgresql-client');

  console.log(`Migrations benchmark, PostgreSQL 18 (embedded, data ${onTmpfs ? 'in memory (tmpfs)' : 'on disk'}), node ${process.version}; medians of interleaved rounds, each tool into a fresh database`);
  for (const s of skipped) console.log(`SKIPPED ${s}`);
  const scenarios = [
    [50, rounds, false],
    [200, rounds, false],
    [1000, Math.max(1, Math.ceil(rounds / 2)), false],
    [1000, rounds, true],
  ] as const;
  for (const [count, roundsHere, trivial] of scenarios) {
    const migrations = generated(count, trivial);
    const commands = tools.map((tool) => {
      const dir = path.join(work, `${tool.name.split(' ')[0]}-${count}`);
      mkdirSync(dir, { recursive: true });
      return tool.prepare(migrations, dir);
    });
    const times: number[][] = tools.map(() => []);
    const reruns: number[][] = tools.map(() => []);
    for (let round = 0; round < roundsHere; round += 1) {
      for (let t = 0; t < tools.length; t += 1) {
        const url = await freshDatabase(admin, pg.url);
        times[t].push(timed(commands[t](url)).ms);
        if (tools[t] !== floor) reruns[t].push(timed(commands[t](url)).ms);
      }
    }
    const base = median(times[1]);
    console.log(`\n${count} ${trivial ? 'empty migrations (SELECT 1 each: what each tool costs per migration, without DDL)' : 'migrations'} (${roundsHere} rounds):`);
    console.log('tool            | apply     | vs floor | re-run, nothing to do');
    tools.forEach((tool, t) => {
      const rerun = reruns[t].length ? formatMs(median(reruns[t])) : '-';
      console.log(`${tool.name.padEnd(15)} | ${formatMs(median(times[t])).padStart(9)} | ${(median(times[t]) / base).toFixed(2).padStart(7)}x | ${rerun}`);
    });
    const mine = median(times[0]);
    const targets = [`at most 1.4x the floor: ${(mine / base).toFixed(2)}x`];
    const dbmateIndex = tools.findIndex((t) => t.name === 'dbmate');
    const alembicIndex = tools.findIndex((t) => t === alembic);
    if (dbmateIndex >= 0) targets.push(`at most 1.0x dbmate: ${(mine / median(times[dbmateIndex])).toFixed(2)}x`);
    if (alembicIndex >= 0) targets.push(`at most 0.7x alembic: ${(mine / median(times[alembicIndex])).toFixed(2)}x`);
    targets.push(`re-run at most 150 ms: ${formatMs(median(reruns[0]))}`);
    console.log(`ours: ${targets.join('; ')}`);
  }

  console.log('\nTwo deploys of the same 50 migrations started at once into one fresh database:');
  const migrations = generated(50);
  for (const tool of tools.filter((t) => t !== floor)) {
    const dir = path.join(work, `concurrent-${tool.name.split(' ')[0]}`);
    mkdirSync(dir, { recursive: true });
    const command = tool.prepare(migrations, dir)(await freshDatabase(admin, pg.url));
    const [first, second] = await concurrently(command);
    console.log(`${tool.name.padEnd(15)} first ${first}\n${''.padEnd(15)} second ${second}`);
  }
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(work, { recursive: true, force: true }));
