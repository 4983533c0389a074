// `generate`, `check` and `rebase` on a project in a temporary folder.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, existsSync, appendFileSync } from 'node:fs';
import * as path from 'node:path';
import { bigint, ServiceStack, Table, text, varchar } from '../../lib';
import { testProject } from '../support/project';

const klines = (extra: Record<string, ReturnType<typeof text>> = {}) => (stack: ServiceStack) => {
  new Table(stack, 'klines', { columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: varchar(32).notNull(), ...extra }, primaryKey: ['id'] });
};

function listing(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

describe('generate', () => {
  test('writes the migration, its snapshot and the checksums; a second run writes nothing', async () => {
    const project = testProject();
    project.tables.datahub = klines();
    const first = await project.cli('generate', 'datahub', 'add_klines_table');
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(first.out).toMatch(/^datahub: wrote .*\/\d{8}_\d{6}_datahub_add_klines_table\.sql\n {2}create table datahub\.klines$/);
    const dir = project.migrationsDirectory('datahub');
    const files = listing(dir);
    expect(files).toHaveLength(4);
    expect(files).toEqual(expect.arrayContaining([expect.stringMatching(/_datahub_add_klines_table\.sql$/), 'bedrock.sum', 'snapshots', expect.stringMatching(/^snapshots\/.*_datahub_add_klines_table\.json$/)]));
    const sql = readFileSync(path.join(dir, files.find((f) => f.endsWith('.sql'))!), 'utf8');
    expect(sql).toContain('-- parent: none');
    expect(sql).toContain('CREATE TABLE "datahub"."klines"');
    expect(sql).toMatch(/-- \+down\nDROP TABLE "datahub"\."klines";/);

    const second = await project.cli('generate', 'datahub', 'nothing_new');
    expect(second).toEqual({ code: 0, out: 'datahub: no changes: the tables match the snapshot. Nothing written.', err: '' });
    expect(listing(dir)).toEqual(files);
  });

  test('the next migration names its parent and only holds the change', async () => {
    const project = testProject();
    project.tables.datahub = klines();
    await project.cli('generate', 'datahub', 'add_klines_table');
    project.tables.datahub = klines({ source: text() });
    const result = await project.cli('generate', 'datahub', 'add_source');
    expect(result.out).toContain('add column datahub.klines.source text');
    const sqlFiles = listing(project.migrationsDirectory('datahub')).filter((f) => f.endsWith('.sql'));
    const latest = readFileSync(path.join(project.migrationsDirectory('datahub'), sqlFiles[1]), 'utf8');
    expect(latest).toContain(`-- parent: ${sqlFiles[0].replace('.sql', '')}`);
    expect(latest.split('-- +up')[1]).toBe('\nALTER TABLE "datahub"."klines" ADD COLUMN "source" text;\n\n-- +down\nALTER TABLE "datahub"."klines" DROP COLUMN "source";\n');
  });

  test.each([
    [['generate', 'datahub', 'Add-Klines'], 'datahub: the description "Add-Klines" is not snake_case'],
    [['generate', 'trading', 'add_x'], 'Unknown service "trading": register it in the service registry (registered: datahub, portfolio)'],
  ])('%j is refused and writes nothing', async (args, message) => {
    const project = testProject();
    project.tables.datahub = klines();
    const result = await project.cli(...args);
    expect(result.code).toBe(1);
    expect(result.err).toContain(message);
    expect(listing(path.join(project.root, 'stacks'))).toEqual([]);
  });

  test('a change that destroys data needs --accept-data-loss', async () => {
    const project = testProject();
    project.tables.datahub = klines({ source: text() });
    await project.cli('generate', 'datahub', 'add_klines_table');
    const before = listing(project.migrationsDirectory('datahub'));
    project.tables.datahub = klines();
    const refused = await project.cli('generate', 'datahub', 'drop_source');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('this change destroys data:\n  - drop column datahub.klines.source and its data');
    expect(refused.err).toContain('generate datahub drop_source --accept-data-loss');
    expect(listing(project.migrationsDirectory('datahub'))).toEqual(before);
    expect((await project.cli('generate', 'datahub', 'drop_source', '--accept-data-loss')).code).toBe(0);
  });

  test('a NOT NULL column without a default is refused with the fix', async () => {
    const project = testProject();
    project.tables.datahub = klines();
    await project.cli('generate', 'datahub', 'add_klines_table');
    project.tables.datahub = klines({ source: text().notNull() });
    const result = await project.cli('generate', 'datahub', 'add_source');
    expect(result.code).toBe(1);
    expect(result.err).toContain('datahub.klines: the new column "source" is NOT NULL without a default');
    expect(result.err).toContain('give it a default');
  });
});

describe('check', () => {
  async function generated() {
    const project = testProject();
    project.tables.datahub = klines();
    await project.cli('generate', 'datahub', 'add_klines_table');
    const dir = project.migrationsDirectory('datahub');
    const file = path.join(dir, listing(dir).find((f) => f.endsWith('.sql'))!);
    return { project, dir, file };
  }

  test('passes on a consistent project', async () => {
    const { project } = await generated();
    expect(await project.cli('check')).toEqual({ code: 0, out: 'ok: 2 service(s), migrations consistent, tables equal to their snapshots', err: '' });
  });

  test('an edited migration is refused, naming the file and the fix', async () => {
    const { project, file } = await generated();
    appendFileSync(file, 'DROP TABLE datahub.klines;\n');
    const result = await project.cli('check');
    expect(result.code).toBe(8);
    expect(result.err).toContain(`${path.basename(file, '.sql')}.sql was edited after it was generated`);
    expect(result.err).toContain('git checkout --');
  });

  test('tables changed without a migration', async () => {
    const { project } = await generated();
    project.tables.datahub = klines({ source: text() });
    const result = await project.cli('check', 'datahub');
    expect(result.err).toMatch(/datahub: the tables in code differ from the snapshot at .*: run `npm run bedrock -- generate datahub <description>`/);
  });

  test('a file name off the convention', async () => {
    const { project, dir, file } = await generated();
    writeFileSync(path.join(dir, 'add_things.sql'), readFileSync(file, 'utf8'));
    const result = await project.cli('check', 'datahub');
    expect(result.err).toContain('datahub: add_things.sql: the name must follow <YYYYMMDD_HHMMSS>_datahub_<description>.sql');
  });

  test('two branches generating for one service conflict in git, and rebase makes one chain again', async () => {
    const { project, dir } = await generated();
    const git = (...args: string[]) => execFileSync('git', args, { cwd: project.root, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-qm', 'base');
    git('checkout', '-qb', 'feature_a');
    project.tables.datahub = klines({ source: text() });
    await project.cli('generate', 'datahub', 'add_source');
    git('add', '-A');
    git('commit', '-qm', 'a');
    git('checkout', '-q', 'main');
    project.tables.datahub = klines({ venue: text() });
    const second = await project.cli('generate', 'datahub', 'add_venue');
    expect(second.code).toBe(0);
    git('add', '-A');
    git('commit', '-qm', 'b');
    let conflict = '';
    try {
      git('merge', '-q', 'feature_a');
    } catch (error) {
      conflict = String((error as { stdout: string }).stdout);
    }
    expect(conflict).toContain(`CONFLICT (content): Merge conflict in stacks/datahub/migrations/bedrock.sum`);

    // Resolving the conflict by keeping both lines still leaves two heads: check says how to fix it.
    const sum = readFileSync(path.join(dir, 'bedrock.sum'), 'utf8').split('\n').filter((l) => !/^(<<<<<<<|=======|>>>>>>>)/.test(l));
    writeFileSync(path.join(dir, 'bedrock.sum'), `${sum.join('\n')}\n`);
    project.tables.datahub = klines({ source: text(), venue: text() });
    const checked = await project.cli('check', 'datahub');
    const newer = listing(dir).filter((f) => f.endsWith('.sql')).sort()[2].replace('.sql', '');
    expect(checked.err).toContain('datahub: multiple heads:');
    expect(checked.err).toContain(`Fix: \`npm run bedrock -- rebase datahub ${newer}\``);

    const rebased = await project.cli('rebase', 'datahub', newer);
    expect(rebased.code).toBe(0);
    expect(await project.cli('check', 'datahub')).toMatchObject({ code: 0 });
    expect(listing(dir).filter((f) => f.endsWith('.sql'))).toHaveLength(3);
  });
});
