// BEDROCK-S5: a data section (`-- +data`) holds hand-written DML, and only that: the schema is
// the model's (a change of the tables in code, written by `generate`), never a person's SQL in a
// data section. A batched section's statement is one UPDATE or DELETE of the declared table that
// the runner can run in key ranges. Which schema it may touch is BEDROCK-S1's (own schema only),
// what it may call BEDROCK-S2's, its risk the lint's (L12 knows the runner bounds each batch).
// What needs the snapshots (the key is unique and NOT NULL) and the whole section (exactly one
// statement, none empty) is checked with the folder: lib/migrations/data-sections-check.ts.
import { batchedStatementProblem } from '../sql/batched-statement';
import { StatementContext } from './statement-context';
import { ParsedStatement, StatementRule } from './statement-rule';

export const DataSectionsHoldDml: StatementRule = {
  id: 'BEDROCK-S5',
  name: 'DataSectionsHoldDml',
  description:
    'A data section (`-- +data`) holds only INSERT, UPDATE, DELETE and SELECT; a batched one (`-- +data batched <schema>.<table> key <column> size <rows>`) exactly one UPDATE or DELETE of its table, keyed by a unique NOT NULL column of the service\'s own schema',
  acknowledgeable: false,
  check: (statement, context, facts) => {
    if (!facts?.data) return [];
    const kind = dmlProblem(statement, context);
    if (kind) return [kind];
    if (facts.data.kind !== 'batched') return [];
    const problem = batchedStatementProblem(statement.kind, statement.node, facts.data);
    return problem ? [`${statement.label} in the batched data section: ${problem}`] : [];
  },
};

const DML = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'SelectStmt']);

/** Fixes for what people do put into data sections. */
const FIXES: Readonly<Record<string, string>> = {
  TruncateStmt: 'TRUNCATE takes the table from every reader at once: DELETE the rows (in a batched section for a big table)',
  MergeStmt: 'PostgreSQL 14, the oldest target, has no MERGE: write INSERT ... ON CONFLICT, or UPDATE ... FROM',
  CopyStmt: 'COPY reads or writes files on the server or the client, not the migration\'s business: write INSERT ... VALUES',
  DoStmt: 'procedural code is not looked into by the rules: write the DML itself (one batched UPDATE or DELETE for a big table)',
  CallStmt: 'a procedure is not looked into by the rules: write the DML itself',
  TransactionStmt: 'the runner runs each data section in a transaction of its own (each batch of a batched one): remove it',
  VariableSetStmt: 'the runner sets the timeouts and the role: remove it (a data section too long for the statement timeout is a batched one)',
  LockStmt: 'the runner takes no table lock for data: UPDATE and DELETE lock only the rows they change; remove it',
};

function dmlProblem(statement: ParsedStatement, context: StatementContext): string | undefined {
  const { kind, node } = statement;
  if (kind === 'SelectStmt' && node.intoClause !== undefined) {
    return `${statement.label} ... INTO creates a table: a data section only reads and writes rows of ${context.service}'s tables; new tables come from the model (\`generate\`)`;
  }
  if (DML.has(kind)) return undefined;
  const fix = FIXES[kind] ?? `schema changes come from the tables in code (\`generate\` writes them, \`check\` compares them), never from a data section`;
  return `${statement.label} is not DML: a data section holds only INSERT, UPDATE, DELETE and SELECT on ${context.service}'s tables; ${fix}`;
}
