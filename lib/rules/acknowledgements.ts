// Acknowledging a rule on one construct, with a written reason (like cdk-nag suppressions).
// The reason is mandatory; acknowledged findings are listed in the ownership registry.
import { IConstruct } from 'constructs';

export interface Acknowledgement {
  /** The rule's id, e.g. BEDROCK-N2. */
  readonly rule: string;
  /** Why breaking the rule is right here. */
  readonly reason: string;
}

const KEY = Symbol.for('bedrock-schema.acknowledgements');

type WithAcknowledgements = IConstruct & { [KEY]?: Acknowledgement[] };

/** Records that `construct` knowingly breaks `rule`, and why. */
export function acknowledge(construct: IConstruct, rule: string, reason: string): void {
  const target = construct as WithAcknowledgements;
  target[KEY] = [...(target[KEY] ?? []), { rule, reason }];
}

/** The acknowledgements recorded on `construct` itself. */
export function acknowledgementsOf(construct: IConstruct): readonly Acknowledgement[] {
  return (construct as WithAcknowledgements)[KEY] ?? [];
}
