// Column references are typed: naming a column that does not exist does not compile. The
// TypeScript compiler checks a fixture whose wrong lines are marked with the expected error.
import * as path from 'node:path';
import * as ts from 'typescript';
import { readFileSync } from 'node:fs';

const fixture = path.join(__dirname, '..', 'fixtures', 'typed-columns.ts');

test('misspelt columns in keys, indexes and foreign keys are compile errors, and only they', () => {
  const configPath = path.join(__dirname, '..', '..', 'tsconfig.json');
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, path.dirname(configPath));
  const program = ts.createProgram([fixture], { ...config.options, noEmit: true });
  const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === fixture);
  const actual = diagnostics.map((d) => ({
    line: d.file!.getLineAndCharacterOfPosition(d.start!).line + 1,
    message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  }));

  const expected = readFileSync(fixture, 'utf8')
    .split('\n')
    .map((text, index) => ({ line: index + 1, marker: /\/\/ error: (.*)$/.exec(text)?.[1] }))
    .filter((e): e is { line: number; marker: string } => e.marker !== undefined);

  expect(expected.length).toBe(6);
  for (const { line, marker } of expected) {
    expect(actual.filter((a) => a.line === line).map((a) => a.message).join('\n')).toContain(marker);
  }
  const unexpected = actual.filter((a) => !expected.some((e) => e.line === a.line));
  expect(unexpected).toEqual([]);
});
