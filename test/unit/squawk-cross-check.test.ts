// Our lint cross-checked with squawk (npm squawk-cli, a PostgreSQL migration linter). Every
// migration of a corpus (a model edited one step at a time through `generate`, and the Bedrock
// app's own migrations) is written out as the runner runs it: its session settings first, each
// transactional step wrapped in BEGIN/COMMIT, each step outside a transaction alone. Each squawk
// finding must either match a lint finding of ours on the same statement, or be a known
// difference explained below; anything else is a bug, in our lint or in the generated SQL.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ColumnModel, generateMigration, judgeMigration, Migration, MigrationDirectory, ServiceSchema, SqlType, statementContext, TableModel } from '../../lib';
import { LINT_RULES } from '../../lib/lint/lint-rules';
import { stepStatements } from '../../lib/migrations/planned-steps';
import { parseMigration } from '../../lib/migrations/migration-file';
import { migrationDirectoryOf } from '../../lib/project';
import { loadSqlParser } from '../../lib/sql/parser';
import { bedrockProject } from '../../stacks';
import { testRegistry } from '../support/app';

const SQUAWK = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'squawk');
const available = spawnSync(SQUAWK, ['--version']).status === 0;
if (!available) console.log('SKIPPED test/unit/squawk-cross-check.test.ts: the squawk binary (npm squawk-cli, a platform package) is not installed for this platform');

/** Which of our rules say the same as a squawk rule (on the same statement). */
const SAME_AS: Readonly<Record<string, readonly string[]>> = {
  'require-concurrent-index-creation': ['BEDROCK-L1'],
  'require-concurrent-index-deletion': ['BEDROCK-L1'],
  // squawk says it of a UNIQUE built in place too (which cannot be NOT VALID): our L10 says how.
  'constraint-missing-not-valid': ['BEDROCK-L2', 'BEDROCK-L10'],
  'adding-foreign-key-constraint': ['BEDROCK-L2'],
  'adding-not-nullable-field': ['BEDROCK-L3'],
  'changing-column-type': ['BEDROCK-L4', 'BEDROCK-L5'],
  'adding-field-with-default': ['BEDROCK-L6', 'BEDROCK-L4'],
  'ban-drop-column': ['BEDROCK-L7'],
  'ban-drop-table': ['BEDROCK-L7'],
  'renaming-column': ['BEDROCK-L8'],
  'renaming-table': ['BEDROCK-L8'],
  'disallowed-unique-constraint': ['BEDROCK-L10'],
  'adding-serial-primary-key-field': ['BEDROCK-L10'],
  'ban-concurrent-index-creation-in-transaction': ['BEDROCK-L11'],
};

/**
 * Squawk findings that are not risks here, and why. Each is checked to still occur (a stale
 * explanation fails the test too), so this list is what squawk and we really disagree on.
 */
const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {
  'prefer-robust-stmts':
    'squawk wants IF NOT EXISTS so a file can be rerun after failing part way; the runner records each step in its ledger and resumes at the failed one (an INVALID index dropped first), so every generated statement runs exactly once',
  'prefer-bigint-over-int': 'a column type is the model\'s choice (the model rules judge tables), not a migration safety question',
  'prefer-bigint-over-smallint': 'a column type is the model\'s choice (backtesting keeps the seed\'s smallint), not a migration safety question',
  'ban-char-field': 'char(n) is the seed\'s column type (mlops), kept by the model; a type choice, not a migration safety question',
};

/** A statement of a migration's up. */
interface Statement {
  readonly sql: string;
  /** Its line in the migration file (where our findings point). */
  readonly line: number;
}

interface StepFile {
  readonly path: string;
  readonly migration: Migration;
  /** The file line (1-based) each statement starts on, and the statement. */
  readonly lines: readonly { readonly at: number; readonly statement: Statement }[];
}

/**
 * One file per migration's up, written as the runner runs it: the session settings it pins,
 * then each step, a transactional one between BEGIN and COMMIT, one outside a transaction alone
 * (in one file, squawk sees a check validated in an earlier step before SET NOT NULL).
 */
function migrationFiles(directory: string, migrations: readonly Migration[]): StepFile[] {
  return migrations.map((migration) => {
    const body = [`SET lock_timeout = '500ms';`, `SET statement_timeout = '900s';`];
    const lines: { at: number; statement: Statement }[] = [];
    for (const step of migration.upSteps) {
      const transactional = step.mode !== 'outside transaction';
      if (transactional) body.push('BEGIN;');
      for (const s of stepStatements(step, `${migration.id}.sql`)) {
        lines.push({ at: body.length + 1, statement: { sql: `${s.sql};`, line: s.line } });
        body.push(...`${s.sql};`.split('\n'));
      }
      if (transactional) body.push('COMMIT;');
    }
    const file = path.join(directory, `${migration.id}.sql`);
    writeFileSync(file, `${body.join('\n')}\n`);
    return { path: file, migration, lines };
  });
}

interface SquawkFinding {
  readonly file: string;
  /** 0-based. */
  readonly line: number;
  readonly rule_name: string;
  readonly message: string;
}

function squawk(files: readonly string[]): SquawkFinding[] {
  const run = spawnSync(SQUAWK, ['--reporter', 'json', '--pg-version', '14.0', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw run.error;
  return JSON.parse(run.stdout || '[]') as SquawkFinding[];
}

// ---- the corpus: one model edited one step at a time, each step written by `generate` ----

const int: SqlType = { kind: 'builtin', name: 'integer' };
const big: SqlType = { kind: 'builtin', name: 'bigint' };
const txt: SqlType = { kind: 'builtin', name: 'text' };
const col = (name: string, type: SqlType = int, extra: Partial<ColumnModel> = {}): ColumnModel => ({ name, type, notNull: false, ...extra });
const table = (name: string, columns: ColumnModel[], extra: Partial<TableModel> = {}): TableModel => ({ schema: 'portfolio', name, columns, uniques: [], checks: [], indexes: [], foreignKeys: [], ...extra });
const schema = (...tables: TableModel[]): ServiceSchema => ({ service: 'portfolio', schema: 'portfolio', enums: [], tables });

const positions = table('positions', [col('id', big, { notNull: true })], { primaryKey: { name: 'positions_pkey', columns: ['id'] } });
function trades(extra: Partial<TableModel> = {}, columns: ColumnModel[] = [col('id', big, { notNull: true }), col('qty'), col('ref', big), col('note', txt)]): TableModel {
  return table('trades', columns, { primaryKey: { name: 'trades_pkey', columns: ['id'] }, ...extra });
}
const index = { indexes: [{ name: 'trades_qty_idx', columns: [{ column: 'qty' }], unique: false, method: 'btree' as const }] };
const check = { ...index, checks: [{ name: 'trades_qty_check', expression: 'qty > 0' }] };
const fk = { ...check, foreignKeys: [{ name: 'trades_ref_fkey', columns: ['ref'], references: { schema: 'portfolio', table: 'positions', columns: ['id'] }, onDelete: 'no action' as const, onUpdate: 'no action' as const }] };
const unique = { ...fk, uniques: [{ name: 'trades_ref_key', columns: ['ref'] }] };
const notNullQty = [col('id', big, { notNull: true }), col('qty', int, { notNull: true }), col('ref', big), col('note', txt)];

const EDITS: readonly [string, ServiceSchema][] = [
  ['create_tables', schema(positions, trades())],
  ['add_index', schema(positions, trades(index))],
  ['add_check', schema(positions, trades(check))],
  ['add_foreign_key', schema(positions, trades(fk))],
  ['add_unique', schema(positions, trades(unique))],
  ['qty_not_null', schema(positions, trades(unique, notNullQty))],
  ['qty_bigint', schema(positions, trades(unique, [col('id', big, { notNull: true }), col('qty', big, { notNull: true }), col('ref', big), col('note', txt)]))],
  ['add_opened_at', schema(positions, trades(unique, [col('id', big, { notNull: true }), col('qty', big, { notNull: true }), col('ref', big), col('note', txt), col('opened_at', { kind: 'builtin', name: 'timestamp with time zone' }, { default: { kind: 'expression', sql: 'now()' } })]))],
  ['rename_note', schema(positions, trades(unique, [col('id', big, { notNull: true }), col('qty', big, { notNull: true }), col('ref', big), col('comment', txt, { renamedFrom: 'note' })]))],
  ['drop_comment', schema(positions, trades(unique, [col('id', big, { notNull: true }), col('qty', big, { notNull: true }), col('ref', big)]))],
  ['drop_index', schema(positions, trades({ ...unique, indexes: [] }, [col('id', big, { notNull: true }), col('qty', big, { notNull: true }), col('ref', big)]))],
];

/** Hand-written migrations on a table that holds rows, each in the unsafe form our lint flags. */
const HAND_WRITTEN: readonly [string, string][] = [
  ['index', 'CREATE INDEX trades_note_idx ON portfolio.trades (ref);'],
  ['drop_index', 'DROP INDEX portfolio.trades_qty_idx;'],
  ['check', 'ALTER TABLE portfolio.trades ADD CONSTRAINT trades_ref_check CHECK (ref > 0);'],
  ['foreign_key', 'ALTER TABLE portfolio.trades ADD CONSTRAINT trades_ref2_fkey FOREIGN KEY (ref) REFERENCES portfolio.positions (id);'],
  ['not_null', 'ALTER TABLE portfolio.trades ALTER COLUMN ref SET NOT NULL;'],
  ['volatile_default', 'ALTER TABLE portfolio.trades ADD COLUMN salt double precision DEFAULT random();'],
  ['unique', 'ALTER TABLE portfolio.trades ADD CONSTRAINT trades_ref2_key UNIQUE (ref);'],
  ['concurrently_in_transaction', 'CREATE INDEX CONCURRENTLY trades_ref3_idx ON portfolio.trades (ref);'],
];

function handWritten(): Migration[] {
  return HAND_WRITTEN.map(([name, up], i) => {
    const id = `20270101_00000${i}_portfolio_${name}`;
    return parseMigration(`${id}.sql`, [`-- Migration ${id}`, '-- service: portfolio', '-- parent: none', '', '-- +up', up, '', '-- +down', ''].join('\n'));
  });
}

let work: string;
let corpus: { migrations: readonly Migration[]; service: string }[];

beforeAll(async () => {
  await loadSqlParser();
  work = mkdtempSync(path.join(tmpdir(), 'bedrock-squawk-'));
  const directory = new MigrationDirectory(path.join(work, 'migrations'), 'portfolio', 'portfolio');
  EDITS.forEach(([description, model], i) => {
    generateMigration({ directory, model, description, acceptDataLoss: true, now: new Date(Date.UTC(2026, 0, 1, 0, i)) });
  });
  corpus = [
    { service: 'portfolio', migrations: directory.read().migrations },
    { service: 'portfolio', migrations: handWritten() },
    ...bedrockProject.registry.names.map((service) => ({ service, migrations: migrationDirectoryOf(bedrockProject, service).read().migrations })),
  ];
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

(available ? test : test.skip)('every squawk finding on the corpus matches a lint finding of ours, or is a known difference explained above', () => {
  const lintIds = new Set(LINT_RULES.map((r) => r.id));
  const files = corpus.flatMap(({ migrations }) => migrationFiles(work, migrations));
  expect(corpus[0].migrations.map((m) => m.id.replace(/^\d{8}_\d{6}_portfolio_/, ''))).toEqual(EDITS.map(([d]) => d));
  const byPath = new Map(files.map((f) => [f.path, f]));
  const unexplained: string[] = [];
  const seenDifferences = new Set<string>();
  const agreements = new Map<string, number>();
  for (const finding of squawk(files.map((f) => f.path))) {
    const file = byPath.get(finding.file)!;
    const at = [...file.lines].reverse().find((l) => l.at <= finding.line + 1);
    const where = `${path.basename(finding.file)} line ${finding.line + 1}${at ? ` (${at.statement.sql.split('\n')[0].slice(0, 90)})` : ''}`;
    if (finding.rule_name in KNOWN_DIFFERENCES) {
      seenDifferences.add(finding.rule_name);
      continue;
    }
    const ours = at ? judgeMigration(file.migration, statementContext(file.migration.service, testRegistry)).filter((f) => lintIds.has(f.rule) && f.line === at.statement.line).map((f) => f.rule) : [];
    const expected = SAME_AS[finding.rule_name] ?? [];
    if (expected.some((rule) => ours.includes(rule))) {
      agreements.set(finding.rule_name, (agreements.get(finding.rule_name) ?? 0) + 1);
      continue;
    }
    unexplained.push(`${where}: squawk ${finding.rule_name} (${finding.message}); ours: ${ours.join(', ') || 'nothing'}`);
  }
  console.log(
    `squawk cross-check: ${files.length} migrations; agreements ${JSON.stringify(Object.fromEntries(agreements))}; known differences seen: ${[...seenDifferences].join(', ')}`,
  );
  expect(unexplained).toEqual([]);
  // Every explanation above is still needed, and squawk agrees with us where it should.
  expect([...Object.keys(KNOWN_DIFFERENCES)].filter((rule) => !seenDifferences.has(rule))).toEqual([]);
  for (const rule of ['changing-column-type', 'require-concurrent-index-creation', 'constraint-missing-not-valid', 'adding-not-nullable-field', 'disallowed-unique-constraint']) {
    expect([rule, agreements.get(rule) ?? 0]).toEqual([rule, expect.any(Number)]);
    expect(agreements.get(rule)).toBeGreaterThan(0);
  }
});
