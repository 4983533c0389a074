// Adopt: introspect and adopt of a 1,000-table legacy database (issue 13). The database (see
// adopt-legacy-database.ts) has every table in `public`, owned by the legacy user, spread over
// the six services; PostgreSQL 18 from npm with its default settings.
//   introspect  `introspect()` + `tableSource()` per service, every service in turn (what
//               `bedrock introspect --service s` does, minus the file write), in one process.
//               Target: under 2 s for all 1,000 tables.
//   baseline    drizzle-kit 0.31 `pull` of the same schema (installed on demand into
//               .bedrock/bench-tools/, not a dependency), and the floor: one catalog read of the
//               schema (readTables + readEnums, what drift reads).
//   adopt       the introspected sources written, transpiled and loaded as a project's tables,
//               `generateMigration` per service, the platform's owner roles and schemas made
//               with plain SQL; then `adopt()` --dry-run and for real, service by service, on a
//               fresh copy of the legacy database each round.
// Run: npm run bench:adopt -- [rounds] [--adopt-rounds N] [--tables N] [--rows N] [--drizzle-rounds N | --no-drizzle] [--profile]
//   drizzle-kit pull runs in the first --drizzle-rounds introspect runs (default 1: it takes
//   minutes at 1,000 tables); --profile adds where the time goes, query by query (adopt-profile.ts).
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir, totalmem } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import * as ts from 'typescript';
import * as library from '../lib';
import { BedrockProject, DefineTables, loadSqlParser, ownerRoleName, quoteIdentifier, ServiceRegistry } from '../lib';
import { adopt } from '../lib/adopt/adopt';
import { introspect } from '../lib/adopt/introspect';
import { tablesOwnedBy } from '../lib/adopt/legacy-ownership';
import { tableSource } from '../lib/adopt/table-source';
import { readEnums, readTables } from '../lib/catalog/read-schema';
import { schemaDrift } from '../lib/catalog/drift';
import { generateMigration } from '../lib/migrations/generate';
import { migrationDirectoryOf, modelOf, projectModel } from '../lib/project';
import { DEFAULT_RUNNER_SETTINGS } from '../lib/runner/converge-options';
import { ledgerRows } from '../lib/runner/ledger';
import { pinSession, RUNNER_SEARCH_PATH } from '../lib/runner/session';
import { BenchPostgres, startBenchPostgres, withClient } from './bench-postgres';
import { ADOPT_SERVICES, buildLegacyDatabase, legacyOwnership, legacyTableSpecs } from './adopt-legacy-database';
import { drizzlePull, DrizzlePull } from './adopt-drizzle';
import { formatMs, median } from './median';
import { profiled } from './adopt-profile';
import { flagNumber } from './bench-args';

const LEGACY_ROLE = 'legacy_app';
const LEGACY_DATABASE = 'legacy';
const TARGET_MS = 2000;
/** The written tables import the library through this module: the bundle's own copy, so their classes are the bundle's. */
const LIBRARY_GLOBAL = '__bedrockAdoptBenchLibrary';

interface Settings {
  readonly rounds: number;
  readonly adoptRounds: number;
  readonly tables: number;
  readonly rows: number;
  /** Runs of drizzle-kit pull (the first ones of the introspect runs): one takes minutes at 1,000 tables. */
  readonly drizzleRounds: number;
  /** Also print where introspect's and adopt's time goes, query by query (one more introspect run; adopt's first run). */
  readonly profile: boolean;
}

function settingsFromArgs(args: readonly string[]): Settings {
  const value = (flag: string, fallback: number): number => flagNumber(args, flag, fallback);
  const flagValues = new Set(['--adopt-rounds', '--tables', '--rows', '--drizzle-rounds'].map((f) => args.indexOf(f) + 1).filter((i) => i > 0));
  const positional = args.filter((arg, i) => /^\d+$/.test(arg) && !flagValues.has(i)).map(Number);
  return { rounds: positional[0] ?? 5, adoptRounds: value('--adopt-rounds', 3), tables: value('--tables', 1000), rows: value('--rows', 3), drizzleRounds: args.includes('--no-drizzle') ? 0 : value('--drizzle-rounds', 1), profile: args.includes('--profile') };
}

const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;
const thousands = (n: number): string => Math.round(n).toLocaleString('en-US');
const fmt = (n: number): string => `${thousands(n)} ms`;


/** A connection as the CLI's: the runner's session settings pinned. */
async function withCliClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  return withClient(url, async (client) => {
    await pinSession(client, { applicationName: 'bedrock-bench-adopt', lockTimeoutMs: 10_000, statementTimeoutMs: 900_000 });
    return work(client);
  });
}

const asUser = (url: string, user: string): string => Object.assign(new URL(url), { username: user }).toString();

// ---- the database ----

interface DatabaseFacts {
  readonly line: string;
  readonly rowTotal: number;
}

/** Counts what the legacy schema holds, and every table's rows (adopt must keep them). */
async function databaseFacts(client: Client, schemas: readonly string[]): Promise<DatabaseFacts> {
  const { rows } = await client.query<{ tables: number; columns: number; enums: number; fks: number; uniques: number; checks: number; indexes: number }>(
    `SELECT (SELECT count(*)::int FROM pg_class c WHERE c.relnamespace = ANY($1::regnamespace[]) AND c.relkind = 'r') AS tables,
            (SELECT count(*)::int FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = ANY($1::regnamespace[]) AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
            (SELECT count(*)::int FROM pg_type t WHERE t.typnamespace = ANY($1::regnamespace[]) AND t.typtype = 'e') AS enums,
            (SELECT count(*)::int FROM pg_constraint k WHERE k.connamespace = ANY($1::regnamespace[]) AND k.contype = 'f') AS fks,
            (SELECT count(*)::int FROM pg_constraint k WHERE k.connamespace = ANY($1::regnamespace[]) AND k.contype = 'u') AS uniques,
            (SELECT count(*)::int FROM pg_constraint k WHERE k.connamespace = ANY($1::regnamespace[]) AND k.contype = 'c') AS checks,
            (SELECT count(*)::int FROM pg_class c WHERE c.relnamespace = ANY($1::regnamespace[]) AND c.relkind = 'i') AS indexes`,
    [schemas],
  );
  const tables = await client.query<{ schema: string; name: string }>(`SELECT relnamespace::regnamespace::text AS schema, relname AS name FROM pg_class WHERE relnamespace = ANY($1::regnamespace[]) AND relkind = 'r' AND relname <> 'alembic_version'`, [schemas]);
  const counts = tables.rows.map((t) => `SELECT count(*) AS n FROM ${quoteIdentifier(t.schema)}.${quoteIdentifier(t.name)}`);
  const total = counts.length === 0 ? 0 : Number((await client.query<{ n: string }>(`SELECT sum(n)::bigint AS n FROM (${counts.join(' UNION ALL ')}) s`)).rows[0].n);
  const f = rows[0];
  return {
    line: `${thousands(f.tables)} tables (alembic_version included), ${thousands(f.columns)} columns, ${f.enums} enum types, ${thousands(f.fks)} foreign keys, ${thousands(f.uniques)} uniques, ${thousands(f.checks)} checks, ${thousands(f.indexes)} indexes (keys' included), ${thousands(total)} rows`,
    rowTotal: total,
  };
}

// ---- introspect ----

interface IntrospectRun {
  readonly introspectMs: number;
  readonly sourceMs: number;
  readonly perService: Record<string, number>;
  readonly sources: Record<string, string>;
  readonly tables: number;
  readonly unexpressed: readonly string[];
}

async function introspectAll(client: Client, services: readonly string[], owners: ReadonlyMap<string, string>, importFrom: string): Promise<IntrospectRun> {
  let introspectMs = 0;
  let sourceMs = 0;
  let tables = 0;
  const perService: Record<string, number> = {};
  const sources: Record<string, string> = {};
  const unexpressed: string[] = [];
  for (const service of services) {
    const start = process.hrtime.bigint();
    const introspection = await introspect(client, { service, legacySchema: 'public', tables: tablesOwnedBy(owners, service), owners });
    const read = ms(start);
    const source = tableSource(introspection, { importFrom, origin: 'the adopt bench' });
    const all = ms(start);
    introspectMs += read;
    sourceMs += all - read;
    perService[service] = all;
    sources[service] = source.source;
    tables += introspection.tables.length;
    unexpressed.push(...source.unexpressed);
  }
  return { introspectMs, sourceMs, perService, sources, tables, unexpressed };
}

/** The floor: one read of the schema's tables and enums, in the same kind of snapshot introspect reads in. */
async function catalogRead(client: Client): Promise<{ ms: number; tables: number }> {
  const start = process.hrtime.bigint();
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  await client.query(`SET LOCAL search_path = ${RUNNER_SEARCH_PATH}`);
  const [tables] = await Promise.all([readTables(client, 'public'), readEnums(client, 'public')]);
  await client.query('COMMIT');
  return { ms: ms(start), tables: tables.length };
}

// ---- the project the introspected sources make ----

const functionNameOf = (service: string): string => `${service.replace(/_(.)/g, (_m, c: string) => c.toUpperCase())}Tables`;

/** Writes each service's tables.ts, transpiles it as test/support/written-tables.ts does, and requires it. */
function projectFrom(root: string, services: readonly string[], sources: Record<string, string>): BedrockProject {
  const load = createRequire(path.join(root, 'index.js'));
  const tables: Record<string, DefineTables> = {};
  for (const service of services) {
    const file = path.join(root, 'stacks', service, 'tables.ts');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, sources[service]);
    const js = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    const out = file.replace(/\.ts$/, '.js');
    writeFileSync(out, js);
    const loaded = load(out) as Record<string, DefineTables>;
    const define = loaded[functionNameOf(service)];
    if (typeof define !== 'function') throw new Error(`${file} does not export ${functionNameOf(service)}`);
    tables[service] = define;
  }
  const registry = new ServiceRegistry(services.map((name) => ({ name, team: `@bench/${name}` })));
  return { registry, tables, environments: [], migrationsDirectory: (service) => path.join(root, 'stacks', service, 'migrations'), root };
}

// ---- adopt ----

interface AdoptRun {
  readonly copyMs: number;
  readonly dryMs: Record<string, number>;
  readonly adoptMs: Record<string, number>;
  /** What is wrong after the adoption (nothing, when it did its job). */
  readonly problems: readonly string[];
}

const sum = (values: Record<string, number>): number => Object.values(values).reduce((a, b) => a + b, 0);

async function adoptRound(server: BenchPostgres, project: BedrockProject, round: number, before: number, checkDrift: boolean, withProfile: boolean): Promise<AdoptRun> {
  const services = project.registry.names;
  const database = `adopt_${round}`;
  let start = process.hrtime.bigint();
  await withClient(server.url('postgres'), (admin) => admin.query(`CREATE DATABASE ${database} TEMPLATE ${LEGACY_DATABASE}`));
  const copyMs = ms(start);
  const dryMs: Record<string, number> = {};
  const adoptMs: Record<string, number> = {};
  const problems: string[] = [];
  try {
    await withCliClient(server.url(database), async (plain) => {
      const profile = withProfile ? profiled(plain) : undefined;
      const client = profile?.client ?? plain;
      // What the platform stack makes before adopt: an owner role (cluster-wide, made once) owning the service's schema.
      for (const service of services) await client.query(`CREATE SCHEMA ${quoteIdentifier(service)} AUTHORIZATION ${quoteIdentifier(ownerRoleName(service))}`);
      const props = (service: string, dryRun: boolean, last: boolean) => {
        const directory = migrationDirectoryOf(project, service);
        const first = directory.read().migrations[0];
        const snapshot = directory.readSnapshot(first.id);
        if ('problem' in snapshot) throw new Error(snapshot.problem);
        return {
          service,
          schema: service,
          ownerRole: ownerRoleName(service),
          legacySchema: 'public',
          first: { migration: first, model: snapshot.schema },
          dropAlembicVersion: last,
          dryRun,
          settings: DEFAULT_RUNNER_SETTINGS,
          log: (line: string) => console.log(`    ${line}`),
        };
      };
      // Reading the migration folder and snapshot is the CLI's part, not adopt's: done before the clock starts.
      const dry = services.map((s) => props(s, true, false));
      const real = services.map((s, i) => props(s, false, i === services.length - 1));
      for (const p of dry) {
        start = process.hrtime.bigint();
        await adopt(client, p);
        dryMs[p.service] = ms(start);
      }
      if (profile) {
        console.log(`  profile of run ${round}'s dry runs (every service; queries run one at a time):`);
        for (const line of profile.report(sum(dryMs))) console.log(`    ${line}`);
        profile.reset();
        // The first dry runs are the connection's first reads of the copy (cold catalog caches) and the process's first adopt: once more, warm.
        start = process.hrtime.bigint();
        for (const p of dry) await adopt(client, p);
        console.log(`  profile of the same dry runs again (warm):`);
        for (const line of profile.report(ms(start), 6)) console.log(`    ${line}`);
        profile.reset();
      }
      for (const p of real) {
        start = process.hrtime.bigint();
        await adopt(client, p);
        adoptMs[p.service] = ms(start);
      }
      if (profile) {
        console.log(`  profile of run ${round}'s adopts:`);
        for (const line of profile.report(sum(adoptMs))) console.log(`    ${line}`);
      }
      problems.push(...(await adoptedProblems(plain, project, before, checkDrift)));
    });
  } finally {
    await withClient(server.url('postgres'), (admin) => admin.query(`DROP DATABASE ${database}`));
  }
  return { copyMs, dryMs, adoptMs, problems };
}

/** What is wrong after adopt: tables left in public, a service without its ledger row, rows lost, drift from the model. */
async function adoptedProblems(client: Client, project: BedrockProject, before: number, checkDrift: boolean): Promise<string[]> {
  const out: string[] = [];
  const services = project.registry.names;
  const left = await client.query<{ name: string }>(`SELECT relname AS name FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'S')`);
  if (left.rows.length > 0) out.push(`public still holds ${left.rows.length} tables or sequences (${left.rows.slice(0, 5).map((r) => r.name).join(', ')})`);
  for (const service of services) {
    const rows = await ledgerRows(client, service);
    if (rows.length !== 1 || rows[0].status !== 'baselined') out.push(`${service}: the ledger holds ${rows.map((r) => `${r.id} ${r.status}`).join(', ') || 'nothing'}, expected its first migration baselined`);
    if (checkDrift) for (const line of await schemaDrift(client, modelOf(project, service))) out.push(`${service}: drift: ${line}`);
  }
  const after = await databaseFacts(client, services);
  if (after.rowTotal !== before) out.push(`rows: ${before} before, ${after.rowTotal} after`);
  return out;
}

// ---- main ----

async function main(): Promise<void> {
  const settings = settingsFromArgs(process.argv.slice(2));
  await loadSqlParser();
  const work = mkdtempSync(path.join(tmpdir(), 'bedrock-bench-adopt-'));
  // As root the server runs as the postgres user, which must reach its data.
  chmodSync(work, 0o777);
  const server = await startBenchPostgres(18, work);
  try {
    await measure(server, settings, work);
  } finally {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

async function measure(server: BenchPostgres, settings: Settings, work: string): Promise<void> {
  const specs = legacyTableSpecs(settings.tables);
  const owners = legacyOwnership(specs);
  // With fewer tables than blocks for every service (--tables), some services have none: they are left out.
  const services = ADOPT_SERVICES.filter((s) => tablesOwnedBy(owners, s).length > 0);
  const legacyUrl = server.url(LEGACY_DATABASE);
  let start = process.hrtime.bigint();
  const version = await withClient(server.url('postgres'), async (admin) => {
    await admin.query(`CREATE DATABASE ${LEGACY_DATABASE}`);
    await admin.query(`CREATE ROLE ${LEGACY_ROLE} LOGIN`);
    for (const service of services) await admin.query(`CREATE ROLE ${quoteIdentifier(ownerRoleName(service))} NOLOGIN`);
    return (await admin.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0].v;
  });
  await withClient(legacyUrl, (client) => client.query(`GRANT CREATE ON SCHEMA public TO ${LEGACY_ROLE}`));
  await buildLegacyDatabase(asUser(legacyUrl, LEGACY_ROLE), specs, settings.rows);
  // Catalog statistics as a long-lived database has them (autovacuum would get there).
  const facts = await withClient(legacyUrl, async (client) => (await client.query('VACUUM ANALYZE'), databaseFacts(client, ['public'])));
  const buildMs = ms(start);

  console.log(`Adopt: introspect and adopt of a ${thousands(settings.tables)}-table legacy database (schema public, owned by ${LEGACY_ROLE}, ${services.length} services)`);
  console.log(`PostgreSQL ${version} (binaries from npm, default settings), machine: ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GB, node ${process.version}, data on disk (${tmpdir()})`);
  console.log(`database: ${facts.line}; built in ${fmt(buildMs)} (one transaction per block of 20 tables, VACUUM ANALYZE)`);
  console.log(
    settings.rows === 0
      ? 'rows: 0 (adopt moves no data: SET SCHEMA and OWNER TO change the catalog only)'
      : `rows: ${settings.rows} per table (adopt moves no data: SET SCHEMA and OWNER TO change the catalog only, so the row count matters little; introspect reads only the catalog)`,
  );
  console.log(`tables per service: ${services.map((s) => `${s} ${tablesOwnedBy(owners, s).length}`).join(', ')}`);

  const drizzle: DrizzlePull | { skipped: string } = settings.drizzleRounds > 0 ? drizzlePull(path.resolve(__dirname, '..')) : { skipped: 'drizzle-kit pull: left out (--no-drizzle)' };
  if ('skipped' in drizzle) console.log(`SKIPPED ${drizzle.skipped}`);
  else console.log(`baseline: ${drizzle.source}`);

  // ---- introspect rounds, interleaved with the floor and drizzle-kit ----
  const root = mkdtempSync(path.join(work, 'project-'));
  (globalThis as Record<string, unknown>)[LIBRARY_GLOBAL] = library;
  const shim = path.join(root, 'bedrock-lib');
  writeFileSync(`${shim}.js`, `module.exports = globalThis.${LIBRARY_GLOBAL};\n`);
  const runs: IntrospectRun[] = [];
  const floors: number[] = [];
  const pulls: number[] = [];
  const starts: number[] = [];
  console.log(`\nintrospect, ${settings.rounds} runs (run 1 is the process's first: cold, as a CLI run is):`);
  await withCliClient(legacyUrl, async (client) => {
    for (let round = 1; round <= settings.rounds; round += 1) {
      const run = await introspectAll(client, services, owners, shim);
      const floor = await catalogRead(client);
      runs.push(run);
      floors.push(floor.ms);
      let line = `  run ${round}: introspect + tableSource ${fmt(run.introspectMs + run.sourceMs)} (introspect ${fmt(run.introspectMs)}, tableSource ${fmt(run.sourceMs)}; ${run.tables} tables, ${run.unexpressed.length} not expressed) | floor readTables+readEnums ${fmt(floor.ms)} (${floor.tables} tables)`;
      if (!('skipped' in drizzle) && round <= settings.drizzleRounds) {
        const pull = drizzle.pull(legacyUrl, 'public');
        const startMs = drizzle.startMs();
        pulls.push(pull.ms);
        starts.push(startMs);
        line += ` | drizzle-kit pull ${fmt(pull.ms)} (${pull.tables} tables; its process start alone ${fmt(startMs)})`;
      }
      console.log(line);
    }
    if (settings.profile) {
      const profile = profiled(client);
      const start = process.hrtime.bigint();
      await introspectAll(profile.client, services, owners, shim);
      console.log('  profile of one more run (every service; queries run one at a time):');
      for (const line of profile.report(ms(start))) console.log(`    ${line}`);
      profile.reset();
      const floorStart = process.hrtime.bigint();
      await catalogRead(profile.client);
      console.log('  profile of the floor:');
      for (const line of profile.report(ms(floorStart), 6)) console.log(`    ${line}`);
    }
  });
  if (!('skipped' in drizzle)) drizzle.dispose();
  const last = runs[runs.length - 1];
  for (const line of last.unexpressed.slice(0, 10)) console.log(`  NOT EXPRESSED: ${line}`);
  console.log(`  per service, median: ${services.map((s) => `${s} ${fmt(median(runs.map((r) => r.perService[s])))}`).join(', ')}`);

  // ---- the project: written, loaded, first migrations generated ----
  start = process.hrtime.bigint();
  const project = projectFrom(root, services, last.sources);
  const loadMs = ms(start);
  start = process.hrtime.bigint();
  const model = projectModel(project);
  const findings = model.findings();
  const findingsMs = ms(start);
  for (const line of findings.slice(0, 10)) console.log(`  synth would refuse: ${line}`);
  const generateMs: Record<string, number> = {};
  for (const service of services) {
    start = process.hrtime.bigint();
    const result = generateMigration({ directory: migrationDirectoryOf(project, service), model: model.schemaOf(service), description: 'adopt_legacy_tables', registry: project.registry });
    generateMs[service] = ms(start);
    if (!result.written) throw new Error(`${service}: generate wrote nothing`);
  }
  console.log(
    `\nproject: ${services.length} tables.ts written, transpiled and loaded in ${fmt(loadMs)}; model built and rules run in ${fmt(findingsMs)} (${findings.length} findings); ` +
      `generateMigration ${fmt(sum(generateMs))} for all (${services.map((s) => `${s} ${fmt(generateMs[s])}`).join(', ')})`,
  );

  // ---- adopt rounds, each on a fresh copy of the legacy database ----
  const adopts: AdoptRun[] = [];
  console.log(`\nadopt, ${settings.adoptRounds} runs (each on a fresh copy: CREATE DATABASE ... TEMPLATE ${LEGACY_DATABASE}; dry run of every service, then adopt of every service; the last drops alembic_version):`);
  for (let round = 1; round <= settings.adoptRounds; round += 1) {
    const run = await adoptRound(server, project, round, facts.rowTotal, round === 1, settings.profile && round === 1);
    adopts.push(run);
    console.log(
      `  run ${round}: dry run ${fmt(sum(run.dryMs))}, adopt ${fmt(sum(run.adoptMs))} (${services.map((s) => `${s} ${fmt(run.adoptMs[s])}`).join(', ')}); copy ${fmt(run.copyMs)}` +
        (run.problems.length > 0 ? `; PROBLEMS: ${run.problems.slice(0, 10).join('; ')}` : `; then: nothing left in public, every ledger row baselined, rows kept${round === 1 ? ', no drift' : ''}`),
    );
  }

  // ---- summary ----
  const m = (values: readonly number[]): string => (values.length === 0 ? 'skipped' : fmt(median(values)));
  const list = (values: readonly number[]): string => values.map((v) => thousands(v)).join(', ');
  const ours = runs.map((r) => r.introspectMs + r.sourceMs);
  console.log(`\n| ${thousands(settings.tables)} tables, ${services.length} services | median | runs (ms) |`);
  console.log('|---|---|---|');
  console.log(`| introspect + tableSource, every service | ${m(ours)} | ${list(ours)} |`);
  console.log(`| of which introspect() | ${m(runs.map((r) => r.introspectMs))} | ${list(runs.map((r) => r.introspectMs))} |`);
  console.log(`| of which tableSource() | ${m(runs.map((r) => r.sourceMs))} | ${list(runs.map((r) => r.sourceMs))} |`);
  console.log(`| floor: readTables + readEnums of public, once | ${m(floors)} | ${list(floors)} |`);
  console.log(`| drizzle-kit pull (whole process) | ${m(pulls)} | ${list(pulls)} |`);
  console.log(`| of which its process start (drizzle-kit --version) | ${m(starts)} | ${list(starts)} |`);
  console.log(`| adopt --dry-run, every service | ${m(adopts.map((a) => sum(a.dryMs)))} | ${list(adopts.map((a) => sum(a.dryMs)))} |`);
  console.log(`| adopt, every service | ${m(adopts.map((a) => sum(a.adoptMs)))} | ${list(adopts.map((a) => sum(a.adoptMs)))} |`);
  for (const service of services) {
    console.log(`| adopt ${service} (${tablesOwnedBy(owners, service).length} tables) | ${m(adopts.map((a) => a.adoptMs[service]))} | ${list(adopts.map((a) => a.adoptMs[service]))} |`);
  }
  const oursMedian = median(ours);
  console.log(
    `\ntarget: introspect under ${formatMs(TARGET_MS)} for ${thousands(settings.tables)} tables: ${fmt(oursMedian)} median, ${oursMedian < TARGET_MS ? 'met' : 'NOT met'}` +
      `; ${(oursMedian / median(floors)).toFixed(1)}x the floor` +
      `${pulls.length > 0 ? `; drizzle-kit pull takes ${(median(pulls) / oursMedian).toFixed(0)}x as long (${((median(pulls) - median(starts)) / oursMedian).toFixed(0)}x without its process start)` : ''}`,
  );
  const problems = adopts.flatMap((a) => a.problems);
  if (problems.length > 0 || last.unexpressed.length > 0 || findings.length > 0) process.exitCode = 1;
}

void main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
