// Checks and loads a tables.ts that `introspect` wrote: type-checked by the TypeScript compiler
// with the project's settings (strict), then transpiled and required, so a test builds the
// model from exactly the file a service engineer would commit.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { DefineTables } from '../../lib';

/** Where the library is, as a written file in a temporary folder imports it. */
export const LIBRARY = path.resolve(__dirname, '../../lib');

function projectOptions(): ts.CompilerOptions {
  const configFile = path.resolve(__dirname, '../../tsconfig.json');
  const { config } = ts.readConfigFile(configFile, ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config, ts.sys, path.dirname(configFile)).options;
}

/** The compiler's errors for the file, one line each; [] when it compiles. */
export function compileProblems(file: string): string[] {
  const program = ts.createProgram([file], { ...projectOptions(), noEmit: true });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === file || d.file === undefined)
    .map((d) => `${d.file ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

/** The function the file exports, loaded from its transpiled JavaScript. */
export function loadTables(file: string, functionName: string): DefineTables {
  const js = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const out = file.replace(/\.ts$/, '.js');
  writeFileSync(out, js);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(out) as Record<string, DefineTables>;
  if (typeof loaded[functionName] !== 'function') throw new Error(`${file} does not export ${functionName}`);
  return loaded[functionName];
}
