// The layers hold: the schema model is a leaf, the model and the differ write no SQL (lib/sql/
// does), and only lib/cdk.ts imports the CDK. Read from the source, so a shortcut fails here.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const lib = path.join(__dirname, '..', '..', 'lib');
const sources = (folder: string): [string, string][] =>
  readdirSync(path.join(lib, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => [`${folder}/${file}`, readFileSync(path.join(lib, folder, file), 'utf8')]);

/** The code without its comments (line and block), so prose about SQL does not count. */
const code = (text: string): string => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');

test('the schema model (lib/schema) imports nothing else of the library', () => {
  const files = sources('schema');
  expect(files.length).toBeGreaterThan(0);
  const imports = files.flatMap(([file, text]) => [...text.matchAll(/from '([^']+)'/g)].map((m) => `${file}: ${m[1]}`));
  expect(imports.filter((line) => !/: \.\/[^/]+$/.test(line))).toEqual([]);
});

test('the model, the migrations, the catalog, the runner and adopt write no DDL: lib/sql/ does', () => {
  const ddl = /\b(ALTER|CREATE|DROP|COMMENT ON) (TABLE|INDEX|TYPE|SEQUENCE|CONSTRAINT|COLUMN)\b/;
  const found = ['model', 'migrations', 'schema', 'catalog', 'runner', 'adopt'].flatMap(sources).flatMap(([file, text]) =>
    code(text)
      .split('\n')
      .filter((line) => ddl.test(line))
      .map((line) => `${file}: ${line.trim()}`),
  );
  // Allowed: the catalog's scratch copy makes its schema (not the model's DDL), the
  // transaction check names the statements it looks for in its messages, and the runner's
  // ledger is the runner's own table (not a service's); adopt's catalog queries advise the fix in their messages.
  // (drift's fixes, catalog/fix-statements.ts, are advice printed for a person, never run: they
  // build their keywords from a table of kinds, so the pattern above does not see them.)
  const allowed = ['catalog/live-schema.ts: await client.query(`CREATE SCHEMA', "migrations/transaction-check.ts: ['IndexStmt'", "migrations/transaction-check.ts: ['DropStmt'", 'runner/ledger-schema.ts: ', 'adopt/unmodelled.ts: `SELECT '];
  expect(found.filter((line) => !allowed.some((start) => line.startsWith(start)))).toEqual([]);
});

test('only lib/cdk.ts imports the CDK (cdktf) and the provider bindings, so a move to CDK Terrain changes one file', () => {
  const root = path.join(__dirname, '..', '..');
  const folders = ['lib', 'stacks', 'bench', 'test', 'scripts'];
  const files = [
    'main.ts',
    'cli.ts',
    ...folders.flatMap((folder) =>
      readdirSync(path.join(root, folder), { recursive: true, encoding: 'utf8' })
        .filter((file) => /\.(ts|js|mjs)$/.test(file) && !file.startsWith('fixtures/'))
        .map((file) => `${folder}/${file}`),
    ),
  ];
  const cdk = /(from |require\()(['"])(cdktf|cdktn|@cdktf\/[^'"]+|@cdktn\/[^'"]+)\2/;
  const importers = files.filter((file) => cdk.test(code(readFileSync(path.join(root, file), 'utf8'))));
  expect(importers).toEqual(['lib/cdk.ts']);
});
