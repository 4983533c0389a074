// tableSource (issue 13) writes stacks/<service>/tables.ts from strings the legacy database
// holds: comments, check expressions, defaults, index predicates, enum labels and every name.
// Each of them is hostile: whatever it holds, it must stay inside its string literal or its
// comment line, and the literal must denote exactly the database's text. Proven three ways on
// hand-made introspections: the source parses and transpiles without a syntax diagnostic; every
// literal, evaluated as JavaScript, equals its input; and the transpiled module, run against a
// recording stand-in for the library, passes the constructs exactly the database's values (so
// nothing broke out, whatever the parser thought of it). Then the variable names (never a
// builder, a keyword or another variable) and the legacy names (written only where they differ
// from PostgreSQL's defaults). The written file is also type-checked against the real library.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { EnumModel } from '../../lib';
import { LiveColumn, LiveTable } from '../../lib/catalog/read-schema';
import { CrossServiceReference, Introspection } from '../../lib/adopt/introspect';
import { tableSource, TableSourceProps, tsComment, tsString } from '../../lib/adopt/table-source';
import { Random } from '../support/seeded-random';
import { compileProblems, LIBRARY } from '../support/written-tables';

// ---------------------------------------------------------------------------------------------
// Hand-made introspections, shaped as lib/catalog/read-schema.ts reads them.

function column(name: string, type: string, extra: Partial<LiveColumn> = {}): LiveColumn {
  return { name, type, notNull: false, ...extra };
}

function table(name: string, columns: LiveColumn[], extra: Partial<LiveTable> = {}): LiveTable {
  return {
    schema: 'public',
    name,
    columns,
    uniques: [],
    checks: [],
    indexes: [],
    foreignKeys: [],
    ...extra,
  };
}

function enumType(name: string, values: string[], comment?: string): EnumModel {
  return {
    schema: 'public',
    name,
    values,
    ...(comment !== undefined ? { comment } : {}),
  };
}

function introspection(tables: LiveTable[], extra: Partial<Introspection> = {}): Introspection {
  return {
    service: 'datahub',
    legacySchema: 'public',
    tables,
    enums: [],
    crossService: [],
    unexpressed: [],
    unmodelledObjects: [],
    ...extra,
  };
}

/** A type as format_type prints an enum of the legacy schema: `public.kline_interval`, quoted where needed. */
const enumTypeText = (name: string): string => (/^[a-z_][a-z0-9_]*$/.test(name) ? `public.${name}` : `public."${name.replace(/"/g, '""')}"`);

/** An SQL string constant, as pg_get_expr prints one. */
const sqlString = (text: string): string => `'${text.replace(/'/g, "''")}'`;

// ---------------------------------------------------------------------------------------------
// Reading the written source back.

/** Syntax problems of the source: the parser's, as a one-file program sees them, and transpileModule's. */
function syntaxProblems(source: string): string[] {
  const fileName = '/virtual/tables.ts';
  const sourceFile = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const host = ts.createCompilerHost({});
  const program = ts.createProgram({
    rootNames: [fileName],
    options: { noResolve: true, noLib: true, types: [] },
    host: {
      ...host,
      getSourceFile: (name) => (name === fileName ? sourceFile : undefined),
      fileExists: (name) => name === fileName,
      readFile: () => undefined,
    },
  });
  const parsed = program.getSyntacticDiagnostics(sourceFile);
  const transpiled =
    ts.transpileModule(source, {
      reportDiagnostics: true,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
      },
    }).diagnostics ?? [];
  return [...parsed, ...transpiled].map((d) => `${d.start ?? 0}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

function sourceFileOf(source: string): ts.SourceFile {
  return ts.createSourceFile('tables.ts', source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
}

/** A string literal's value as JavaScript evaluates its text (not as TypeScript's scanner reads it). */
function evaluated(literal: ts.Node, sourceFile: ts.SourceFile): unknown {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(`return ${literal.getText(sourceFile)}`)();
}

/** Every string literal of the source, as JavaScript evaluates it. */
function literalValues(source: string): string[] {
  const sourceFile = sourceFileOf(source);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node)) {
      const value = evaluated(node, sourceFile);
      // TypeScript's scanner and JavaScript's evaluation must agree, or one of them is misled.
      expect(value).toBe(node.text);
      out.push(value as string);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return out;
}

/** What the file is made of at the top and inside the exported function: nothing else may appear. */
function shape(source: string): { top: string[]; body: string[] } {
  const sourceFile = sourceFileOf(source);
  const top = sourceFile.statements.map((s) => ts.SyntaxKind[s.kind]);
  const fn = sourceFile.statements.find(ts.isFunctionDeclaration);
  const body = (fn?.body?.statements ?? []).map((s) => {
    if (ts.isVariableStatement(s)) {
      const init = s.declarationList.declarations[0].initializer;
      return init && ts.isNewExpression(init) ? `const = new ${init.expression.getText(sourceFile)}` : 'const ?';
    }
    if (ts.isExpressionStatement(s) && ts.isNewExpression(s.expression)) return `new ${s.expression.expression.getText(sourceFile)}`;
    return ts.SyntaxKind[s.kind];
  });
  return { top, body };
}

/** The `const` names declared in the exported function. */
function declaredNames(source: string): string[] {
  const sourceFile = sourceFileOf(source);
  const fn = sourceFile.statements.find(ts.isFunctionDeclaration);
  return (fn?.body?.statements ?? []).flatMap((s) => (ts.isVariableStatement(s) ? [s.declarationList.declarations[0].name.getText(sourceFile)] : []));
}

// ---------------------------------------------------------------------------------------------
// Running the written module against a recording stand-in for the library.

interface Call {
  readonly method: string;
  readonly args: unknown[];
}

/** A column builder's chain, recorded: `text().notNull().comment('x')` -> [text], [notNull], [comment 'x']. */
interface Chain {
  readonly calls: readonly Call[];
}

function chain(calls: Call[]): Chain {
  return new Proxy({ calls } as Chain, {
    get: (target, property) => {
      if (property === 'calls') return target.calls;
      if (typeof property === 'symbol') return undefined;
      return (...args: unknown[]) => chain([...calls, { method: property, args }]);
    },
  });
}

interface Constructed {
  readonly kind: 'Table' | 'EnumType';
  readonly id: unknown;
  readonly props: Record<string, any>;
}

/** Transpiles the source and runs its function with stand-ins for Table, EnumType and the builders. */
function run(source: string, functionName: string): Constructed[] {
  const constructed: Constructed[] = [];
  const stack = { stand: 'in' };
  class Table {
    constructor(scope: unknown, private readonly id: unknown, props: Record<string, any>) {
      expect(scope).toBe(stack);
      constructed.push({ kind: 'Table', id, props });
    }
    ref(...columns: unknown[]): unknown {
      return { ref: this.id, columns };
    }
  }
  class EnumType {
    constructor(scope: unknown, private readonly id: unknown, props: Record<string, any>) {
      expect(scope).toBe(stack);
      constructed.push({ kind: 'EnumType', id, props });
    }
    column(): Chain {
      return chain([{ method: 'enum', args: [this.id] }]);
    }
  }
  const library = new Proxy({ Table, EnumType } as Record<string, unknown>, {
    get: (target, property) => {
      if (typeof property === 'symbol') return undefined;
      if (property in target) return target[property];
      if (property === '__esModule') return true;
      return (...args: unknown[]) => chain([{ method: property, args }]);
    },
  });
  const js = ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
    },
  }).outputText;
  const module = { exports: {} as Record<string, unknown> };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('require', 'module', 'exports', js)(() => library, module, module.exports);
  const defined = module.exports[functionName];
  expect(typeof defined).toBe('function');
  (defined as (s: unknown) => void)(stack);
  return constructed;
}

const tablesOf = (constructed: Constructed[]) => constructed.filter((c) => c.kind === 'Table');
const enumsOf = (constructed: Constructed[]) => constructed.filter((c) => c.kind === 'EnumType');
const methods = (c: Chain): string[] => c.calls.map((call) => call.method);
const argOf = (c: Chain, method: string): unknown => c.calls.find((call) => call.method === method)?.args[0];

/** The raw characters tsString and tsComment must never let through: each ends a line, or hides or reorders text. */
const RAW_FORBIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/u;

// ---------------------------------------------------------------------------------------------
// Hostile strings, one at a time, in every place the writer puts a database string.

const HOSTILE: Readonly<Record<string, string>> = {
  'single quote': "it's",
  'double quote': 'say "hi"',
  'both quotes': `it's "both"`,
  backslash: 'C:\\path\\n',
  'backslash before a quote': "\\'; evil(); '",
  newline: 'line one\nline two',
  'carriage return': 'a\rb',
  'line separator U+2028': 'a\u2028b',
  'paragraph separator U+2029': 'a\u2029b',
  'right-to-left override U+202E': 'admin\u202e; exit //',
  'zero width space and BOM': 'a\u200bb\ufeffc',
  NUL: 'a\u0000b',
  'C1 control NEL': 'a\u0085b',
  'end of block comment': '*/ process.exit(1) /*',
  'template substitution': '${process.exit(1)}',
  backtick: '`whoami`',
  'string terminator and code': "'); require('child_process').execSync('false'); ('",
  'comment start': '// rest of line',
  'escape-looking text': '\\u0041\\x41\\0',
  'astral character': 'emoji 😀 here',
  everything: `'"\\\n\r\u2028\u2029\u202e\u0000*/\${\`}) //`,
};

/** An introspection that puts `hostile` wherever the writer writes a database string. */
function hostileIntrospection(hostile: string): {
  intro: Introspection;
  expectations: (constructed: Constructed[]) => void;
} {
  // Defaults are read by PostgreSQL's parser, and no text in PostgreSQL holds NUL: those go without it.
  const sqlSafe = hostile.replace(/\u0000/g, '');
  const label = `${sqlSafe}2`;
  const enums = [enumType('mood', ['ok', hostile, label], hostile)];
  const klines = table(
    'klines',
    [
      column('id', 'integer', { notNull: true, serial: true }),
      column('symbol', 'text', {
        notNull: true,
        default: `${sqlString(sqlSafe)}::text`,
        comment: hostile,
      }),
      column('code', 'character varying(32)', {
        default: `${sqlString(sqlSafe)}::character varying`,
      }),
      column('mood', enumTypeText('mood'), {
        default: `${sqlString(label)}::public.mood`,
      }),
      column('stamp', 'text', {
        default: `lower(${sqlString(sqlSafe)}::text)`,
      }),
    ],
    {
      comment: hostile,
      primaryKey: { name: 'klines_pkey', columns: ['id'] },
      checks: [
        {
          name: 'klines_symbol_check',
          expression: `symbol <> ${sqlString(hostile)}::text`,
        },
      ],
      indexes: [
        {
          name: 'ix_klines_symbol',
          columns: [{ column: 'symbol' }],
          unique: false,
          method: 'btree',
          where: `symbol <> ${sqlString(hostile)}::text`,
        },
      ],
    }
  );
  const signals = table('signals', [column('id', 'integer', { notNull: true }), column('kline_id', 'integer')], {
    primaryKey: { name: 'signals_pkey', columns: ['id'] },
    foreignKeys: [
      {
        name: 'signals_kline_id_fkey',
        columns: ['kline_id'],
        references: { schema: 'public', table: 'models', columns: ['id'] },
        onDelete: 'no action',
        onUpdate: 'no action',
      },
    ],
  });
  const crossService: CrossServiceReference[] = [
    {
      table: 'signals',
      foreignKey: signals.foreignKeys[0],
      targetService: 'mlops',
    },
  ];
  const intro = introspection([klines, signals], {
    enums,
    crossService,
    unexpressed: [`table klines has trigger ${hostile}`],
  });
  const expectations = (constructed: Constructed[]): void => {
    const [mood] = enumsOf(constructed);
    expect(mood.id).toBe('mood');
    expect(mood.props).toEqual({
      values: ['ok', hostile, label],
      comment: hostile,
    });
    const [k, s] = tablesOf(constructed);
    expect(k.id).toBe('klines');
    expect(k.props.comment).toBe(hostile);
    expect(Object.keys(k.props.columns)).toEqual(['id', 'symbol', 'code', 'mood', 'stamp']);
    const columns = k.props.columns as Record<string, Chain>;
    expect(methods(columns.symbol)).toEqual(['text', 'notNull', 'default', 'comment']);
    expect(argOf(columns.symbol, 'default')).toBe(sqlSafe);
    expect(argOf(columns.symbol, 'comment')).toBe(hostile);
    expect(argOf(columns.code, 'defaultSql')).toBe(`${sqlString(sqlSafe)}::character varying`);
    expect(methods(columns.mood)).toEqual(['enum', 'default']);
    expect(argOf(columns.mood, 'default')).toBe(label);
    expect(argOf(columns.stamp, 'defaultSql')).toBe(`lower(${sqlString(sqlSafe)}::text)`);
    expect(k.props.checks).toEqual([
      {
        name: 'klines_symbol_check',
        expression: `symbol <> ${sqlString(hostile)}::text`,
      },
    ]);
    expect(k.props.indexes).toEqual([
      {
        name: 'ix_klines_symbol',
        columns: ['symbol'],
        where: `symbol <> ${sqlString(hostile)}::text`,
      },
    ]);
    expect(s.props.appReferences).toEqual([{ columns: ['kline_id'], table: 'mlops.models', targetColumns: ['id'] }]);
  };
  return { intro, expectations };
}

describe('tableSource keeps hostile database strings inside their literals and comments', () => {
  test.each(Object.entries(HOSTILE))('%s', (_name, hostile) => {
    const { intro, expectations } = hostileIntrospection(hostile);
    const sqlSafe = hostile.replace(/\u0000/g, '');
    const { source, unexpressed } = tableSource(intro, {
      origin: `alembic revision ${hostile}`,
    });
    expect(syntaxProblems(source)).toEqual([]);
    expect(source).not.toMatch(RAW_FORBIDDEN);
    // Nothing but the import and the function at the top; in it, the enum and the two tables.
    expect(shape(source)).toEqual({
      top: ['ImportDeclaration', 'FunctionDeclaration'],
      body: ['const = new EnumType', 'new Table', 'new Table'],
    });
    // Every value the database gave is one literal, evaluated to exactly that value.
    const values = literalValues(source);
    for (const wanted of [hostile, sqlSafe, `${sqlString(sqlSafe)}::character varying`, `lower(${sqlString(sqlSafe)}::text)`, `symbol <> ${sqlString(hostile)}::text`])
      expect(values).toContain(wanted);
    expectations(run(source, 'datahubTables'));
    // The header lists the unexpressed finding on one comment line, reversibly escaped.
    expect(unexpressed).toEqual([`table klines has trigger ${hostile}`]);
    const lines = source.split('\n');
    const importLine = lines.findIndex((l) => l.startsWith('import '));
    expect(lines.slice(0, importLine).every((l) => l.startsWith('//'))).toBe(true);
    expect(lines).toContain(`//   - ${tsComment(`table klines has trigger ${hostile}`)}`);
    expect(lines[0]).toContain(`(alembic revision ${tsComment(hostile)})`);
  });

  test('a comment line unescapes to exactly its text', () => {
    for (const hostile of Object.values(HOSTILE)) {
      const line = tsComment(hostile);
      expect(line).not.toMatch(RAW_FORBIDDEN);
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      expect(new Function(`return '${line.replace(/'/g, "\\'")}'`)()).toBe(hostile);
    }
  });

  test('the hostile file type-checks against the library (the strings are values, not types)', () => {
    const { intro } = hostileIntrospection(HOSTILE.everything);
    const { source } = tableSource(intro, { importFrom: LIBRARY });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'bedrock-table-source-')), 'tables.ts');
    writeFileSync(file, source);
    expect(compileProblems(file)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// A seeded property: random strings everywhere, each literal evaluates to its input.

const PIECES = [
  "'",
  '"',
  '\\',
  '\n',
  '\r',
  '\t',
  '\u2028',
  '\u2029',
  '\u202e',
  '\u202a',
  '\u2066',
  '\u200b',
  '\ufeff',
  '\u0000',
  '\u0085',
  '\u007f',
  '*/',
  '/*',
  '//',
  '${',
  '`',
  '}',
  ')',
  ',',
  ';',
  '\\u0041',
  '\\x41',
  'é',
  '😀',
  '中',
  ' ',
  '<',
  '&',
  '-',
];

function randomString(random: Random, max: number, allowNul = true): string {
  let out = '';
  const length = random.int(0, max);
  for (let i = 0; i < length; i++) {
    const kind = random.int(0, 3);
    if (kind === 0) out += random.word(1, 3);
    else if (kind === 1) out += random.pick(PIECES);
    else if (kind === 2) {
      // Any code point of the Basic Multilingual Plane but a lone surrogate (a database's text is valid UTF-8).
      const code = random.int(0x20, 0xfffd);
      out += code >= 0xd800 && code <= 0xdfff ? 'x' : String.fromCodePoint(code);
    } else out += String.fromCodePoint(random.int(0x10000, 0x10ffff));
  }
  // The legacy schema's name is taken off expressions on purpose (unqualified()); leave it out here.
  out = out.replace(/public/g, 'pub');
  return allowNul ? out : out.replace(/\u0000/g, '0');
}

/** A random identifier PostgreSQL could hold: no NUL, short enough to stay under 63 bytes, not looking like an array index. */
function randomName(random: Random): string {
  const name = `${random.pick(['n', 'N', '_', ' ', '"', "'", 'é', '\n'])}${randomString(random, 8, false)}`;
  return name.replace(/\u0000/g, '');
}

test('property: every random string the database holds is written as a literal that evaluates to it (300 seeded cases)', () => {
  const seed = Number(process.env.TABLE_SOURCE_SEED ?? 20260413);
  for (let i = 0; i < 300; i++) {
    const random = new Random(seed, i);
    const enumName = randomName(random);
    const labels = [...new Set(Array.from({ length: random.int(1, 4) }, () => randomString(random, 10)))];
    const tableName = randomName(random);
    const textColumn = randomName(random);
    const otherColumn = `${randomName(random)}x`;
    if (new Set([textColumn, otherColumn, 'id']).size < 3) continue;
    const strings = {
      enumComment: randomString(random, 12),
      tableComment: randomString(random, 20),
      columnComment: randomString(random, 12),
      textDefault: randomString(random, 10, false),
      check: randomString(random, 20),
      where: randomString(random, 12),
      indexName: randomName(random),
      checkName: randomName(random),
      finding: randomString(random, 20),
    };
    const intro = introspection(
      [
        table(
          tableName,
          [
            column('id', 'bigint', { notNull: true, identity: 'always' }),
            column(textColumn, 'text', {
              notNull: true,
              default: `${sqlString(strings.textDefault)}::text`,
              comment: strings.columnComment,
            }),
            column(otherColumn, enumTypeText(enumName)),
          ],
          {
            comment: strings.tableComment,
            primaryKey: { name: `${tableName}_pkey`, columns: ['id'] },
            checks: [{ name: strings.checkName, expression: strings.check }],
            indexes: [
              {
                name: strings.indexName,
                columns: [{ column: textColumn }],
                unique: false,
                method: 'btree',
                where: strings.where,
              },
            ],
          }
        ),
      ],
      {
        enums: [enumType(enumName, labels, strings.enumComment)],
        unexpressed: [strings.finding],
      }
    );
    const context = `seed ${seed} case ${i} (TABLE_SOURCE_SEED=${seed})`;
    const { source } = tableSource(intro);
    try {
      expect(syntaxProblems(source)).toEqual([]);
      expect(source).not.toMatch(RAW_FORBIDDEN);
      expect(shape(source)).toEqual({
        top: ['ImportDeclaration', 'FunctionDeclaration'],
        body: ['const = new EnumType', 'new Table'],
      });
      const values = literalValues(source);
      for (const wanted of [
        enumName,
        tableName,
        strings.enumComment,
        strings.tableComment,
        strings.columnComment,
        strings.textDefault,
        strings.check,
        strings.where,
        strings.indexName,
        strings.checkName,
        ...labels,
      ]) {
        expect(values).toContain(wanted);
      }
      const constructed = run(source, 'datahubTables');
      const [e] = enumsOf(constructed);
      expect(e.id).toBe(enumName);
      expect(e.props).toEqual({ values: labels, comment: strings.enumComment });
      const [t] = tablesOf(constructed);
      expect(t.id).toBe(tableName);
      expect(t.props.comment).toBe(strings.tableComment);
      expect(Object.keys(t.props.columns)).toEqual(['id', textColumn, otherColumn]);
      const columns = t.props.columns as Record<string, Chain>;
      expect(methods(columns.id)).toEqual(['bigint', 'generatedAlwaysAsIdentity']);
      expect(argOf(columns[textColumn], 'default')).toBe(strings.textDefault);
      expect(argOf(columns[textColumn], 'comment')).toBe(strings.columnComment);
      expect(columns[otherColumn].calls[0]).toEqual({
        method: 'enum',
        args: [enumName],
      });
      expect(t.props.checks).toEqual([{ name: strings.checkName, expression: strings.check }]);
      expect(t.props.indexes).toEqual([
        {
          ...(strings.indexName !== `${tableName}_${textColumn}_idx` ? { name: strings.indexName } : {}),
          columns: [textColumn],
          where: strings.where,
        },
      ]);
      expect(source.split('\n')).toContain(`//   - ${tsComment(strings.finding)}`);
    } catch (error) {
      throw new Error(`${context}: ${(error as Error).message}\n--- source ---\n${source}`);
    }
  }
});

test('property: tsString round-trips any string exactly, with no raw line break or invisible character (300 seeded cases)', () => {
  const seed = Number(process.env.TABLE_SOURCE_SEED ?? 20260413);
  for (let i = 0; i < 300; i++) {
    const input = randomString(new Random(seed, 1000 + i), 40);
    const literal = tsString(input);
    expect({ i, literal: RAW_FORBIDDEN.test(literal) }).toEqual({
      i,
      literal: false,
    });
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    expect({ i, value: new Function(`return ${literal}`)() }).toEqual({
      i,
      value: input,
    });
    const parsed = sourceFileOf(`const x = ${literal};`);
    const init = (parsed.statements[0] as ts.VariableStatement).declarationList.declarations[0].initializer!;
    expect({
      i,
      kind: ts.SyntaxKind[init.kind],
      text: (init as ts.StringLiteral).text,
    }).toEqual({ i, kind: 'StringLiteral', text: input });
  }
});

// ---------------------------------------------------------------------------------------------
// Variable names.

describe('variable names', () => {
  /** Enum types named like builders, keywords, globals, and ones whose variable collides with a table's or the function's. */
  const ENUM_NAMES = ['text', 'integer', 'class', 'default', 'enum', 'stack', 'Table', 'EnumType', 'datahub_tables', 'chainData', 'chain-data', '1m', 'undefined'];

  function namesIntrospection(enumNames: readonly string[] = ENUM_NAMES): Introspection {
    const enums = enumNames.map((name) => enumType(name, ['a', 'b']));
    const chainData = table('chain_data', [column('id', 'integer', { notNull: true }), column('label', 'text')], { primaryKey: { name: 'chain_data_pkey', columns: ['id'] } });
    const textTable = table('text', [column('id', 'integer', { notNull: true })], { primaryKey: { name: 'text_pkey', columns: ['id'] } });
    const uses = table(
      'uses',
      [
        column('id', 'integer', { notNull: true }),
        column('chain_id', 'integer'),
        column('text_id', 'integer'),
        column('note', 'text'),
        ...enumNames.map((name, i) => column(`e${i}`, enumTypeText(name))),
      ],
      {
        primaryKey: { name: 'uses_pkey', columns: ['id'] },
        foreignKeys: [
          {
            name: 'uses_chain_id_fkey',
            columns: ['chain_id'],
            references: {
              schema: 'public',
              table: 'chain_data',
              columns: ['id'],
            },
            onDelete: 'no action',
            onUpdate: 'no action',
          },
          {
            name: 'uses_text_id_fkey',
            columns: ['text_id'],
            references: { schema: 'public', table: 'text', columns: ['id'] },
            onDelete: 'cascade',
            onUpdate: 'no action',
          },
        ],
      }
    );
    return introspection([chainData, textTable, uses], { enums });
  }

  test('are unique, never a builder or a keyword, and each enum column uses its own enum', () => {
    const { source, unexpressed } = tableSource(namesIntrospection());
    expect(unexpressed).toEqual([]);
    expect(syntaxProblems(source)).toEqual([]);
    const names = declaredNames(source);
    expect(names).toHaveLength(ENUM_NAMES.length + 2);
    expect(new Set(names).size).toBe(names.length);
    const forbidden = ['text', 'integer', 'class', 'default', 'enum', 'stack', 'Table', 'EnumType', 'ServiceStack', 'datahubTables'];
    expect(names.filter((n) => forbidden.includes(n))).toEqual([]);
    for (const name of names) expect(name).toMatch(/^[A-Za-z_$][A-Za-z0-9_$]*$/);
    const constructed = run(source, 'datahubTables');
    expect(enumsOf(constructed).map((e) => e.id)).toEqual(ENUM_NAMES);
    const uses = tablesOf(constructed).find((t) => t.id === 'uses')!;
    ENUM_NAMES.forEach((name, i) => expect((uses.props.columns as Record<string, Chain>)[`e${i}`].calls[0]).toEqual({ method: 'enum', args: [name] }));
    // The builder `text` is still the builder (not shadowed by the enum named text).
    expect((uses.props.columns as Record<string, Chain>).note.calls[0]).toEqual({ method: 'text', args: [] });
    expect(uses.props.foreignKeys).toEqual([
      {
        columns: ['chain_id'],
        references: { ref: 'chain_data', columns: ['id'] },
      },
      {
        columns: ['text_id'],
        references: { ref: 'text', columns: ['id'] },
        onDelete: 'cascade',
      },
    ]);
  });

  test('the file with those names type-checks against the library', () => {
    const { source } = tableSource(namesIntrospection(), {
      importFrom: LIBRARY,
    });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'bedrock-table-source-')), 'tables.ts');
    writeFileSync(file, source);
    expect(compileProblems(file)).toEqual([]);
  });

  test('enums named eval or arguments (which strict mode forbids as variable names) get other variable names', () => {
    const strictNames = ['eval', 'arguments'];
    const { source } = tableSource(namesIntrospection(strictNames), {
      importFrom: LIBRARY,
    });
    expect(declaredNames(source).filter((n) => strictNames.includes(n))).toEqual([]);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'bedrock-table-source-')), 'tables.ts');
    writeFileSync(file, source);
    expect(compileProblems(file)).toEqual([]);
    expect(enumsOf(run(source, 'datahubTables')).map((e) => e.id)).toEqual(strictNames);
  });

  test('a table variable never takes an enum variable or the function name', () => {
    const enums = [enumType('klines', ['a']), enumType('datahubTables', ['a'])];
    const klinesTable = table('Klines', [column('id', 'integer', { notNull: true })], { primaryKey: { name: 'Klines_pkey', columns: ['id'] } });
    const child = table('child', [column('id', 'integer', { notNull: true }), column('k', 'integer'), column('e', enumTypeText('klines')), column('f', enumTypeText('datahubTables'))], {
      primaryKey: { name: 'child_pkey', columns: ['id'] },
      foreignKeys: [
        {
          name: 'child_k_fkey',
          columns: ['k'],
          references: { schema: 'public', table: 'Klines', columns: ['id'] },
          onDelete: 'no action',
          onUpdate: 'no action',
        },
      ],
    });
    const { source } = tableSource(introspection([klinesTable, child], { enums }));
    const names = declaredNames(source);
    expect(new Set(names).size).toBe(3);
    expect(names).not.toContain('datahubTables');
    const constructed = run(source, 'datahubTables');
    expect(tablesOf(constructed).find((t) => t.id === 'child')!.props.foreignKeys).toEqual([{ columns: ['k'], references: { ref: 'Klines', columns: ['id'] } }]);
  });

  test('column names that are not identifiers are quoted keys; identifiers and reserved words stay bare', () => {
    const names = ['order', 'createdAt', 'my col', '1st', 'a-b', "it's", 'line\nbreak', 'café', '$ok', 'constructor', 'x\u202ey'];
    const { source } = tableSource(
      introspection([
        table(
          'odd',
          names.map((n) => column(n, 'text'))
        ),
      ])
    );
    expect(syntaxProblems(source)).toEqual([]);
    expect(source).toContain('      order: text(),');
    expect(source).toContain('      createdAt: text(),');
    expect(source).toContain('      $ok: text(),');
    expect(source).toContain("      'my col': text(),");
    expect(source).toContain("      '1st': text(),");
    expect(source).toContain('      "it\'s": text(),');
    expect(source).toContain("      'line\\u000abreak': text(),");
    expect(source).toContain("      'x\\u202ey': text(),");
    const [odd] = tablesOf(run(source, 'datahubTables'));
    expect(Object.keys(odd.props.columns)).toEqual(names);
    // Legacy names the naming rules would refuse are acknowledged, not renamed.
    expect(odd.props.acknowledgements.map((a: { rule: string }) => a.rule)).toEqual(['BEDROCK-N1', 'BEDROCK-N2']);
  });

  test('a column named __proto__ is a column, not the prototype of the columns object (or it is listed as unexpressed)', () => {
    const { source, unexpressed } = tableSource(introspection([table('t', [column('id', 'integer'), column('__proto__', 'text')])]));
    expect(syntaxProblems(source)).toEqual([]);
    const [t] = tablesOf(run(source, 'datahubTables'));
    const kept = Object.keys(t.props.columns).includes('__proto__');
    const listed = unexpressed.some((u) => u.includes('__proto__'));
    expect({ kept, listed }).not.toEqual({ kept: false, listed: false });
  });

  test('columns named like array indexes keep their order (or are listed as unexpressed)', () => {
    // A JavaScript object lists integer-like keys first, whatever order the literal wrote them in.
    const { source, unexpressed } = tableSource(introspection([table('t', [column('b', 'text'), column('10', 'text'), column('2', 'text')])]));
    const [t] = tablesOf(run(source, 'datahubTables'));
    const ordered = JSON.stringify(Object.keys(t.props.columns)) === JSON.stringify(['b', '10', '2']);
    const listed = unexpressed.some((u) => u.includes('10') || u.includes(' 2'));
    expect({ ordered, listed }).not.toEqual({ ordered: false, listed: false });
  });
});

// ---------------------------------------------------------------------------------------------
// Legacy names: written where they differ from PostgreSQL's defaults, left out where they do not.

describe('legacy constraint and index names', () => {
  function named(names: { pk: string; unique: string; index: string; fk: string }): Introspection {
    const klines = table('klines', [column('id', 'integer', { notNull: true }), column('symbol', 'text', { notNull: true }), column('open_time', 'timestamp with time zone', { notNull: true })], {
      primaryKey: { name: names.pk, columns: ['id'] },
      uniques: [{ name: names.unique, columns: ['symbol', 'open_time'] }],
      indexes: [
        {
          name: names.index,
          columns: [{ column: 'symbol' }],
          unique: false,
          method: 'btree',
        },
      ],
    });
    const chain = table('chain_data', [column('id', 'integer', { notNull: true }), column('kline_id', 'integer')], {
      primaryKey: { name: 'chain_data_pkey', columns: ['id'] },
      foreignKeys: [
        {
          name: names.fk,
          columns: ['kline_id'],
          references: { schema: 'public', table: 'klines', columns: ['id'] },
          onDelete: 'no action',
          onUpdate: 'cascade',
        },
      ],
    });
    return introspection([klines, chain]);
  }

  test('PostgreSQL default names are omitted', () => {
    const { source } = tableSource(
      named({
        pk: 'klines_pkey',
        unique: 'klines_symbol_open_time_key',
        index: 'klines_symbol_idx',
        fk: 'chain_data_kline_id_fkey',
      })
    );
    expect(source).not.toMatch(/name: /);
    expect(source).not.toContain('primaryKeyName');
    const [klines, chain] = tablesOf(run(source, 'datahubTables'));
    expect(klines.props.primaryKey).toEqual(['id']);
    expect(klines.props.uniques).toEqual([{ columns: ['symbol', 'open_time'] }]);
    expect(klines.props.indexes).toEqual([{ columns: ['symbol'] }]);
    expect(chain.props.foreignKeys).toEqual([
      {
        columns: ['kline_id'],
        references: { ref: 'klines', columns: ['id'] },
        onUpdate: 'cascade',
      },
    ]);
  });

  test('legacy names that differ are written', () => {
    const { source } = tableSource(
      named({
        pk: 'pk_klines',
        unique: 'uq_klines',
        index: 'ix_klines_symbol',
        fk: 'fk_chain_data_kline',
      })
    );
    const [klines, chain] = tablesOf(run(source, 'datahubTables'));
    expect(klines.props.primaryKeyName).toBe('pk_klines');
    expect(klines.props.uniques).toEqual([{ name: 'uq_klines', columns: ['symbol', 'open_time'] }]);
    expect(klines.props.indexes).toEqual([{ name: 'ix_klines_symbol', columns: ['symbol'] }]);
    expect(chain.props.foreignKeys).toEqual([
      {
        name: 'fk_chain_data_kline',
        columns: ['kline_id'],
        references: { ref: 'klines', columns: ['id'] },
        onUpdate: 'cascade',
      },
    ]);
  });

  test('hostile legacy names stay literals', () => {
    const hostile = "pk'); evil(); ('\u2028\u202e";
    const { source } = tableSource(
      named({
        pk: hostile,
        unique: `${hostile}u`,
        index: `${hostile}i`,
        fk: `${hostile}f`,
      })
    );
    expect(syntaxProblems(source)).toEqual([]);
    const [klines, chain] = tablesOf(run(source, 'datahubTables'));
    expect(klines.props.primaryKeyName).toBe(hostile);
    expect(klines.props.uniques[0].name).toBe(`${hostile}u`);
    expect(klines.props.indexes[0].name).toBe(`${hostile}i`);
    expect(chain.props.foreignKeys[0].name).toBe(`${hostile}f`);
  });
});

test('props: importFrom and functionName are honoured; the function takes the stack', () => {
  const props: TableSourceProps = {
    importFrom: "../lib'; evil",
    functionName: 'legacyTables',
  };
  const { source } = tableSource(introspection([table('t', [column('id', 'integer')])]), props);
  expect(syntaxProblems(source)).toEqual([]);
  expect(source).toContain('export function legacyTables(stack: ServiceStack): void {');
  expect(literalValues(source)).toContain("../lib'; evil");
  expect(tablesOf(run(source, 'legacyTables'))).toHaveLength(1);
});
