// What synth would refuse in the model, found without synthesizing: the rule pack on every
// construct of the service stacks (with every table of the app as context, as the BedrockRules
// aspect sees it) and the schema-wide checks each ServiceStack validates. `generate` and
// `check` run it, so a model that synth refuses never gets a migration.
import { IConstruct } from 'constructs';
import { Table } from '../model/table';
import { ServiceRegistry } from '../services/service-registry';
import { schemaProblems } from '../stacks/schema-validation';
import { ServiceStack } from '../stacks/service-stack';
import { projectRootOf } from './project-root';
import { findings } from './rule-pack';
import { RuleContext } from './rule';

/**
 * Every finding in `stacks`, as `<construct path>: [rule id] message` (schema-wide problems as
 * `<stack path>: message`). The context holds every table of the app the stacks are in, so
 * rules across services (foreign keys, unique names) see all of them: build all services.
 * Linked files (decision records) are looked up in the project's folder the app's context names
 * (lib/rules/project-root.ts; the command line's scratch app sets it from BedrockProject.root).
 */
export function modelFindings(stacks: readonly ServiceStack[], registry: ServiceRegistry): string[] {
  if (stacks.length === 0) return [];
  const app: IConstruct = stacks[0].node.root;
  const context: RuleContext = { registry, tables: app.node.findAll().filter((c): c is Table => c instanceof Table), root: projectRootOf(app) };
  return stacks.flatMap((stack) => [
    ...stack.node.findAll().flatMap((construct) => findings(construct, context).map((message) => `${construct.node.path}: ${message}`)),
    ...schemaProblems(stack.tableModels(), stack.enumModels()).map((problem) => `${stack.node.path}: ${problem}`),
  ]);
}
