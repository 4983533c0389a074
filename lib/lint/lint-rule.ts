// A lint rule: what a statement risks on a table that may hold rows, in the facts a reviewer
// needs (the lock it takes and what that blocks, whether it rewrites or reads the whole
// table, why it is risky, the safe form), turned into a statement rule the judge applies to
// every statement, generated or hand-edited. A table created earlier in the same section is
// empty: nothing done to it is a risk.
import type { Lock } from '../migrations/change';
import type { StatementContext } from '../statements/statement-context';
import type { ParsedStatement, StatementRule } from '../statements/statement-rule';
import { StatementFacts } from './statement-facts';

/** What a lock held by a migration stops other sessions from doing. */
export type Blocks = 'reads and writes' | 'writes' | 'nothing';

/** The table locks the lint names: DDL's, and the one of UPDATE and DELETE (row locks only). */
export type LintLock = Exclude<Lock, 'none'> | 'ROW EXCLUSIVE';

export const BLOCKED_BY: Readonly<Record<LintLock, Blocks>> = {
  'ACCESS EXCLUSIVE': 'reads and writes',
  'ROW EXCLUSIVE': 'nothing',
  'SHARE ROW EXCLUSIVE': 'writes',
  SHARE: 'writes',
  'SHARE UPDATE EXCLUSIVE': 'nothing',
};

/** One risk a statement takes on one table. */
export interface Risk {
  /** `schema.table`, as the statement facts key tables. */
  readonly table: string;
  /** What the message names after "on", when not the table (e.g. `the table of index datahub.i`). */
  readonly on?: string;
  /** What the statement does, e.g. `builds index klines_symbol_idx`. */
  readonly what: string;
  readonly lock: LintLock;
  /** Whether it rewrites the table, reads all of it, or neither (while holding the lock). */
  readonly work: 'rewrite' | 'scan' | 'none';
  readonly why: string;
  /** The safe form, as a reviewer would write it. */
  readonly safe: string;
}

export interface LintRuleDefinition {
  readonly id: string;
  readonly name: string;
  /** Errors fail check and synth unless acknowledged; warnings are printed. */
  readonly severity: 'error' | 'warning';
  readonly description: string;
  /** Whether a file may acknowledge it with a reason. @default true (false where PostgreSQL itself refuses the statement) */
  readonly acknowledgeable?: boolean;
  /** The risks `statement` takes, on any table (those created in the same section are dropped by the caller). */
  risks(statement: ParsedStatement, facts: StatementFacts, schema: string): Risk[];
}

/** The statement rule of a lint rule: one message per risk on a table that may hold rows. */
export function lintRule(definition: LintRuleDefinition): StatementRule {
  return {
    id: definition.id,
    name: definition.name,
    description: definition.description,
    acknowledgeable: definition.acknowledgeable ?? true,
    severity: definition.severity,
    check: (statement: ParsedStatement, context: StatementContext, facts?: StatementFacts) => {
      if (!facts) return [];
      return definition
        .risks(statement, facts, context.schema)
        .filter((risk) => !facts.created.has(risk.table))
        .map((risk) => riskMessage(statement, risk));
    },
  };
}

/** `CREATE INDEX builds index i on datahub.klines: SHARE lock (blocks writes), reads the whole table. <why>. Safe: <safe>` */
export function riskMessage(statement: ParsedStatement, risk: Risk): string {
  const work = risk.work === 'rewrite' ? ', rewrites the whole table' : risk.work === 'scan' ? ', reads the whole table' : '';
  const why = `${risk.why.charAt(0).toUpperCase()}${risk.why.slice(1)}`;
  return `${statement.label} ${risk.what} on ${risk.on ?? risk.table}: ${risk.lock} lock (blocks ${BLOCKED_BY[risk.lock]})${work}. ${why}. Safe form: ${risk.safe}`;
}
