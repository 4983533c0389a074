// The lint rules (BEDROCK-L*), each with a migration it flags (the message asserted: rule, file
// and line, the lock and what it blocks, whether it reads or rewrites the table, why, the safe
// form) and one it passes; a table created in the same migration is no risk; an acknowledgement
// with a reason silences a rule; a risk in a down is a warning; generate's online forms pass.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { bigint, diffSchemas, findingText, integer, judgeMigration, Migration, schemaChange, statementContext, Table, text } from '../../lib';
import { migrationDirectoryOf } from '../../lib/project';
import { testProject } from '../support/project';
import { formatMigration, parseMigration } from '../../lib/migrations/migration-file';
import { LINT_RULES } from '../../lib/lint/lint-rules';
import { loadSqlParser } from '../../lib/sql/parser';
import { testRegistry } from '../support/app';

beforeAll(loadSqlParser);

const ID = '20260101_120000_portfolio_hand_edited';
const context = statementContext('portfolio', testRegistry);

/** A migration whose up starts on line 6 (steps marked in `up` as written). */
function migration(up: string, down = ''): Migration {
  return parseMigration(`${ID}.sql`, [`-- Migration ${ID}`, '-- service: portfolio', '-- parent: none', '', '-- +up', up, '', '-- +down', down, ''].join('\n'));
}

/** `[severity] rule: message`, the lint findings only. */
function lint(up: string, down = ''): string[] {
  const ids = new Set(LINT_RULES.map((r) => r.id));
  return judgeMigration(migration(up, down), context)
    .filter((f) => ids.has(f.rule))
    .map((f) => `${f.severity} ${findingText(f)}`);
}

const at = (line: number, rule: string, message: string, severity = 'error') => `${severity} portfolio: ${ID}.sql line ${line}: [${rule}] ${message}`;

const cases: [string, string, string[], string][] = [
  [
    'BEDROCK-L1 CREATE INDEX without CONCURRENTLY',
    'CREATE INDEX trades_symbol_idx ON portfolio.trades (symbol);',
    [at(6, 'BEDROCK-L1', 'CREATE INDEX builds index trades_symbol_idx on portfolio.trades: SHARE lock (blocks writes), reads the whole table. Every write to the table waits until the build ends (minutes on millions of rows). Safe form: CREATE INDEX CONCURRENTLY, alone in a `-- +step outside transaction` step')],
    '-- +step outside transaction\nCREATE INDEX CONCURRENTLY trades_symbol_idx ON portfolio.trades (symbol);',
  ],
  [
    'BEDROCK-L1 DROP INDEX without CONCURRENTLY',
    'DROP INDEX portfolio.trades_symbol_idx;',
    [at(6, 'BEDROCK-L1', 'DROP INDEX drops an index on the table of index portfolio.trades_symbol_idx: ACCESS EXCLUSIVE lock (blocks reads and writes). Its lock request waits behind every running query on the table, and every later read and write waits behind it. Safe form: DROP INDEX CONCURRENTLY, alone in a `-- +step outside transaction` step')],
    '-- +step outside transaction\nDROP INDEX CONCURRENTLY portfolio.trades_symbol_idx;',
  ],
  [
    'BEDROCK-L2 a check added valid',
    'ALTER TABLE portfolio.trades ADD CONSTRAINT trades_qty_check CHECK (qty > 0);',
    [at(6, 'BEDROCK-L2', 'ALTER TABLE adds check trades_qty_check on portfolio.trades: ACCESS EXCLUSIVE lock (blocks reads and writes), reads the whole table. No read or write of the table goes through until every row is checked. Safe form: ADD CONSTRAINT trades_qty_check CHECK (...) NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT trades_qty_check in a `-- +step` of its own')],
    '-- +step\nALTER TABLE portfolio.trades ADD CONSTRAINT trades_qty_check CHECK (qty > 0) NOT VALID;\n-- +step\nALTER TABLE portfolio.trades VALIDATE CONSTRAINT trades_qty_check;',
  ],
  [
    'BEDROCK-L2 a foreign key added valid',
    'ALTER TABLE portfolio.trades ADD CONSTRAINT trades_position_fkey FOREIGN KEY (position_id) REFERENCES portfolio.positions (id);',
    [at(6, 'BEDROCK-L2', 'ALTER TABLE adds foreign key trades_position_fkey (to portfolio.positions) on portfolio.trades: SHARE ROW EXCLUSIVE lock (blocks writes), reads the whole table. No write to either table goes through until every row is checked against portfolio.positions. Safe form: ADD CONSTRAINT trades_position_fkey FOREIGN KEY ... NOT VALID, then VALIDATE CONSTRAINT trades_position_fkey in a `-- +step` of its own')],
    'ALTER TABLE portfolio.trades ADD CONSTRAINT trades_position_fkey FOREIGN KEY (position_id) REFERENCES portfolio.positions (id) NOT VALID;',
  ],
  [
    'BEDROCK-L3 SET NOT NULL without a validated check',
    'ALTER TABLE portfolio.trades ALTER COLUMN qty SET NOT NULL;',
    [at(6, 'BEDROCK-L3', 'ALTER TABLE sets NOT NULL on qty on portfolio.trades: ACCESS EXCLUSIVE lock (blocks reads and writes), reads the whole table. No read or write of the table goes through until every row is checked. Safe form: ADD CONSTRAINT c CHECK (qty IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT c (its own step); then SET NOT NULL and DROP CONSTRAINT c')],
    '-- +step\nALTER TABLE portfolio.trades ADD CONSTRAINT q_nn CHECK (qty IS NOT NULL) NOT VALID;\n-- +step\nALTER TABLE portfolio.trades VALIDATE CONSTRAINT q_nn;\n-- +step\nALTER TABLE portfolio.trades ALTER COLUMN qty SET NOT NULL;\nALTER TABLE portfolio.trades DROP CONSTRAINT q_nn;',
  ],
  [
    'BEDROCK-L4 a step marked offline',
    '-- +step offline\nALTER TABLE portfolio.trades ALTER COLUMN qty TYPE text;',
    [at(7, 'BEDROCK-L4', 'ALTER TABLE rewrites the table on portfolio.trades: ACCESS EXCLUSIVE lock (blocks reads and writes), rewrites the whole table. No read or write of the table goes through until every row is rewritten; the environment may refuse it above offlineChangeMaxRows. Safe form: expand/contract (a new column, written by both versions, backfilled in batches, readers moved, then the old one dropped), or acknowledge with the reason it is acceptable (a small table, a maintenance window)')],
    '-- bedrock:acknowledge BEDROCK-L4 trades holds 300 rows in every environment (checked 2026-11-25)\n-- +step offline\nALTER TABLE portfolio.trades ALTER COLUMN qty TYPE text;',
  ],
  [
    'BEDROCK-L5 a type change outside an offline step (warning)',
    'ALTER TABLE portfolio.trades ALTER COLUMN note TYPE varchar(200);',
    [at(6, 'BEDROCK-L5', 'ALTER TABLE changes the type of note on portfolio.trades: ACCESS EXCLUSIVE lock (blocks reads and writes), rewrites the whole table. Unless the new type keeps the storage (a longer varchar, more numeric precision), every row is rewritten while nothing reads or writes the table. Safe form: a storage-keeping change, or expand/contract (a new column, backfilled in batches, then switched to); mark a rewrite `-- +step offline`', 'warning')],
    'ALTER TABLE portfolio.trades ADD COLUMN note2 varchar(200);',
  ],
  [
    'BEDROCK-L6 a column with a volatile default',
    'ALTER TABLE portfolio.trades ADD COLUMN salt double precision DEFAULT random();',
    [at(6, 'BEDROCK-L6', 'ALTER TABLE adds column salt with a volatile default on portfolio.trades: ACCESS EXCLUSIVE lock (blocks reads and writes), rewrites the whole table. Every row is written with its own value while nothing reads or writes the table. Safe form: add salt without the default (or as a plain column), set the default for new rows, backfill old rows in batches; or mark the step `-- +step offline` and acknowledge BEDROCK-L4')],
    "ALTER TABLE portfolio.trades ADD COLUMN added_at timestamptz DEFAULT now(), ADD COLUMN venue text DEFAULT 'x';",
  ],
  [
    'BEDROCK-L6 an identity column',
    'ALTER TABLE portfolio.trades ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;',
    [at(6, 'BEDROCK-L6', 'ALTER TABLE adds column seq numbered from a sequence on portfolio.trades: ACCESS EXCLUSIVE lock (blocks reads and writes), rewrites the whole table. Every row is written with its own value while nothing reads or writes the table. Safe form: add seq without the default (or as a plain column), set the default for new rows, backfill old rows in batches; or mark the step `-- +step offline` and acknowledge BEDROCK-L4')],
    'ALTER TABLE portfolio.trades ADD COLUMN seq bigint;',
  ],
  [
    'BEDROCK-L7 a dropped column (warning)',
    'ALTER TABLE portfolio.trades DROP COLUMN note;',
    [at(6, 'BEDROCK-L7', 'ALTER TABLE drops column note on portfolio.trades: ACCESS EXCLUSIVE lock (blocks reads and writes). Its data is gone, and every service still reading it fails. Safe form: contract last: stop every reader first (readers are declared in `reads`), then drop', 'warning')],
    "COMMENT ON COLUMN portfolio.trades.note IS 'deprecated: read note_v2';",
  ],
  [
    'BEDROCK-L8 a renamed column (warning)',
    'ALTER TABLE portfolio.trades RENAME COLUMN qty TO quantity;',
    [at(6, 'BEDROCK-L8', 'ALTER TABLE renames column qty to quantity on portfolio.trades: ACCESS EXCLUSIVE lock (blocks reads and writes). Every query naming the old name fails from then on, in this service and in every service reading it. Safe form: expand/contract: add the new column (or a view under the new name), write both, move readers, then drop the old one', 'warning')],
    'ALTER TABLE portfolio.trades ADD COLUMN quantity integer;',
  ],
  [
    'BEDROCK-L9 ACCESS EXCLUSIVE after raising lock_timeout',
    "SET LOCAL lock_timeout = '1min';\nALTER TABLE portfolio.trades ADD COLUMN venue text;",
    [at(7, 'BEDROCK-L9', "ALTER TABLE waits up to 60000 ms for its lock (SET LOCAL lock_timeout earlier in the step) on portfolio.trades: ACCESS EXCLUSIVE lock (blocks reads and writes). While its request waits, every later read and write of the table queues behind it. Safe form: remove the SET LOCAL lock_timeout: the runner's short timeout and its retries (lockTimeoutMs, lockRetries per environment) wait without queueing everyone")],
    "SET LOCAL lock_timeout = '1s';\nALTER TABLE portfolio.trades ADD COLUMN venue text;",
  ],
  [
    'BEDROCK-L10 a unique key built in place',
    'ALTER TABLE portfolio.trades ADD CONSTRAINT trades_ref_key UNIQUE (ref);',
    [at(6, 'BEDROCK-L10', 'ALTER TABLE builds UNIQUE trades_ref_key in place on portfolio.trades: ACCESS EXCLUSIVE lock (blocks reads and writes), reads the whole table. No read or write of the table goes through for the whole index build. Safe form: CREATE UNIQUE INDEX CONCURRENTLY trades_ref_key ON ... (its own `-- +step outside transaction`), then ADD CONSTRAINT trades_ref_key UNIQUE USING INDEX trades_ref_key')],
    '-- +step outside transaction\nCREATE UNIQUE INDEX CONCURRENTLY trades_ref_key ON portfolio.trades (ref);\n-- +step\nALTER TABLE portfolio.trades ADD CONSTRAINT trades_ref_key UNIQUE USING INDEX trades_ref_key;',
  ],
  [
    'BEDROCK-L11 CONCURRENTLY inside a transaction',
    'CREATE INDEX CONCURRENTLY trades_symbol_idx ON portfolio.trades (symbol);',
    [at(6, 'BEDROCK-L11', 'CREATE INDEX runs CREATE INDEX CONCURRENTLY inside a transaction on portfolio.trades: SHARE UPDATE EXCLUSIVE lock (blocks nothing), reads the whole table. PostgreSQL refuses it in a transaction block: the deploy stops there. Safe form: put a `-- +step outside transaction` line above it, alone in its step')],
    '-- +step outside transaction\nCREATE INDEX CONCURRENTLY trades_symbol_idx ON portfolio.trades (symbol);',
  ],
  [
    'BEDROCK-L12 DELETE without WHERE',
    'DELETE FROM portfolio.trades;',
    [at(6, 'BEDROCK-L12', 'DELETE FROM deletes every row on portfolio.trades: ROW EXCLUSIVE lock (blocks nothing), rewrites the whole table. Every row is changed in one transaction (each row locked against other writers until it commits, a table-sized WAL burst). Safe form: a WHERE clause, in batches in steps of their own; or acknowledge with the reason (a backfill of a new column)')],
    "DELETE FROM portfolio.trades WHERE symbol = 'TEST';",
  ],
  [
    'BEDROCK-L12 TRUNCATE',
    'TRUNCATE portfolio.trades;',
    [at(6, 'BEDROCK-L12', 'TRUNCATE empties the table on portfolio.trades: ACCESS EXCLUSIVE lock (blocks reads and writes). Every row is gone, for every service reading it. Safe form: delete what must go with a WHERE, in batches; or acknowledge with the reason')],
    "UPDATE portfolio.trades SET note = 'x' WHERE note IS NULL AND id < 1000;",
  ],
];

describe.each(cases)('%s', (_label, flagged, expected, safe) => {
  test('flagged, with its lock, its work, why and the safe form', () => {
    expect(lint(flagged)).toEqual(expected);
  });
  test('the safe form passes', () => {
    expect(lint(safe)).toEqual([]);
  });
});

test('every lint rule has a case above', () => {
  const covered = new Set(cases.map(([label]) => label.split(' ')[0]));
  expect(LINT_RULES.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
});

test('on a table created earlier in the same migration, nothing is a risk (it is empty), in the up and in its down', () => {
  const up = [
    'CREATE TABLE portfolio.fills (id bigint, qty int, note text);',
    'CREATE INDEX fills_qty_idx ON portfolio.fills (qty);',
    'ALTER TABLE portfolio.fills ADD CONSTRAINT fills_qty_check CHECK (qty > 0), ALTER COLUMN qty SET NOT NULL, ADD CONSTRAINT fills_id_key UNIQUE (id);',
    'ALTER TABLE portfolio.fills ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;',
  ].join('\n');
  expect(lint(up, 'DROP TABLE portfolio.fills;')).toEqual([]);
  // The same statements on an existing table are risks.
  expect(lint(up.split('\n').slice(1).join('\n').replaceAll('fills', 'trades')).length).toBeGreaterThanOrEqual(5);
});

test('an acknowledgement with a reason silences its rule in that file; one without a reason is itself a finding', () => {
  expect(lint('-- bedrock:acknowledge BEDROCK-L1 trades holds 40 rows: the build takes milliseconds\nCREATE INDEX trades_symbol_idx ON portfolio.trades (symbol);')).toEqual([]);
  expect(judgeMigration(migration('-- bedrock:acknowledge BEDROCK-L1\nCREATE INDEX i ON portfolio.trades (symbol);'), context).map(findingText)).toEqual([
    expect.stringContaining('line 6: [BEDROCK-L1] the acknowledgement has no reason'),
    expect.stringContaining('line 7: [BEDROCK-L1] CREATE INDEX builds index i'),
  ]);
  // PostgreSQL refuses CONCURRENTLY in a transaction whatever the reason: not acknowledgeable.
  expect(judgeMigration(migration('-- bedrock:acknowledge BEDROCK-L11 sure\nSELECT 1;'), context).map(findingText)).toEqual([expect.stringContaining('OutsideTransactionOnly cannot be acknowledged')]);
});

test('a risk in a down is a warning: downs run only where downgrades are allowed', () => {
  expect(lint('SELECT 1;', 'CREATE INDEX trades_symbol_idx ON portfolio.trades (symbol);')).toEqual([expect.stringMatching(/^warning portfolio: \S+ line 9: \[BEDROCK-L1\] CREATE INDEX builds index/)]);
});

test("generate's online forms pass the lint; its offline steps are to acknowledge; a rewrite in a down is a warning", () => {
  const int = { kind: 'builtin', name: 'integer' } as const;
  const table = (extra: object, type: object = int) => ({
    service: 'portfolio',
    schema: 'portfolio',
    enums: [],
    tables: [{ schema: 'portfolio', name: 'trades', columns: [{ name: 'id', type: int, notNull: true }, { name: 'qty', type, notNull: false }, { name: 'ref', type: int, notNull: false }], primaryKey: { name: 'trades_pkey', columns: ['id'] }, uniques: [], checks: [], indexes: [], foreignKeys: [], ...extra }],
  });
  const written = (before: object, after: object) => {
    const change = schemaChange(diffSchemas(before as never, after as never));
    const text = formatMigration({ id: ID, service: 'portfolio', summary: change.summary, destructive: [], up: change.upSteps, down: change.downSteps });
    const ids = new Set(LINT_RULES.map((r) => r.id));
    return judgeMigration(parseMigration(`${ID}.sql`, text), context).filter((f) => ids.has(f.rule)).map((f) => `${f.severity} ${f.rule}`);
  };
  const online = { indexes: [{ name: 'trades_qty_idx', columns: [{ column: 'qty' }], unique: false, method: 'btree' }], checks: [{ name: 'trades_qty_check', expression: 'qty > 0' }], uniques: [{ name: 'trades_ref_key', columns: ['ref'] }] };
  expect(written(table({}), table(online))).toEqual([]);
  expect(written(table({}), table({}, { kind: 'builtin', name: 'text' }))).toEqual(['error BEDROCK-L4', 'warning BEDROCK-L4']);
});

test('a generated rewrite is written, said to need an acknowledgement, and fails check until a person acknowledges it with a reason', async () => {
  const project = testProject();
  project.tables.datahub = (stack) => {
    new Table(stack, 'klines', { columns: { id: bigint().generatedAlwaysAsIdentity(), close: integer() }, primaryKey: ['id'] });
  };
  expect((await project.cli('generate', 'datahub', 'add_klines')).code).toBe(0);
  project.tables.datahub = (stack) => {
    new Table(stack, 'klines', { columns: { id: bigint().generatedAlwaysAsIdentity(), close: text() }, primaryKey: ['id'] });
  };
  const generated = await project.cli('generate', 'datahub', 'close_as_text', '--accept-data-loss');
  expect(generated.code).toBe(0);
  expect(generated.out).toContain('NOT ONLINE: change type of datahub.klines.close from integer to text: ACCESS EXCLUSIVE while it rewrites the table');
  expect(generated.out).toContain('TO ACKNOWLEDGE before `check` and synth pass');
  expect(generated.out).toMatch(/\[BEDROCK-L4\] ALTER TABLE rewrites the table on datahub\.klines/);

  const refused = await project.cli('check', 'datahub');
  expect(refused.code).toBe(8);
  expect(refused.err).toMatch(/_datahub_close_as_text\.sql line \d+: \[BEDROCK-L4\]/);
  // The rollback's rewrite is a warning, printed.
  expect(refused.out).toMatch(/warning: datahub: \S+_close_as_text\.sql line \d+: \[BEDROCK-L4\]/);

  const dir = migrationDirectoryOf(project, 'datahub').directory;
  const file = readdirSync(dir).find((f) => f.endsWith('_close_as_text.sql'))!;
  const text0 = readFileSync(path.join(dir, file), 'utf8');
  writeFileSync(path.join(dir, file), text0.replace('-- +up\n', '-- +up\n-- bedrock:acknowledge BEDROCK-L4 klines is empty until datahub ships\n'));
  expect((await project.cli('rehash', 'datahub')).code).toBe(0);
  const accepted = await project.cli('check', 'datahub');
  expect(accepted.code).toBe(0);
  // An acknowledgement holds for its file: the rollback's rewrite is reviewed with it.
  expect(accepted.out).not.toContain('BEDROCK-L4');
});
