// The statement rules, in the order `rules` lists them and the judge applies them.
import { KnownStatementsOnly } from './known-statements-only';
import { NoIdentityOrPrivilegeChanges } from './no-identity-or-privilege-changes';
import { OwnSchemaOnly } from './own-schema-only';
import { ParseableStatements } from './parseable-statements';
import { ProceduralCodeAcknowledged } from './procedural-code-acknowledged';
import { StatementRule } from './statement-rule';
import { DataSectionsHoldDml } from './data-sections-hold-dml';
import { LINT_RULES } from '../lint/lint-rules';

/** The statement rules; BEDROCK-S5 judges only the statements of data sections (`-- +data`). */
export const STATEMENT_RULES: readonly StatementRule[] = [ParseableStatements, OwnSchemaOnly, NoIdentityOrPrivilegeChanges, ProceduralCodeAcknowledged, KnownStatementsOnly, DataSectionsHoldDml];

/** What the judge applies to every statement: the statement rules, then the lint rules (lib/lint). */
export const JUDGED_RULES: readonly StatementRule[] = [...STATEMENT_RULES, ...LINT_RULES];
