// What the runner is told about each step, decided at synth with the parser: the tables it
// locks, the index a step outside a transaction builds or drops, whether a retry is safe.
import { parseMigration } from '../../lib/migrations/migration-file';
import { plannedMigration } from '../../lib/migrations/migration-plan';
import { loadSqlParser } from '../../lib/sql/parser';
import { transactionProblems } from '../../lib/migrations/transaction-check';

beforeAll(loadSqlParser);

const planned = (body: string[], header: string[] = []) =>
  plannedMigration(parseMigration('20260101_000000_datahub_x.sql', ['-- service: datahub', '-- parent: none', ...header, '', ...body, ''].join('\n')));

test('each step with its tables, index, retry safety and offline mark', () => {
  const migration = planned([
    '-- +up',
    '-- +step',
    'ALTER TABLE datahub.klines ADD CONSTRAINT k_fk FOREIGN KEY (s) REFERENCES symbols (id) NOT VALID;',
    '-- +step outside transaction',
    'CREATE INDEX CONCURRENTLY k_idx ON datahub.klines (s);',
    '-- +step offline',
    'ALTER TABLE datahub.klines ALTER COLUMN c TYPE text;',
    '-- +step outside transaction',
    'REINDEX INDEX CONCURRENTLY datahub.k_idx;',
    '-- +down',
    '-- +step outside transaction',
    'DROP INDEX CONCURRENTLY "datahub"."k_idx";',
  ]);
  expect(migration.upSteps.map(({ transactional, tables, retrySafe, index, offline, line }) => ({ transactional, tables, retrySafe, index, offline, line }))).toEqual([
    { transactional: true, tables: ['"datahub"."klines"', '"datahub"."symbols"'], retrySafe: true, index: undefined, offline: false, line: 6 },
    { transactional: false, tables: ['"datahub"."klines"'], retrySafe: true, index: { schema: 'datahub', name: 'k_idx', table: '"datahub"."klines"', action: 'create' }, offline: false, line: 8 },
    { transactional: true, tables: ['"datahub"."klines"'], retrySafe: true, index: undefined, offline: true, line: 10 },
    // REINDEX CONCURRENTLY that fails leaves _ccnew indexes behind: a person decides.
    { transactional: false, tables: ['"datahub"."k_idx"'], retrySafe: false, index: undefined, offline: false, line: 12 },
  ]);
  expect(migration.downSteps[0]).toMatchObject({ transactional: false, index: { schema: 'datahub', name: 'k_idx', action: 'drop' }, retrySafe: true });
});

test('a file whose header says transactional: false runs statement by statement, each its own step', () => {
  const migration = planned(['-- +up', 'CREATE INDEX CONCURRENTLY a_idx ON t (a);', 'VACUUM t;', '-- +down', 'DROP INDEX a_idx;'], ['-- transactional: false']);
  expect(migration.upSteps.map((s) => [s.sql, s.transactional, s.retrySafe, s.line])).toEqual([
    // Unqualified, the index lands wherever the search path finds t: a retry could not find it.
    ['CREATE INDEX CONCURRENTLY a_idx ON t (a)', false, false, 6],
    ['VACUUM t', false, true, 7],
  ]);
  expect(migration.downSteps.map((s) => s.transactional)).toEqual([false]);
});

test('an index built CONCURRENTLY without a name cannot be found again: not safe to retry', () => {
  expect(planned(['-- +up', '-- +step outside transaction', 'CREATE INDEX CONCURRENTLY ON datahub.t (a);', '-- +down']).upSteps[0]).toMatchObject({ retrySafe: false });
});

test('a step line inside a statement cuts it in two: check says so, naming the line, and the plan is not built', () => {
  const text = ['-- service: datahub', '-- parent: none', '', '-- +up', '-- +step', 'ALTER TABLE datahub.klines', '-- +step', 'ADD COLUMN v int;', '-- +down', ''].join('\n');
  const migration = parseMigration('20260101_000000_datahub_x.sql', text);
  expect(transactionProblems(migration)).toEqual([
    'the step at line 6 does not parse on its own (syntax error at end of input): is a "-- +step" line inside a statement? Put it between two statements',
    'the step at line 8 does not parse on its own (syntax error at or near "ADD"): is a "-- +step" line inside a statement? Put it between two statements',
  ]);
  expect(() => plannedMigration(migration)).toThrow('20260101_000000_datahub_x.sql: the step at line 6 does not parse on its own');
});
