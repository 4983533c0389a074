// Types and defaults became data between the model and SQL; the snapshots written before that
// keep their meaning and their bytes: each Bedrock service's model, formatted, is its head
// snapshot byte for byte, and the head snapshot read back equals the model.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Testing } from '../../lib/cdk';
import { defineBedrock } from '../../stacks';
import { formatSnapshot, parseSnapshot } from '../../lib/migrations/snapshot-file';
import { sameSchema } from '../../lib/migrations/generate';

test('every Bedrock service with migrations: model formatted = head snapshot bytes, and the snapshot read back = the model', () => {
  const local = defineBedrock(Testing.app()).find((env) => env.platform.environment.name === 'local')!;
  let compared = 0;
  for (const stack of local.services) {
    const folder = path.join(__dirname, '..', '..', 'stacks', stack.service, 'migrations', 'snapshots');
    let files: string[];
    try {
      files = readdirSync(folder).sort();
    } catch {
      continue; // a service without migrations yet
    }
    const text = readFileSync(path.join(folder, files[files.length - 1]), 'utf8');
    const model = stack.schemaModel();
    expect({ service: stack.service, text: formatSnapshot(model) }).toEqual({ service: stack.service, text });
    const parsed = parseSnapshot(text, stack.service, stack.schemaName);
    expect('schema' in parsed && sameSchema(parsed.schema, model)).toBe(true);
    compared += 1;
  }
  expect(compared).toBeGreaterThanOrEqual(5);
});
