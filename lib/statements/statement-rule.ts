// A statement rule: an id, a one-line description, and a pure function that says, for one
// parsed statement of a migration, what breaks the rule. The statement-level twin of
// lib/rules/rule.ts: the model rules judge constructs, these judge the SQL that will run.
import { StatementContext } from './statement-context';
import type { StatementFacts } from '../lint/statement-facts';

/** One statement of a migration, parsed by PostgreSQL's grammar. */
export interface ParsedStatement {
  /** libpg-query's node type, e.g. `DropStmt`. */
  readonly kind: string;
  /** The node itself (libpg-query's JSON). */
  readonly node: Record<string, unknown>;
  /** The statement's leading keywords as written, upper-cased, e.g. `DROP TABLE`. */
  readonly label: string;
  readonly section: 'up' | 'down';
  /** The 1-based line of the file on which the statement starts. */
  readonly line: number;
}

export interface StatementRule {
  /** Stable id, used in messages and in `-- bedrock:acknowledge <id> <reason>`, e.g. `BEDROCK-S1`. */
  readonly id: string;
  /** PascalCase name, like the file it lives in. */
  readonly name: string;
  /** One line on what the rule demands. */
  readonly description: string;
  /** Whether a migration file may acknowledge the rule's findings with a written reason. */
  readonly acknowledgeable: boolean;
  /** Where the rule is enforced when it has no `check` of its own (e.g. by the judge while parsing). */
  readonly enforcedAt?: string;
  /** Errors (the default) fail check and synth unless acknowledged; warnings are printed. */
  readonly severity?: 'error' | 'warning';
  /**
   * Every violation by `statement`, each a sentence with its fix; [] when it complies or the rule
   * does not apply. `facts`: what the migration around it says (lint rules need them).
   */
  readonly check?: (statement: ParsedStatement, context: StatementContext, facts?: StatementFacts) => string[];
}
