// The Bedrock rule pack: the list of rules, and the aspect that runs them at synth. A finding
// fails synth with the construct path, the rule id and the fix, unless the construct
// acknowledged that rule with a reason. Acknowledgements themselves are checked too.
import { IAspect } from '../cdk';
import { IConstruct } from 'constructs';
import { Table } from '../model/table';
import { ServiceRegistry } from '../services/service-registry';
import { acknowledgementsOf } from './acknowledgements';
import { DecisionRecordsExist } from './decision-records-exist';
import { DeclaredReadsExist } from './declared-reads-exist';
import { ReadContractsKept } from './read-contracts-kept';
import { IdentifierLength } from './identifier-length';
import { MigrationFileNames } from './migration-file-names';
import { NoCrossServiceForeignKeys } from './no-cross-service-foreign-keys';
import { NoReservedWords } from './no-reserved-words';
import { projectRootOf } from './project-root';
import { Rule, RuleContext } from './rule';
import { SharedWritesHaveReasons } from './shared-writes-have-reasons';
import { SnakeCaseNames } from './snake-case-names';
import { TableInServiceStack } from './table-in-service-stack';
import { TransfersDeclared } from './transfers-declared';
import { UniqueTableNames } from './unique-table-names';
import { ValidAppReferences } from './valid-app-references';

export const BEDROCK_RULES: readonly Rule[] = [
  TableInServiceStack,
  UniqueTableNames,
  NoCrossServiceForeignKeys,
  ValidAppReferences,
  SharedWritesHaveReasons,
  TransfersDeclared,
  DeclaredReadsExist,
  ReadContractsKept,
  DecisionRecordsExist,
  SnakeCaseNames,
  NoReservedWords,
  IdentifierLength,
  MigrationFileNames,
];

/** Every finding on `construct`, as `[rule id] message` lines, after acknowledgements. */
export function findings(construct: IConstruct, context: RuleContext, rules: readonly Rule[] = BEDROCK_RULES): string[] {
  const acknowledged = acknowledgementsOf(construct);
  const out: string[] = [];
  for (const ack of acknowledged) {
    const rule = rules.find((r) => r.id === ack.rule);
    if (!rule) out.push(`[${ack.rule}] acknowledges an unknown rule: see \`npm run bedrock -- rules\``);
    else if (!rule.acknowledgeable) out.push(`[${ack.rule}] ${rule.name} cannot be acknowledged: fix the construct`);
    if (!ack.reason || ack.reason.trim() === '') out.push(`[${ack.rule}] the acknowledgement has no reason: write why this construct may break ${ack.rule}`);
  }
  for (const rule of rules) {
    if (acknowledged.some((a) => a.rule === rule.id && a.reason?.trim() && rule.acknowledgeable)) continue;
    out.push(...(rule.check?.(construct, context) ?? []).map((message) => `[${rule.id}] ${message}`));
  }
  return out;
}

/** Runs the rule pack over every construct it visits; add it to a stack with Aspects.of(stack). */
export class BedrockRules implements IAspect {
  private context?: RuleContext;

  constructor(private readonly registry: ServiceRegistry) {}

  visit(construct: IConstruct): void {
    // All tables of the app, gathered once: aspects run when every construct exists.
    this.context ??= { registry: this.registry, tables: construct.node.root.node.findAll().filter((c): c is Table => c instanceof Table), root: projectRootOf(construct) };
    const messages = findings(construct, this.context);
    if (messages.length > 0) construct.node.addValidation({ validate: () => messages });
  }
}
