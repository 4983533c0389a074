// A migration file's steps as the runner needs them, decided here with PostgreSQL's parser at
// hand: which tables each step locks, which index a step outside a transaction builds or drops,
// and whether running it again after a failure is safe.
import { parseScript } from '../sql/parser';
import { qualifiedName } from '../sql/identifier';
import { PlannedStep, StepBatches, StepIndex } from '../runner/planned-migration';
import { StepText } from './migration-file';
import { BatchedStatement, batchedStatement } from '../sql/batched-statement';
import { stepTransfer } from './transfer-step';

/** A statement of a step, parsed. */
export interface StepStatement {
  readonly kind: string;
  readonly node: Record<string, unknown>;
  readonly sql: string;
  /** The 1-based line of the file on which it starts. */
  readonly line: number;
}

/**
 * The planned steps of a section. A step outside a transaction written without markers (a file
 * whose header says `-- transactional: false`) becomes one step per statement, as before. A
 * batched data section is one step that carries its batch plan (rendered here, where the parser
 * is): the runner runs it batch by batch, never as the one long transaction it declares it is not.
 */
export function plannedSteps(steps: readonly StepText[], schema: string, fileName: string): PlannedStep[] {
  return steps.flatMap((step) => {
    const statements = stepStatements(step, fileName);
    if (step.data?.kind === 'batched') return [{ ...planned(step, statements, schema, step.sql, step.line), batch: plannedBatches(step, fileName) }];
    if (step.mode === 'transfer') return [{ ...planned(step, statements, schema, step.sql, step.line), transfer: stepTransfer(step, statements, fileName, schema) }];
    if (step.mode !== 'outside transaction') return [planned(step, statements, schema, step.sql, step.line)];
    return statements.map((s) => planned(step, [s], schema, s.sql, s.line));
  });
}

/** What the runner needs of a batched data section: the declaration, and its statement with the batch bounds. */
function plannedBatches(step: StepText, fileName: string): StepBatches {
  const { size, statement } = stepBatch(step, fileName);
  const { schema, table, key } = statement.target;
  return { table: { schema, name: table }, key, size, first: statement.first, next: statement.next };
}

function planned(step: StepText, statements: readonly StepStatement[], schema: string, sql: string, line: number): PlannedStep {
  const transactional = step.mode !== 'outside transaction';
  const index = transactional ? undefined : indexOf(statements[0], schema);
  return {
    transactional,
    sql,
    tables: [...new Set(statements.flatMap((s) => relationsOf(s.node, schema)))],
    retrySafe: transactional || index !== undefined || statements.every((s) => s.kind === 'VacuumStmt'),
    ...(index ? { index } : {}),
    offline: step.mode === 'offline',
    line,
  };
}

/**
 * The statements of a step, each with its file line. A step must parse on its own: a step line
 * put inside a statement would cut it in two (the section as a whole still parses).
 */
export function stepStatements(step: StepText, fileName: string): StepStatement[] {
  const { sql } = step;
  const bytes = Buffer.from(sql, 'utf8');
  let parsed: ReturnType<typeof parseScript>;
  try {
    parsed = parseScript(sql);
  } catch (error) {
    throw new Error(`${fileName}: the step at line ${step.line} does not parse on its own (${(error as Error).message}): is a "-- +step" line inside a statement? Put it between two statements`);
  }
  return (parsed.stmts ?? []).map((raw) => {
    const start = raw.stmt_location ?? 0;
    const end = raw.stmt_len ? start + raw.stmt_len : bytes.length;
    const [[kind, node]] = Object.entries(raw.stmt as unknown as Record<string, Record<string, unknown>>);
    const text = bytes.subarray(start, end).toString('utf8');
    const leading = text.length - text.trimStart().length;
    const lineOffset = bytes.subarray(0, start).toString('utf8').split('\n').length - 1 + (text.slice(0, leading).match(/\n/g)?.length ?? 0);
    return { kind, node, sql: text.trim(), line: step.line + lineOffset };
  });
}

/** Every relation a statement names (tables, indexes), qualified: the ones its locks fall on. */
function relationsOf(node: unknown, schema: string): string[] {
  const found: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (typeof record.relname === 'string') found.push(qualifiedName(typeof record.schemaname === 'string' ? record.schemaname : schema, record.relname));
    Object.values(record).forEach(visit);
  };
  visit(node);
  const dropped = droppedIndex(node as Record<string, unknown>, schema);
  return dropped ? [...found, qualifiedName(dropped.schema, dropped.name)] : found;
}

/** The index a CREATE INDEX CONCURRENTLY or DROP INDEX CONCURRENTLY works on. */
function indexOf(statement: StepStatement | undefined, schema: string): StepIndex | undefined {
  if (!statement || statement.node.concurrent !== true) return undefined;
  if (statement.kind === 'IndexStmt') {
    const name = statement.node.idxname;
    const relation = statement.node.relation as Record<string, unknown> | undefined;
    // An index left unnamed gets a name PostgreSQL chooses, and one on an unqualified table lands
    // in whichever schema the search path finds the table in: a retry could not find either.
    if (typeof name !== 'string' || !relation || typeof relation.schemaname !== 'string' || typeof relation.relname !== 'string') return undefined;
    return { schema: relation.schemaname, name, table: qualifiedName(relation.schemaname, relation.relname), action: 'create' };
  }
  const dropped = statement.kind === 'DropStmt' ? droppedIndex(statement.node, schema) : undefined;
  return dropped?.qualified ? { schema: dropped.schema, name: dropped.name, action: 'drop' } : undefined;
}

function droppedIndex(node: Record<string, unknown>, schema: string): { schema: string; name: string; qualified: boolean } | undefined {
  if (node.removeType !== 'OBJECT_INDEX' || !Array.isArray(node.objects) || node.objects.length !== 1) return undefined;
  const items = ((node.objects[0] as { List?: { items?: { String?: { sval?: string } }[] } }).List?.items ?? []).map((i) => i.String?.sval);
  if (items.length === 0 || items.length > 2 || items.some((i) => typeof i !== 'string')) return undefined;
  return items.length === 2 ? { schema: items[0]!, name: items[1]!, qualified: true } : { schema, name: items[0]!, qualified: false };
}

/** The batch plan of a batched data section: its size and statement with the batch bounds, rendered here where the parser is. */
export interface StepBatch {
  readonly size: number;
  readonly statement: BatchedStatement;
}

/** A batched data section's batch plan; throws naming the file and line when its statement cannot run in batches (check says why first). */
export function stepBatch(step: StepText, fileName: string): StepBatch {
  if (step.data?.kind !== 'batched') throw new Error(`${fileName}: line ${step.line}: not a batched data section`);
  const { schema, table, key, size } = step.data;
  try {
    return { size, statement: batchedStatement(step.sql, { schema, table, key }) };
  } catch (error) {
    throw new Error(`${fileName}: line ${step.line}: the batched data section cannot run in batches: ${(error as Error).message}`);
  }
}
