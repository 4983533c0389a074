// The error thrown when a table or type is defined wrongly: it names the construct path and
// lists every problem at once, each with its fix.
import { IConstruct } from 'constructs';

export class ModelError extends Error {
  constructor(
    readonly construct: IConstruct,
    readonly problems: readonly string[],
  ) {
    const where = construct.node.path;
    const list = problems.length === 1 ? ` ${problems[0]}` : `\n${problems.map((p) => `  - ${p}`).join('\n')}`;
    super(`${where}:${list}`);
    this.name = 'ModelError';
  }

  static throwIfAny(construct: IConstruct, problems: readonly string[]): void {
    if (problems.length > 0) throw new ModelError(construct, problems);
  }
}
