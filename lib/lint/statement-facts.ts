// What a lint rule needs to know about a statement beyond its own text: the step it runs in,
// the tables created earlier in the same section (empty: nothing there is at risk), the
// `col IS NOT NULL` checks validated earlier (SET NOT NULL then skips its scan), and the
// lock_timeout the step raised, if any.
import type { Migration } from '../migrations/migration-file';
import type { DataDeclaration, StepMode } from '../migrations/migration-file';
import type { ParsedStatement } from '../statements/statement-rule';

export interface StatementFacts {
  /** How the statement's step runs. */
  readonly mode: StepMode;
  /** Set when the statement is in a data section (`-- +data ...`): hand-written DML. */
  readonly data?: DataDeclaration;
  /** Tables (`schema.name`, unquoted, schema defaulted) created earlier in the same section. */
  readonly created: ReadonlySet<string>;
  /** `schema.table.column` proved NOT NULL by a check validated earlier in the section. */
  readonly provenNotNull: ReadonlySet<string>;
  /** The lock_timeout the step set (SET LOCAL lock_timeout) before the statement, in ms; undefined: the runner's. */
  readonly lockTimeoutMs?: number;
}

/** A table's key in the facts: `schema.name`, the schema defaulted to the service's. */
export function tableKey(relation: Record<string, unknown> | undefined, schema: string): string {
  return `${typeof relation?.schemaname === 'string' ? relation.schemaname : schema}.${String(relation?.relname ?? '')}`;
}

/** The facts of every statement of `migration`, by statement. */
export function statementFacts(migration: Migration, statements: readonly ParsedStatement[], schema: string): Map<ParsedStatement, StatementFacts> {
  const facts = new Map<ParsedStatement, StatementFacts>();
  // A table the up creates is the migration's own in its down too: dropping it there undoes the
  // migration (whatever rows it holds were written since, and go with it).
  const createdByUp = new Set<string>();
  for (const section of ['up', 'down'] as const) {
    const steps = section === 'up' ? migration.upSteps : migration.downSteps;
    const created = section === 'up' ? createdByUp : new Set<string>(createdByUp);
    const provenNotNull = new Set<string>();
    const notNullChecks = new Map<string, string>(); // `schema.table.check` -> `schema.table.column`
    let step = -1;
    let lockTimeoutMs: number | undefined;
    for (const statement of statements.filter((s) => s.section === section)) {
      const at = stepAt(steps, statement.line);
      if (at !== step) [step, lockTimeoutMs] = [at, undefined];
      const data = steps[at]?.data;
      facts.set(statement, {
        mode: steps[at]?.mode ?? 'transaction',
        ...(data !== undefined ? { data } : {}),
        created: new Set(created),
        provenNotNull: new Set(provenNotNull),
        ...(lockTimeoutMs !== undefined ? { lockTimeoutMs } : {}),
      });
      lockTimeoutMs = lockTimeoutSet(statement) ?? lockTimeoutMs;
      learn(statement, schema, { created, provenNotNull, notNullChecks });
    }
  }
  return facts;
}

/** The index of the step whose SQL holds `line` (the last one starting at or before it). */
function stepAt(steps: readonly { readonly line: number }[], line: number): number {
  let found = 0;
  steps.forEach((step, index) => {
    if (step.line <= line) found = index;
  });
  return found;
}

/** `SET LOCAL lock_timeout = '5s'` in ms (a plain number is ms, as PostgreSQL reads it). */
function lockTimeoutSet(statement: ParsedStatement): number | undefined {
  const { node } = statement;
  if (statement.kind !== 'VariableSetStmt' || String(node.name).toLowerCase() !== 'lock_timeout' || !Array.isArray(node.args)) return undefined;
  const value = node.args[0] as { A_Const?: { sval?: { sval?: string }; ival?: { ival?: number } } };
  const text = value.A_Const?.sval?.sval ?? String(value.A_Const?.ival?.ival ?? 0);
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|h|d)?\s*$/.exec(text);
  if (!match) return undefined;
  const unit = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 'ms']!;
  return Number(match[1]) * unit;
}

/** What a statement teaches about the ones after it. */
function learn(statement: ParsedStatement, schema: string, known: { created: Set<string>; provenNotNull: Set<string>; notNullChecks: Map<string, string> }): void {
  const { node } = statement;
  if (statement.kind === 'CreateStmt' || statement.kind === 'CreateTableAsStmt') {
    const relation = (node.relation ?? (node.into as Record<string, unknown> | undefined)?.rel) as Record<string, unknown> | undefined;
    known.created.add(tableKey(relation, schema));
    return;
  }
  if (statement.kind !== 'AlterTableStmt') return;
  const table = tableKey(node.relation as Record<string, unknown>, schema);
  for (const command of alterCommands(node)) {
    const constraint = (command.def as { Constraint?: Record<string, unknown> } | undefined)?.Constraint;
    const column = constraint && constraint.contype === 'CONSTR_CHECK' ? isNotNullColumn(constraint.raw_expr) : undefined;
    if (command.subtype === 'AT_AddConstraint' && column !== undefined && typeof constraint?.conname === 'string') {
      if (constraint.skip_validation === true) known.notNullChecks.set(`${table}.${constraint.conname}`, `${table}.${column}`);
      else known.provenNotNull.add(`${table}.${column}`);
    }
    if (command.subtype === 'AT_ValidateConstraint') {
      const proven = known.notNullChecks.get(`${table}.${String(command.name)}`);
      if (proven) known.provenNotNull.add(proven);
    }
  }
}

/** The commands of an ALTER TABLE. */
export function alterCommands(node: Record<string, unknown>): Record<string, unknown>[] {
  return ((node.cmds as { AlterTableCmd?: Record<string, unknown> }[] | undefined) ?? []).flatMap((c) => (c.AlterTableCmd ? [c.AlterTableCmd] : []));
}

/** The column of `col IS NOT NULL`, or undefined. */
function isNotNullColumn(expression: unknown): string | undefined {
  const test = (expression as { NullTest?: { nulltesttype?: string; arg?: { ColumnRef?: { fields?: { String?: { sval?: string } }[] } } } } | undefined)?.NullTest;
  if (test?.nulltesttype !== 'IS_NOT_NULL') return undefined;
  const fields = test.arg?.ColumnRef?.fields ?? [];
  return fields.length === 1 ? fields[0].String?.sval : undefined;
}
