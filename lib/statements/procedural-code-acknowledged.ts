// BEDROCK-S3: procedural code (DO blocks, functions, procedures, triggers, rules, aggregates,
// operators) appears only where the file acknowledges it with a reason. The judge cannot see
// into a body (it is a string), and a function in a service schema shadows same-named
// functions for every app role whose search_path lists that schema: an exact argument-type
// match beats pg_catalog's own function.
import { StatementContext } from './statement-context';
import { ParsedStatement, StatementRule } from './statement-rule';
import { displayName, namesOf } from './syntax-tree';

export const ProceduralCodeAcknowledged: StatementRule = {
  id: 'BEDROCK-S3',
  name: 'ProceduralCodeAcknowledged',
  description: 'DO blocks, functions, procedures, triggers, rules, aggregates and operators need `-- bedrock:acknowledge BEDROCK-S3 <reason>` in the file',
  acknowledgeable: true,
  check: (statement, context) => {
    const why = PROCEDURAL[statement.kind]?.(statement, context);
    return why === undefined ? [] : [`${why}; ${HOW}`];
  },
};

const HOW = 'after review, acknowledge it in the file with a line `-- bedrock:acknowledge BEDROCK-S3 <reason>`, or write plain SQL statements instead';

type Explain = (statement: ParsedStatement, context: StatementContext) => string | undefined;

/** A routine, aggregate or operator created in the service's schema. */
function shadows(subject: string, what: string, { schema }: StatementContext): string {
  return (
    `${subject} creates a${/^[aeiou]/.test(what) ? 'n' : ''} ${what}: in ${schema}'s schema it shadows same-named ${what}s for every app role whose search_path lists ${schema} ` +
    "(an exact argument-type match beats pg_catalog's), and its body is not checked by the statement rules"
  );
}

const PROCEDURAL: Readonly<Record<string, Explain>> = {
  DoStmt: ({ label }) => `${label} runs procedural code whose body the statement rules cannot check (it is a string)`,
  CreateFunctionStmt: ({ label, node }, context) => shadows(`${label} ${displayName(namesOf(node.funcname))}`, node.is_procedure === true ? 'procedure' : 'function', context),
  AlterFunctionStmt: ({ label }) => `${label} changes how a routine runs, whose body the statement rules cannot check`,
  CreateTrigStmt: ({ label, node }) => `${label} runs ${displayName(namesOf(node.funcname))}() on writes to the table, a routine whose body the statement rules cannot check`,
  CreateEventTrigStmt: ({ label, node }) => `${label} runs ${displayName(namesOf(node.funcname))}() on DDL anywhere in the database, a routine whose body the statement rules cannot check`,
  RuleStmt: ({ label }) => `${label} rewrites the table's queries into other statements, hidden from whoever reads the table's definition`,
  DefineStmt: ({ label, node }, context) => {
    const what = DEFINED_ROUTINES[String(node.kind)];
    return what === undefined ? undefined : shadows(`${label} ${displayName(namesOf(node.defnames))}`, what, context);
  },
};

const DEFINED_ROUTINES: Readonly<Record<string, string>> = { OBJECT_AGGREGATE: 'aggregate', OBJECT_OPERATOR: 'operator' };

/** Kinds this rule judges whatever they hold (BEDROCK-S4 counts them as known; DefineStmt it judges by its kind). */
export const PROCEDURAL_STATEMENT_KINDS: readonly string[] = Object.keys(PROCEDURAL).filter((kind) => kind !== 'DefineStmt');
