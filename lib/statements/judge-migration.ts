// The statement judge: every statement of a migration's up and down, parsed by PostgreSQL's
// grammar and run through the statement rules. Each finding names the file, the line the
// statement starts on, the rule and the fix; acknowledged findings of acknowledgeable rules
// are dropped, and malformed acknowledgements are findings themselves.
import { Migration, RENDERER } from '../migrations/migration-file';
import { transferLine } from '../sql/transfer-statements';
import { transferLineProblem } from '../migrations/transfer-step';
import { BoundedCache } from './bounded-cache';
import { fileAcknowledgements } from './file-acknowledgements';
import { parsedMigration } from './parsed-migration';
import { ParseableStatements, syntaxErrorMessage } from './parseable-statements';
import { StatementContext } from './statement-context';
import { ParsedStatement, StatementRule } from './statement-rule';
import { JUDGED_RULES } from './statement-rules';
import { StatementFacts, statementFacts } from '../lint/statement-facts';

export interface StatementFinding {
  readonly service: string;
  /** The migration's id; its file is `<migration>.sql`. */
  readonly migration: string;
  /** The 1-based line of the file. */
  readonly line: number;
  readonly rule: string;
  readonly message: string;
  /** Errors fail check and synth unless acknowledged; warnings are printed. */
  readonly severity: 'error' | 'warning';
}

/** `portfolio: <id>.sql line 14: [BEDROCK-S1] DROP TABLE datahub.klines touches ...` */
export function findingText(finding: StatementFinding): string {
  return `${finding.service}: ${finding.migration}.sql line ${finding.line}: [${finding.rule}] ${finding.message}`;
}

const judged = new BoundedCache<readonly StatementFinding[]>();

/** Every finding in `migration`, in the order of its lines. Judged once per file content and context. */
export function judgeMigration(migration: Migration, context: StatementContext, rules: readonly StatementRule[] = JUDGED_RULES): StatementFinding[] {
  if (rules !== JUDGED_RULES) return judge(migration, context, rules);
  return [...judged.get(`${migration.checksum} ${contextKey(context)}`, () => judge(migration, context, rules))];
}

/** Everything a finding depends on besides the file. */
function contextKey(context: StatementContext): string {
  const { service, schema, ownerRole, otherServices, extensionSchemas } = context;
  return JSON.stringify([service, schema, ownerRole, [...otherServices], extensionSchemas]);
}

function judge(migration: Migration, context: StatementContext, rules: readonly StatementRule[]): StatementFinding[] {
  const parsed = parsedMigration(migration);
  const acknowledgements = fileAcknowledgements(parsed.comments, rules);
  const finding = (line: number, rule: string, message: string, section?: 'up' | 'down'): StatementFinding => ({
    service: context.service,
    migration: migration.id,
    line,
    rule,
    message,
    severity: severityOf(rules.find((r) => r.id === rule), section),
  });
  const facts = statementFacts(migration, parsed.statements, context.schema);
  const generatedTransfer = transferLines(migration);
  const findings = [
    ...parsed.syntaxErrors.map((error) => finding(error.line, ParseableStatements.id, syntaxErrorMessage(error.section, error.message))),
    ...acknowledgements.problems.map((problem) => finding(problem.line, problem.rule, problem.message)),
    ...parsed.statements.flatMap((statement) =>
      generatedTransfer(statement) ? [] : statementFindings(statement, context, rules, acknowledgements.acknowledged, facts.get(statement)).map(([rule, message]) => finding(statement.line, rule, message, statement.section)),
    ),
  ];
  return findings.sort((a, b) => a.line - b.line);
}

/**
 * Whether a statement lies in a transfer step (`-- +step transfer`) of a file the current
 * renderer wrote. Such a step moves a table between two services' schemas and grants its writes
 * (lib/sql/transfer-statements.ts): what the statement rules refuse anywhere else. It is taken
 * as generated because `check` and synth render it again from the snapshots and refuse any
 * difference (schema-part-check.ts), and planned-steps.ts admits only its forms. In a file of
 * another renderer, nothing is exempt: the rules refuse it.
 */
function transferLines(migration: Migration): (statement: ParsedStatement) => boolean {
  if (migration.renderer !== RENDERER) return () => false;
  const ranges = (['up', 'down'] as const).flatMap((section) => {
    const steps = section === 'up' ? migration.upSteps : migration.downSteps;
    const wellFormed = (sql: string) => {
      const line = transferLine(sql.split('\n')[0].trim());
      return line !== undefined && transferLineProblem(line, migration.service) === undefined;
    };
    return steps.flatMap((step, i) => (step.mode === 'transfer' && wellFormed(step.sql) ? [{ section, from: step.line, to: steps[i + 1]?.line ?? Number.MAX_SAFE_INTEGER }] : []));
  });
  return (statement) => ranges.some((r) => r.section === statement.section && statement.line >= r.from && statement.line < r.to);
}

/**
 * A rule's severity for a finding. A risk in a down (a lint rule a file may acknowledge) is a
 * warning: downs run only where the environment allows downgrades (local, dev), and the
 * runner's offline limit still holds there; what PostgreSQL refuses outright stays an error.
 */
function severityOf(rule: StatementRule | undefined, section: 'up' | 'down' | undefined): 'error' | 'warning' {
  const severity = rule?.severity ?? 'error';
  return section === 'down' && rule?.severity !== undefined && rule.acknowledgeable ? 'warning' : severity;
}

function statementFindings(statement: ParsedStatement, context: StatementContext, rules: readonly StatementRule[], acknowledged: ReadonlyMap<string, string>, facts: StatementFacts | undefined): [string, string][] {
  return rules.flatMap((rule) => {
    if (!rule.check || (rule.acknowledgeable && acknowledged.has(rule.id))) return [];
    try {
      return rule.check(statement, context, facts).map((message): [string, string] => [rule.id, message]);
    } catch (error) {
      // A syntax tree the rule did not expect is refused (the safe answer), never a crash of synth.
      return [[rule.id, `${statement.label} could not be judged (${(error as Error).message}): rewrite the statement, and report it as an issue`]];
    }
  });
}

/** Every error in `migrations` (unacknowledged), one line each, for `check`, `generate` and synth. */
export function statementProblems(migrations: readonly Migration[], context: StatementContext): string[] {
  return migrations.flatMap((migration) => judgeMigration(migration, context)).filter((f) => f.severity === 'error').map(findingText);
}

/** Every warning in `migrations`, one line each: printed by `check` and `generate`, never failing them. */
export function statementWarnings(migrations: readonly Migration[], context: StatementContext): string[] {
  return migrations.flatMap((migration) => judgeMigration(migration, context)).filter((f) => f.severity === 'warning').map(findingText);
}
