// Decision records for tests: a project folder holding the records that tables link to, and the
// App context that points the rule pack (BEDROCK-O8, which checks that they exist) at it.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT_CONTEXT } from '../../lib/rules/project-root';

/** The record the tests' shared writers link to. */
export const DECISION = 'docs/adr/0001-shared-write.md';

/** Writes `records` (paths relative to `root`) as small files; returns the folder and the App context naming it. */
export function decisionRecords(records: readonly string[] = [DECISION], root = mkdtempSync(path.join(tmpdir(), 'bedrock-adr-'))): { root: string; context: Record<string, string> } {
  for (const record of records) {
    const file = path.join(root, ...record.split('/'));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `# ${path.basename(record, '.md')}\n\n- Status: Accepted\n`);
  }
  return { root, context: { [PROJECT_ROOT_CONTEXT]: root } };
}
