// The review page's content, as data (the Markdown and the JSON are two renderings of it): per
// service, the migrations pending against a base with each statement's lock and lint findings,
// the grants gained and lost, the shared-write exceptions added and removed (with their reasons and
// decision records), the read contracts and ownership rows touched, and an ER diagram.
import { Migration, StepText } from '../migrations/migration-file';
import { stepBatch, StepStatement, stepStatements } from '../migrations/planned-steps';
import { statementLock } from '../lint/statement-lock';
import { migrationDirectoryOf, BedrockProject, serviceStacksOf } from '../project';
import { judgeMigration } from '../statements/judge-migration';
import { parsedMigration } from '../statements/parsed-migration';
import { fileAcknowledgements } from '../statements/file-acknowledgements';
import { JUDGED_RULES } from '../statements/statement-rules';
import { statementContext } from '../statements/statement-context';
import { renderAccess, renderOwnershipRegistry } from '../registry/ownership-registry';
import { decisionRecordProblem } from '../model/decision-record';
import { sharedWriterRoleName } from '../stacks/access-policy';
import { erDiagram } from './er-diagram';
import { GitBase } from './git-base';
import type { ParsedStatement } from '../statements/statement-rule';

export interface ReviewStatement {
  readonly line: number;
  readonly sql: string;
  readonly lock: string;
  readonly blocks: string;
  readonly findings: readonly { readonly rule: string; readonly severity: string; readonly message: string }[];
}

export interface ReviewStep {
  readonly mode: string;
  /**
   * For a data section: who wrote it and how it runs, e.g. `data (hand-written, one transaction)`,
   * `data (hand-written): batched UPDATE of datahub.klines by id, 10,000 rows per batch`.
   */
  readonly data?: string;
  /** For a batched data section: the statement each batch after the first runs, as the plan rendered it ($1, $2: the batch's bounds). */
  readonly batchStatement?: string;
  readonly statements: readonly ReviewStatement[];
}

export interface ReviewMigration {
  readonly id: string;
  /** The file header's summary lines (what it does, data loss, not online). */
  readonly header: readonly string[];
  readonly steps: readonly ReviewStep[];
  readonly acknowledgements: readonly { readonly rule: string; readonly reason: string }[];
}

/** A shared-write exception on one of the service's tables, as the ownership registry lists it. */
export interface SharedWriteException {
  /** `<service>.<table>`, e.g. `decision_engine.signals`. */
  readonly table: string;
  /** The service that may write it besides the owner. */
  readonly writer: string;
  /** The role holding the writer's INSERT, UPDATE, DELETE, e.g. `portfolio_writes_signals`. */
  readonly role: string;
  readonly reason: string;
  /** The decision record linked, e.g. `docs/adr/0001-portfolio-writes-signals.md`; absent in a base written before records were linked. */
  readonly decision?: string;
}

export interface ServiceReview {
  readonly service: string;
  readonly migrations: readonly ReviewMigration[];
  readonly grants: { readonly gained: readonly string[]; readonly lost: readonly string[] };
  /**
   * Shared-write exceptions on the service's tables added or removed against the base, each with
   * its reason and decision record (a changed reason or record is one removed and one added).
   */
  readonly sharedWriters: { readonly added: readonly SharedWriteException[]; readonly removed: readonly SharedWriteException[] };
  readonly readContracts: { readonly added: readonly string[]; readonly removed: readonly string[] };
  readonly ownership: { readonly added: readonly string[]; readonly removed: readonly string[] };
  /** Mermaid erDiagram source. */
  readonly diagram: string;
}

export interface ReviewPage {
  readonly base: string;
  /** False when the base has no docs/ACCESS.md (it predates it): grants are not compared. */
  readonly grantsCompared: boolean;
  readonly services: readonly ServiceReview[];
}

export function reviewPage(project: BedrockProject, base: GitBase, services: readonly string[] = project.registry.names): ReviewPage {
  // The model built once, for the page and for the head's generated documents it compares.
  const stacks = serviceStacksOf(project);
  const headAccess = sections(renderAccess(project, stacks));
  const baseAccessText = base.text('docs/ACCESS.md');
  const baseAccess = sections(baseAccessText ?? '');
  const headRegistry = renderOwnershipRegistry(project, stacks).split('\n');
  const baseRegistry = (base.text('docs/TABLE_OWNERSHIP.md') ?? '').split('\n');
  return {
    base: base.ref,
    grantsCompared: baseAccessText !== undefined,
    services: stacks.filter((stack) => services.includes(stack.service)).map((stack) => {
      const service = stack.service;
      const directory = migrationDirectoryOf(project, service);
      const atBase = new Set(base.files(directory.directory).filter((f) => f.endsWith('.sql')).map((f) => f.replace(/\.sql$/, '')));
      const pending = directory.read().migrations.filter((m) => !atBase.has(m.id));
      const ownRows = (lines: readonly string[], marker: (l: string) => boolean) => lines.filter(marker);
      const ownership = (l: string) => new RegExp(`^\\| \`[^\`]+\` \\| ${service} \\|`).test(l);
      const exceptions = (lines: readonly string[]) => sharedWriteExceptions(lines).filter((e) => e.table.startsWith(`${service}.`));
      const contract = (l: string) => new RegExp(`^\\| [a-z0-9_]+ \\| \`${service}\\.`).test(l);
      return {
        service,
        migrations: pending.map((m) => reviewMigration(m, service, project)),
        grants: baseAccessText === undefined ? { gained: [], lost: [] } : gainedAndLost(difference(baseAccess.get(service) ?? [], headAccess.get(service) ?? [])),
        readContracts: difference(ownRows(baseRegistry, contract).map(contractText), ownRows(headRegistry, contract).map(contractText)),
        sharedWriters: exceptionDifference(exceptions(baseRegistry), exceptions(headRegistry)),
        // The ownership table only: the exceptions are shown above, with their reasons and records.
        ownership: difference(ownRows(section(baseRegistry, OWNERSHIP_HEADING), ownership), ownRows(section(headRegistry, OWNERSHIP_HEADING), ownership)),
        diagram: erDiagram(stack.tables),
      };
    }),
  };
}

function reviewMigration(migration: Migration, service: string, project: BedrockProject): ReviewMigration {
  const findings = judgeMigration(migration, statementContext(service, project.registry));
  const parsed = parsedMigration(migration);
  return {
    id: migration.id,
    header: migration.text.slice(0, migration.text.indexOf('-- +up')).split('\n').filter((l) => /^--\s{3}/.test(l) || /^-- (Destroys data|Not online)/.test(l)).map((l) => l.replace(/^--\s*/, '')),
    steps: migration.upSteps.map((step) => {
      const statements = stepStatements(step, `${migration.id}.sql`);
      return {
        mode: step.mode,
        ...dataStep(step, statements, `${migration.id}.sql`),
        statements: statements.map((s) => {
          const { lock, blocks } = statementLock(s as unknown as ParsedStatement);
          return { line: s.line, sql: s.sql, lock, blocks, findings: findings.filter((f) => f.line === s.line).map((f) => ({ rule: f.rule, severity: f.severity, message: f.message })) };
        }),
      };
    }),
    acknowledgements: [...fileAcknowledgements(parsed.comments, JUDGED_RULES).acknowledged].map(([rule, reason]) => ({ rule, reason })),
  };
}

/** How a data section runs, in words, and for a batched one the statement each batch runs (when it can run in batches: check says why not). */
function dataStep(step: StepText, statements: readonly StepStatement[], fileName: string): Pick<ReviewStep, 'data' | 'batchStatement'> {
  if (!step.data) return {};
  if (step.data.kind === 'transaction') return { data: 'data (hand-written, one transaction)' };
  const { schema, table, key, size } = step.data;
  const kind = statements.length === 1 ? statements[0].kind.replace(/Stmt$/, '').toUpperCase() : 'statements';
  const data = `data (hand-written): batched ${kind} of ${schema}.${table} by ${key}, ${size.toLocaleString('en-US')} rows per batch`;
  try {
    return { data, batchStatement: stepBatch(step, fileName).statement.next };
  } catch {
    return { data };
  }
}

/** A registry row `| portfolio | \`datahub.klines\` | \`symbol\`, \`close\` | datahub |` in words. */
function contractText(row: string): string {
  const [reader, table, columns] = row.split('|').slice(1, 4).map((c) => c.trim());
  return `${reader} reads ${table}: ${columns === 'all' ? 'the whole table' : `columns ${columns}`}`;
}

/** `## service` sections of a generated document: the `- ` lines under each heading. */
function sections(text: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    const heading = /^## (.+)$/.exec(line);
    if (heading) found.set(heading[1], (current = []));
    else if (current && line.startsWith('- ')) current.push(line.slice(2));
  }
  return found;
}

const OWNERSHIP_HEADING = '## Table Ownership Registry';
const SHARED_WRITE_HEADING = '## Exception: Shared Write Access';

/** The lines of a generated document under `heading`, up to the next `## ` heading. */
function section(lines: readonly string[], heading: string): string[] {
  const start = lines.indexOf(heading);
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  return lines.slice(start + 1, end < 0 ? lines.length : end);
}

/**
 * The rows of the registry's shared-write table, read back: `| \`table\` | owner | writer |
 * reason | [record](link) |` (a base written before records were linked has no decision column).
 * The base's file is only text in git: a decision that is not a record's path is left out.
 */
function sharedWriteExceptions(lines: readonly string[]): SharedWriteException[] {
  return section(lines, SHARED_WRITE_HEADING).flatMap((line) => {
    // Cells are split at pipes that no backslash escapes (the registry escapes pipes in reasons).
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    const table = /^`([a-z0-9_]+)`$/.exec(cells[0] ?? '');
    if (!table || cells.length < 4) return [];
    const [, owner, writer, reason, decisionCell] = cells;
    if (!/^[a-z0-9_]+$/.test(owner) || !/^[a-z0-9_]+$/.test(writer)) return [];
    const record = /^\[([^\]]+)\]\(/.exec(decisionCell ?? '')?.[1];
    return [{
      table: `${owner}.${table[1]}`,
      writer,
      role: sharedWriterRoleName(writer, table[1]),
      reason: reason.replace(/\\\|/g, '|'),
      ...(record !== undefined && decisionRecordProblem(record) === undefined ? { decision: record } : {}),
    }];
  });
}

function exceptionDifference(before: readonly SharedWriteException[], after: readonly SharedWriteException[]): { added: SharedWriteException[]; removed: SharedWriteException[] } {
  const key = (e: SharedWriteException) => JSON.stringify([e.table, e.writer, e.reason, e.decision ?? null]);
  const beforeKeys = new Set(before.map(key));
  const afterKeys = new Set(after.map(key));
  return { added: after.filter((e) => !beforeKeys.has(key(e))), removed: before.filter((e) => !afterKeys.has(key(e))) };
}

function difference(before: readonly string[], after: readonly string[]): { added: string[]; removed: string[] } {
  return { added: after.filter((l) => !before.includes(l)), removed: before.filter((l) => !after.includes(l)) };
}

const gainedAndLost = ({ added, removed }: { added: string[]; removed: string[] }) => ({ gained: added, lost: removed });
