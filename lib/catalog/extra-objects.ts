// Objects in a service's schema that its plan does not have: a view, function, trigger, type...
// made by hand, each with the statement that removes it. Tables, enums and sequences are
// compared with the model column by column (schema-differences.ts), so they are not listed here.
import { COMMAND } from '../migrations/migration-directory';
import { described, shown } from './catalog-text';
import { DriftFinding } from './drift-finding';
import { dropStatement, extensionStatements } from './fix-statements';
import { groupOf, PlanObjects } from './plan-objects';
import { SchemaObject } from './schema-objects';

/** Every object of `objects` (one schema's) that no applied migration of `service` made. */
export function extraObjects(service: string, schema: string, objects: readonly SchemaObject[], plan: PlanObjects): DriftFinding[] {
  const findings: DriftFinding[] = [];
  for (const object of objects) {
    if (object.kind === 'extension') {
      findings.push(extension(schema, object));
      continue;
    }
    const group = groupOf(object.kind);
    // An extension's members are the extension's: reported once, above.
    if (group === undefined || object.inExtension || plan.has(group, object.name, object.table)) continue;
    findings.push({
      kind: 'extra-object',
      object: `${object.kind} ${described(schema, object)}`,
      message: `${object.kind} ${described(schema, object)} is in schema ${shown(schema)}, but no applied migration of ${service} made it (made by hand)`,
      fix: `${dropStatement(schema, object)} (or, to keep it: write it into a migration of ${service}: \`${COMMAND} generate\`, add the statement${procedural(object) ? ' and `-- bedrock:acknowledge BEDROCK-S3 <reason>`' : ''}, \`${COMMAND} rehash ${service}\`; drop the hand-made one, then migrate)`,
    });
  }
  return findings;
}

function procedural(object: SchemaObject): boolean {
  return ['function', 'procedure', 'aggregate', 'trigger', 'rule'].includes(object.kind);
}

function extension(schema: string, object: SchemaObject): DriftFinding {
  return {
    kind: 'extra-object',
    object: `extension ${shown(object.name)}`,
    message: `extension ${shown(object.name)} is installed in schema ${shown(schema)}: its objects are not the service's, and extensions are the platform's`,
    fix: `${extensionStatements(object.name)}, and list it in the environment's \`extensions\` (stacks/environments.ts) so the platform stack installs it`,
  };
}
