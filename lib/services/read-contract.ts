// What a service declares it reads of another service's tables: a whole table
// (`'datahub.klines'`), or some of its columns (`{ table: 'datahub.klines', columns: [...] }`).
// The owner may not drop, rename or retype a declared column (BEDROCK-O7, check, synth and
// generate say who reads it). The grant is still on the whole table (see access-policy.ts).
import { identifierProblem } from '../sql/identifier';

/** A declared read of columns of one table. */
export interface ColumnRead {
  /** `<service>.<table>`. */
  readonly table: string;
  readonly columns: readonly string[];
}

/** A service's declaration of what it reads: a whole table, or columns of one. */
export type ReadDeclaration = string | ColumnRead;

/** A declaration, normalized: the table, and its columns when only some are read. */
export interface ReadContract {
  readonly table: string;
  /** undefined: the whole table. */
  readonly columns?: readonly string[];
}

export function readContract(declaration: ReadDeclaration): ReadContract {
  return typeof declaration === 'string' ? { table: declaration } : { table: declaration.table, columns: [...declaration.columns] };
}

/** What is wrong with a declaration, each problem naming it and the fix. */
export function readDeclarationProblems(service: string, declaration: unknown): string[] {
  const example = `e.g. 'datahub.klines' or { table: 'datahub.klines', columns: ['symbol', 'close'] }`;
  if (typeof declaration === 'string') return /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/.test(declaration) ? [] : [`service "${service}" reads ${JSON.stringify(declaration)}: write <service>.<table>, ${example}`];
  if (typeof declaration !== 'object' || declaration === null) return [`service "${service}" reads ${JSON.stringify(declaration)}: give a table or { table, columns }, ${example}`];
  const { table, columns } = declaration as Partial<ColumnRead>;
  const problems = readDeclarationProblems(service, table);
  if (!Array.isArray(columns) || columns.length === 0) return [...problems, `service "${service}" reads columns of ${String(table)}: list at least one column, ${example}`];
  for (const column of columns) {
    const problem = typeof column === 'string' ? identifierProblem(column) : 'not a string';
    if (problem) problems.push(`service "${service}" reads column ${JSON.stringify(column)} of ${String(table)}: ${problem}`);
  }
  const role = `${service}_reads_${String(table).split('.')[1] ?? ''}`;
  if (Buffer.byteLength(role, 'utf8') > 63) problems.push(`service "${service}" reads columns of ${String(table)}: the role holding them, ${role}, is longer than 63 bytes: declare the whole table, or shorten the names`);
  const repeated = columns.filter((c, i) => columns.indexOf(c) !== i);
  if (repeated.length > 0) problems.push(`service "${service}" reads column ${repeated[0]} of ${String(table)} twice: list it once`);
  return problems;
}
