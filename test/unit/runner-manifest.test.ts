// The manifest Terraform hands the runner: its hash is the plan's, each file its checksum, and
// every piece of SQL the runner will run (steps, up, down) is its file's own text.
import { checksumOf, parseMigration } from '../../lib/migrations/migration-file';
import { migrationPlan } from '../../lib/migrations/migration-plan';
import { manifestText, planFromManifest } from '../../lib/runner/manifest';
import { loadSqlParser } from '../../lib/sql/parser';

let file: ReturnType<typeof parseMigration>;
let text: string;

beforeAll(async () => {
  await loadSqlParser();
  file = parseMigration(
  '20260101_000000_datahub_x.sql',
  ['-- service: datahub', '-- parent: none', '', '-- +up', '-- +step', 'ALTER TABLE datahub.klines ADD COLUMN v int;', '-- +step outside transaction', 'CREATE INDEX CONCURRENTLY k_v_idx ON datahub.klines (v);', '-- +down', 'ALTER TABLE datahub.klines DROP COLUMN v;', ''].join('\n'),
  );
  text = manifestText(migrationPlan('datahub', 'datahub_owner', [file]), [file]);
});

test('a manifest reads back as the plan it was written from', () => {
  expect(planFromManifest(text, checksumOf(text))).toEqual(migrationPlan('datahub', 'datahub_owner', [file]));
});

test('a manifest whose hash is not the plan\'s is refused', () => {
  expect(() => planFromManifest(text, '0'.repeat(64))).toThrow('REFUSED: the migrations to run');
});

test('a step whose SQL is not its file\'s text is refused, even in a manifest whose hash matches', () => {
  const forged = text.replace('CREATE INDEX CONCURRENTLY k_v_idx ON datahub.klines (v)"', 'DROP TABLE datahub.klines"');
  expect(forged).not.toBe(text);
  expect(() => planFromManifest(forged, checksumOf(forged))).toThrow(`REFUSED: ${file.id}: the manifest holds SQL its file does not ("DROP TABLE datahub.klines")`);
});

test('a manifest of the format before steps is refused with what to do', () => {
  const old = JSON.stringify({ service: 'datahub', ownerRole: 'datahub_owner', schema: 'datahub', migrations: [] });
  expect(() => planFromManifest(old, checksumOf(old))).toThrow('REFUSED: the manifest is in format 1, this runner reads format 2: re-run cdktf synth with this version');
});
