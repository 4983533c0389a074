// `generate`, `check` and `rehash` hold the same line as synth: every model rule, and a
// migrations folder whose snapshot or bedrock.sum is damaged is named with the file and the fix.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import * as path from 'node:path';
import { bigint, ServiceStack, Table, text, varchar } from '../../lib';
import { migrationDirectoryOf } from '../../lib/project';
import { testProject } from '../support/project';

function listing(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

const klines = (extra: Record<string, ReturnType<typeof text>> = {}) => (stack: ServiceStack) => {
  new Table(stack, 'klines', { columns: { id: bigint().generatedAlwaysAsIdentity(), symbol: varchar(32).notNull(), ...extra }, primaryKey: ['id'] });
};

/** datahub's klines, and portfolio's fills with a foreign key into it (across services). */
function crossServiceForeignKey() {
  const project = testProject();
  let target: Table | undefined;
  project.tables.datahub = (stack) => {
    target = new Table(stack, 'klines', { columns: { id: bigint() }, primaryKey: ['id'] });
  };
  project.tables.portfolio = (stack) => {
    new Table(stack, 'fills', { columns: { kline_id: bigint() }, foreignKeys: [{ columns: ['kline_id'], references: target!.ref('id') }] });
  };
  return project;
}

const O3 = "model-portfolio/fills: [BEDROCK-O3] foreign key fills_kline_id_fkey references datahub.klines, a table of another service: remove it and declare an application-level reference instead";

describe('generate and check run the rules synth runs', () => {
  test('a foreign key into another service: generate writes nothing, check fails, both name the construct', async () => {
    const project = crossServiceForeignKey();
    expect((await project.cli('generate', 'datahub', 'add_klines_table')).code).toBe(0);
    const generated = await project.cli('generate', 'portfolio', 'add_fills');
    expect(generated.code).toBe(1);
    expect(generated.err).toContain('portfolio: synth would refuse these tables; nothing written. Fix:\n');
    expect(generated.err).toContain(`  - ${O3}`);
    expect(listing(project.migrationsDirectory('portfolio'))).toEqual([]);

    const checked = await project.cli('check');
    expect(checked.code).toBe(8);
    expect(checked.err).toContain(O3);
  });

  test('a reserved word is refused until acknowledged with a reason', async () => {
    const project = testProject();
    project.tables.datahub = klines({ order: text() });
    const refused = await project.cli('generate', 'datahub', 'add_klines_table');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/ {2}- model-datahub\/klines: \[BEDROCK-N2\] .*"order" is a reserved word in PostgreSQL/);
    expect(listing(path.join(project.root, 'stacks'))).toEqual([]);

    project.tables.datahub = (stack) => {
      new Table(stack, 'klines', { columns: { id: bigint(), order: text() }, acknowledgements: [{ rule: 'BEDROCK-N2', reason: 'the exchange calls it order' }] });
    };
    expect(await project.cli('generate', 'datahub', 'add_klines_table')).toMatchObject({ code: 0, err: '' });
    expect(await project.cli('check')).toMatchObject({ code: 0, err: '' });
  });

  test('schema-wide names: an index named like another table is refused, naming the stack', async () => {
    const project = testProject();
    project.tables.datahub = (stack) => {
      new Table(stack, 'klines', { columns: { id: bigint(), symbol: text() }, indexes: [{ name: 'prices', columns: ['symbol'] }] });
      new Table(stack, 'prices', { columns: { id: bigint() } });
    };
    const message = 'model-datahub: the name "prices" is used by the index of klines and the table prices: PostgreSQL keeps them in one namespace; rename one';
    const generated = await project.cli('generate', 'datahub', 'add_klines_table');
    expect(generated.code).toBe(1);
    expect(generated.err).toContain(`  - ${message}`);
    expect(listing(path.join(project.root, 'stacks'))).toEqual([]);
    expect((await project.cli('check', 'datahub')).err).toContain(message);
  });

  test('check <service> reports the findings of that service only', async () => {
    const project = crossServiceForeignKey();
    const datahub = await project.cli('check', 'datahub');
    expect(datahub.err).not.toContain('BEDROCK-O3');
    expect((await project.cli('check', 'portfolio')).err).toContain(O3);
  });
});

describe('a damaged snapshot or bedrock.sum is named with the file, the service and the fix', () => {
  async function generated() {
    const project = testProject();
    project.tables.datahub = klines();
    expect((await project.cli('generate', 'datahub', 'add_klines_table')).code).toBe(0);
    const dir = project.migrationsDirectory('datahub');
    const id = listing(dir).find((f) => f.endsWith('.sql'))!.replace('.sql', '');
    return { project, dir, id, snapshot: path.join(dir, 'snapshots', `${id}.json`), sum: path.join(dir, 'bedrock.sum') };
  }

  test.each([
    ['not JSON', '{"service": "datahub",', 'it is not valid JSON ('],
    ['not a snapshot', '{"service": "datahub", "schema": "datahub", "enums": []}', 'it does not have the shape of a snapshot {service, schema, enums[], tables[]}: tables is missing'],
    ['a wrong field deep inside', '{"service": "datahub", "schema": "datahub", "enums": [], "tables": [{"schema": "datahub", "name": "klines", "columns": [{"name": "id", "type": "bigint"}], "uniques": [], "checks": [], "indexes": [], "foreignKeys": []}]}', 'it does not have the shape of a snapshot {service, schema, enums[], tables[]}: tables[0].columns[0].notNull is missing'],
    ['an array', '[]', 'it does not have the shape of a snapshot {service, schema, enums[], tables[]}: it must be an object'],
    ["another service's", '{"service": "portfolio", "schema": "portfolio", "enums": [], "tables": []}', 'it is the snapshot of service "portfolio", not of datahub'],
  ])('a snapshot that is %s', async (_what, content, problem) => {
    const { project, id, snapshot } = await generated();
    writeFileSync(snapshot, content);
    const message = `datahub: the snapshot ${snapshot} of ${id} is unusable: ${problem}`;
    const fix = `Fix: restore it from git (\`git checkout -- ${snapshot}\`); if ${id} was never applied anywhere, \`npm run bedrock -- rebase datahub ${id}\` generates it again with its snapshot`;

    const checked = await project.cli('check', 'datahub');
    expect(checked.code).toBe(8);
    expect(checked.err).toContain(message);
    expect(checked.err).toContain(fix);
    expect(checked.err).not.toMatch(/SyntaxError|TypeError|Cannot read properties/);

    project.tables.datahub = klines({ source: text() });
    const before = listing(project.migrationsDirectory('datahub'));
    const generatedAgain = await project.cli('generate', 'datahub', 'add_source');
    expect(generatedAgain.code).toBe(1);
    expect(generatedAgain.err).toContain(message);
    expect(listing(project.migrationsDirectory('datahub'))).toEqual(before);

    // The library call that generate and the folder check make says the same.
    expect(() => migrationDirectoryOf(project, 'datahub').snapshot(id)).toThrow(message);
  });

  test.each([
    ['a merge conflict left in it', (sum: string) => `<<<<<<< HEAD\n${sum}=======\n`, 'line 1 must be h1:<sha256 of the other lines> (64 hex digits), but reads "<<<<<<< HEAD"'],
    ['a truncated checksum', (sum: string) => sum.replace(/ ([0-9a-f]{64})\n/, (_m, hex: string) => ` ${hex.slice(0, 20)}\n`), 'line 2 must be "<migration id> <sha256>" (64 hex digits), but reads "'],
    ['a first line that is not the total', (sum: string) => sum.replace(/^h1:/, 'total:'), 'line 1 must be h1:<sha256 of the other lines> (64 hex digits), but reads "total:'],
  ])('bedrock.sum with %s', async (_what, damage, problem) => {
    const { project, sum } = await generated();
    writeFileSync(sum, damage(readFileSync(sum, 'utf8')));
    const checked = await project.cli('check', 'datahub');
    expect(checked.code).toBe(8);
    expect(checked.err).toContain(`datahub: ${sum} is damaged: ${problem}`);
    expect(checked.err).toContain('Restore it from git, or resolve the merge conflict keeping one line per migration; `npm run bedrock -- rehash datahub` rebuilds it from the migration files as they are');
    expect(checked.err).not.toContain('do not write them by hand');

    // rehash repairs a damaged sum when the files are whole.
    expect(await project.cli('rehash', 'datahub')).toMatchObject({ code: 0, err: '' });
    expect(await project.cli('check', 'datahub')).toMatchObject({ code: 0, err: '' });
  });
});

describe('rehash', () => {
  async function twoMigrations() {
    const project = testProject();
    project.tables.datahub = klines();
    await project.cli('generate', 'datahub', 'add_klines_table');
    project.tables.datahub = klines({ source: text() });
    await project.cli('generate', 'datahub', 'add_source');
    const dir = project.migrationsDirectory('datahub');
    const ids = listing(dir).filter((f) => f.endsWith('.sql')).map((f) => f.replace('.sql', ''));
    return { project, dir, ids, sum: path.join(dir, 'bedrock.sum') };
  }

  test('refuses when a migration listed in bedrock.sum is missing, and leaves the sum as it was', async () => {
    const { project, dir, ids, sum } = await twoMigrations();
    const file = path.join(dir, `${ids[1]}.sql`);
    rmSync(file);
    const before = readFileSync(sum, 'utf8');
    const result = await project.cli('rehash', 'datahub');
    expect(result.code).toBe(1);
    expect(result.err).toContain('datahub: rehash only rewrites bedrock.sum from the files as they are; fix these first (nothing was written):');
    expect(result.err).toContain(`datahub: bedrock.sum lists ${ids[1]}, but its file ${file} is missing: restore it from git (\`git checkout -- ${file}\`)`);
    expect(result.err).toContain('If it was deleted on purpose and was never applied anywhere, delete its line from bedrock.sum and its snapshot');
    expect(readFileSync(sum, 'utf8')).toBe(before);
  });

  test('refuses over problems it cannot fix: two heads, a file name off the convention', async () => {
    const { project, dir, ids, sum } = await twoMigrations();
    const before = readFileSync(sum, 'utf8');
    const second = readFileSync(path.join(dir, `${ids[1]}.sql`), 'utf8');
    const sibling = ids[1].replace('add_source', 'add_venue');
    writeFileSync(path.join(dir, `${sibling}.sql`), second);
    const heads = await project.cli('rehash', 'datahub');
    expect(heads.code).toBe(1);
    expect(heads.err).toContain(`datahub: multiple heads: ${ids[1]} and ${sibling} both come after ${ids[0]}`);
    expect(heads.err).not.toContain('is not in bedrock.sum'); // that one rehash would fix
    expect(readFileSync(sum, 'utf8')).toBe(before);

    rmSync(path.join(dir, `${sibling}.sql`));
    writeFileSync(path.join(dir, 'add_things.sql'), second.replace(`-- parent: ${ids[0]}`, `-- parent: ${ids[1]}`));
    const named = await project.cli('rehash', 'datahub');
    expect(named.code).toBe(1);
    expect(named.err).toContain('datahub: add_things.sql: the name must follow <YYYYMMDD_HHMMSS>_datahub_<description>.sql');
    expect(readFileSync(sum, 'utf8')).toBe(before);
  });

  test('still rewrites the sum after a hand edit of a migration; check then still refuses an edit outside a data section (the issue 14 defect: it used to accept it)', async () => {
    const { project, dir, ids } = await twoMigrations();
    appendFileSync(path.join(dir, `${ids[1]}.sql`), "COMMENT ON TABLE datahub.klines IS 'reviewed';\n");
    expect((await project.cli('check', 'datahub')).err).toContain(`${ids[1]}.sql was edited after it was generated`);
    const result = await project.cli('rehash', 'datahub');
    expect(result).toEqual({ code: 0, out: 'datahub: bedrock.sum rewritten for 2 migration(s). An edited migration that was applied somewhere will be refused there.', err: '' });
    const checked = await project.cli('check', 'datahub');
    expect(checked.code).toBe(8);
    expect(checked.err).toMatch(new RegExp(`${ids[1]}\\.sql line \\d+: the file is not what \`generate\` writes`));
  });
});
