// A rule of the Bedrock rule pack: an id, a one-line description, and a pure function that
// says, for one construct, what breaks the rule (nothing when it holds or does not apply).
import { IConstruct } from 'constructs';
import { ServiceRegistry } from '../services/service-registry';
import { Table } from '../model/table';

/** What every rule may look at besides the construct itself. */
export interface RuleContext {
  readonly registry: ServiceRegistry;
  /** Every table of the app (all services), for rules that compare tables across services. */
  readonly tables: readonly Table[];
  /**
   * The project's folder (absolute), where files the constructs link to are looked up, e.g.
   * decision records in docs/adr/ (lib/rules/project-root.ts says how it is found).
   */
  readonly root: string;
}

export interface Rule {
  /** Stable id, used in messages and acknowledgements, e.g. `BEDROCK-O3`. */
  readonly id: string;
  /** PascalCase name, like the file it lives in. */
  readonly name: string;
  /** One line on what the rule demands. */
  readonly description: string;
  /** Whether a construct may acknowledge a finding with a written reason. */
  readonly acknowledgeable: boolean;
  /**
   * Where the rule is enforced when not by this pack at synth: a rule that must hold before a
   * construct can even be built (a 64-byte name, a table outside any service) is enforced
   * there, as an error, and listed here so `rules` shows the whole set.
   */
  readonly enforcedAt?: string;
  /** Every violation on `construct`, each a sentence with its fix; [] when compliant or not applicable. */
  readonly check?: (construct: IConstruct, context: RuleContext) => string[];
}
