// Property: whatever the model's strings hold (quotes, backslashes, newlines followed by
// `-- +up`, NUL, bidi marks, any Unicode), either the model is refused at construction with a
// message naming the construct, or `generate` writes a file that parses back to exactly the
// statements generated, and after migrating on PostgreSQL the catalog shows every value
// verbatim; rolling back leaves nothing. Seeded: a failure prints the seed and the strings.
//   BEDROCK_PROPERTY_SEED=<n> BEDROCK_PROPERTY_CASES=<n>  (npm run property:long runs 1,000)
import * as pgQuery from 'libpg-query';
import { EnumType, ModelError, ServiceStack, Table, text } from '../../lib';
import { generateMigration } from '../../lib/migrations/generate';
import { parseMigration } from '../../lib/migrations/migration-file';
import { migrationPlan } from '../../lib/migrations/migration-plan';
import { migrationDirectoryOf, modelOf } from '../../lib/project';
import { converge } from '../../lib/runner/runner';
import { quoteLiteral } from '../../lib/sql/literal';
import { splitStatements } from '../../lib/sql/parser';
import { useTestDatabase } from '../support/database';
import { prepareServices } from '../support/platform';
import { testProject } from '../support/project';
import { mulberry32 } from '../support/seeded-random';

const SEED = Number(process.env.BEDROCK_PROPERTY_SEED ?? 20261125);
const CASES = Number(process.env.BEDROCK_PROPERTY_CASES ?? 100);

const db = useTestDatabase();


// What breaks naive quoting, line-based parsing or a reviewer's eye. Visible fragments may go
// anywhere; invisible ones (line breaks, controls, bidi and zero-width marks) are escaped in
// literals and must be refused in names and hand-written expressions.
const VISIBLE = [
  "'", "''", '"', '\\', "\\'", '-- +up', '-- +down', ';', '$$', '$x$', '/*', '*/', "E'", '--', '-- parent: none', '-- bedrock:acknowledge BEDROCK-S3 because',
  'DROP TABLE datahub.x;', 'é', '✓', '𝄞', '中文', ' ', 'a', 'Z', '7', '_', 'select', '%s', '${x}',
];
const INVISIBLE = ['\n', '\r\n', '\t', '\n-- +up\n', '\n-- +down\nDROP TABLE datahub.x;\n', '\u202e', '\u2066', '\u200b', '\u2028', '\ufeff', '\u0085', '\u001b[31m'];

class Strings {
  constructor(private readonly next: () => number) {}

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Any text: visible and invisible fragments, random code points, now and then a NUL. */
  hostile(maxParts = 6): string {
    const parts: string[] = [];
    const count = 1 + Math.floor(this.next() * maxParts);
    for (let i = 0; i < count; i++) {
      if (this.chance(0.1)) parts.push(String.fromCodePoint(0x20 + Math.floor(this.next() * 0x2ffe0)).replace(/[\ud800-\udfff]/g, 'x'));
      else parts.push(this.chance(0.3) ? this.pick(INVISIBLE) : this.pick(VISIBLE));
    }
    if (this.chance(0.03)) parts.splice(Math.floor(this.next() * parts.length), 0, '\u0000');
    return parts.join('');
  }

  /** Text a reviewer can read: what a name or an expression may hold. */
  visible(maxParts = 4): string {
    return Array.from({ length: 1 + Math.floor(this.next() * maxParts) }, () => this.pick(VISIBLE)).join('');
  }

  /** A name: mostly visible and hostile, sometimes plain, sometimes with invisible characters. */
  name(prefix: string): string {
    if (this.chance(0.15)) return `${prefix}_${Math.floor(this.next() * 1000)}`;
    return `${prefix}${this.chance(0.85) ? this.visible(4) : this.hostile(4)}`;
  }
}

interface Model {
  tableName: string;
  columnName: string;
  tableComment: string;
  columnComment: string;
  textDefault: string;
  /** The value of a defaultSql expression (a literal, as a user writes it), or raw hostile SQL. */
  memoDefault: string;
  rawMemoDefault?: string;
  enumValues: string[];
  enumComment: string;
  checkValue: string;
  whereValue: string;
  /** A check written as raw hostile text instead of an expression, now and then. */
  rawCheck?: string;
  order?: string;
  nulls?: string;
  opclass?: string;
  method?: string;
  renamedFrom?: string;
}

function randomModel(s: Strings): Model {
  const values = [s.hostile(3), s.hostile(3)];
  return {
    tableName: s.name('t'),
    columnName: s.name('c'),
    tableComment: s.hostile(),
    columnComment: s.hostile(),
    textDefault: s.hostile(),
    memoDefault: s.hostile(),
    ...(s.chance(0.1) ? { rawMemoDefault: s.hostile() } : {}),
    enumValues: values,
    enumComment: s.hostile(),
    checkValue: s.hostile(),
    whereValue: s.hostile(),
    ...(s.chance(0.1) ? { rawCheck: s.hostile() } : {}),
    ...(s.chance(0.1) ? { order: s.pick(['asc', 'desc', s.hostile(2)]) } : {}),
    ...(s.chance(0.05) ? { nulls: s.pick(['first', 'last', s.hostile(2)]) } : {}),
    ...(s.chance(0.05) ? { opclass: s.pick(['text_pattern_ops', s.visible(2)]) } : {}),
    ...(s.chance(0.05) ? { method: s.pick(['btree', 'hash', s.hostile(2)]) } : {}),
  };
}

/** Any value where the types expect a union, as plain JavaScript may pass; undefined keys dropped. */
const untyped = (props: Record<string, string | undefined>): object => Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined));

/** The next state: every value changed, one enum value added, the table renamed. */
function edited(s: Strings, model: Model): Model {
  return { ...model, tableName: s.name('r'), renamedFrom: model.tableName, tableComment: s.hostile(), textDefault: s.hostile(), enumValues: [...model.enumValues, s.hostile(3)], checkValue: s.hostile() };
}

/**
 * A string literal as a user might write it: standard (quotes doubled; the runner pins
 * standard_conforming_strings on) or through quoteLiteral. NUL goes in raw: the model must refuse it.
 */
const literal = (value: string, s: Strings): string => {
  const raw = `'${value.replace(/'/g, "''")}'`;
  if (value.includes('\u0000')) return raw;
  return /^[ -~\u00a0-\u200a\u2030-\u205f\u2070-\ufefe\uff00-\uffff\u{10000}-\u{10ffff}]*$/u.test(value) || s.chance(0.1) ? (s.chance(0.5) ? raw : quoteLiteral(value)) : quoteLiteral(value);
};

function define(model: Model, s: Strings) {
  const checkLiteral = literal(model.checkValue, s);
  const whereLiteral = literal(model.whereValue, s);
  const memoDefault = model.rawMemoDefault ?? literal(model.memoDefault, s);
  return (stack: ServiceStack) => {
    const kind = new EnumType(stack, 'kind', { values: model.enumValues, comment: model.enumComment });
    new Table(stack, 'notes', {
      name: model.tableName,
      ...(model.renamedFrom !== undefined ? { renamedFrom: model.renamedFrom } : {}),
      comment: model.tableComment,
      columns: {
        id: text().notNull(),
        [model.columnName]: text().default(model.textDefault).comment(model.columnComment),
        label: text(),
        memo: text().defaultSql(memoDefault),
        kind: kind.column().default(model.enumValues[0]),
      },
      primaryKey: ['id'],
      primaryKeyName: 'notes_pk',
      checks: [{ name: 'notes_label_check', expression: model.rawCheck ?? `label <> ${checkLiteral}` }],
      indexes: [
        {
          name: 'notes_label_idx',
          columns: [{ column: 'label', ...untyped({ order: model.order, nulls: model.nulls, opclass: model.opclass }) }],
          ...untyped({ method: model.method }),
          where: `label <> ${whereLiteral}`,
        },
      ],
      acknowledgements: [
        { rule: 'BEDROCK-N1', reason: 'property test: hostile names' },
        { rule: 'BEDROCK-N2', reason: 'property test: hostile names' },
      ],
    });
  };
}

/** Every string constant in an SQL expression, as PostgreSQL's parser reads it. */
function constants(expression: string): string[] {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'sval' && typeof value === 'object' && value !== null && 'sval' in value) found.push((value as { sval: string }).sval);
        else walk(value);
      }
    }
  };
  walk(pgQuery.parseSync(`SELECT ${expression}`).stmts);
  return found;
}

/** Raw SQL that was accepted as a default has no value to compare with; that it applied is the check. */
const RAW = '(raw SQL default, applied)';

async function catalog(model: Model) {
  const { tableName: name, columnName: column } = model;
  const table = await db.query(
    `SELECT c.oid, obj_description(c.oid, 'pg_class') AS comment, col_description(c.oid, a.attnum) AS column_comment
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
      WHERE n.nspname = 'datahub' AND c.relname = $1 AND a.attname = $2`,
    [name, column],
  );
  if (table.rowCount !== 1) return { missing: `table "${name}" with column "${column}"` };
  const oid = table.rows[0].oid;
  const labels = await db.query(`SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'datahub' AND t.typname = 'kind' ORDER BY e.enumsortorder`);
  const enumComment = await db.query(`SELECT obj_description(t.oid, 'pg_type') AS c FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'datahub' AND t.typname = 'kind'`);
  const check = await db.query(`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1 AND conname = 'notes_label_check'`, [oid]);
  const where = await db.query(`SELECT pg_get_expr(i.indpred, i.indrelid) AS def FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'notes_label_idx' AND i.indrelid = $1`, [oid]);
  // The default, evaluated: a row with only its key.
  const inserted = await db.query(`INSERT INTO datahub.${quoteIdent(name)} (id) VALUES ('probe') RETURNING ${quoteIdent(column)} AS value, kind::text AS kind, memo`);
  await db.query(`DELETE FROM datahub.${quoteIdent(name)}`);
  return {
    comment: table.rows[0].comment,
    columnComment: table.rows[0].column_comment,
    enumValues: labels.rows.map((r) => r.enumlabel),
    enumComment: enumComment.rows[0].c,
    checkConstants: constants(check.rows[0].def.replace(/^CHECK /, '')),
    whereConstants: constants(where.rows[0].def),
    textDefault: inserted.rows[0].value,
    kindDefault: inserted.rows[0].kind,
    memoDefault: model.rawMemoDefault === undefined ? inserted.rows[0].memo : RAW,
  };
}

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

function expected(model: Model) {
  return {
    comment: model.tableComment,
    columnComment: model.columnComment,
    enumValues: model.enumValues,
    enumComment: model.enumComment,
    checkConstants: [model.checkValue],
    whereConstants: [model.whereValue],
    textDefault: model.textDefault,
    kindDefault: model.enumValues[0],
    memoDefault: model.rawMemoDefault === undefined ? model.memoDefault : RAW,
  };
}

beforeAll(async () => {
  await prepareServices(db, ['datahub']);
});

test(`${CASES} models with hostile strings (seed ${SEED}): refused with a message, or generated, parsed back, applied verbatim and rolled back`, async () => {
  const tally = { refused: 0, applied: 0 };
  for (let i = 0; i < CASES; i++) {
    const s = new Strings(mulberry32(SEED + i));
    const first = randomModel(s);
    const second = edited(s, first);
    const context = `seed ${SEED + i}: ${JSON.stringify({ first, second })}`;
    await db.query(`DROP SCHEMA IF EXISTS bedrock CASCADE; DROP SCHEMA datahub CASCADE; CREATE SCHEMA datahub AUTHORIZATION datahub_owner`);
    const project = testProject();
    const directory = migrationDirectoryOf(project, 'datahub');
    let step = 0;
    try {
      for (const model of [first, second]) {
        project.tables.datahub = define(model, s);
        let schema;
        try {
          schema = modelOf(project, 'datahub');
        } catch (error) {
          // Refused at construction: the message names the construct and nothing is written.
          expect({ context, error: String(error) }).toEqual({ context, error: expect.stringMatching(/^(ModelError: )?\S*model-datahub\/(notes|kind)[:\s]/) });
          expect(error).toBeInstanceOf(ModelError);
          tally.refused += 1;
          break;
        }
        const result = generateMigration({ directory, model: schema, description: `step_${step}`, acceptDataLoss: true });
        if (!result.written) throw new Error(`${context}: nothing generated at step ${step}`);
        step += 1;
        const parsed = parseMigration(`${result.migration.id}.sql`, result.migration.text);
        const bare = (statements: readonly string[]) => statements.map((x) => x.replace(/;$/, ''));
        expect({ context, up: splitStatements(parsed.up), down: splitStatements(parsed.down) }).toEqual({ context, up: bare(result.change.up), down: bare(result.change.down) });
        const migrations = directory.read().migrations;
        await converge(db.client, { plan: migrationPlan('datahub', 'datahub_owner', migrations), allowDowngrades: false });
        expect({ context, catalog: await catalog(model) }).toEqual({ context, catalog: expected(model) });
        tally.applied += 1;
      }
      if (step > 0) {
        await converge(db.client, { plan: migrationPlan('datahub', 'datahub_owner', []), allowDowngrades: true });
        const left = await db.query(`SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'datahub' UNION ALL SELECT typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'datahub' AND t.typtype = 'e'`);
        expect({ context, left: left.rows }).toEqual({ context, left: [] });
      }
    } catch (error) {
      if ((error as Error).message.includes(context)) throw error;
      throw new Error(`${context}\n${(error as Error).stack}`);
    }
  }
  // Both outcomes must occur, or the generator has gone blind.
  console.log(`model-strings property (seed ${SEED}, ${CASES} cases): ${tally.refused} refused at construction, ${tally.applied} migrations applied and checked`);
  expect(tally.refused).toBeGreaterThan(0);
  expect(tally.applied).toBeGreaterThan(0);
}, 300_000);
