// The statement rules, in the order `rules` lists them and the judge applies them.
import { KnownStatementsOnly } from './known-statements-only';
import { NoIdentityOrPrivilegeChanges } from './no-identity-or-privilege-changes';
import { OwnSchemaOnly } from './own-schema-only';
import { ParseableStatements } from './parseable-statements';
import { ProceduralCodeAcknowledged } from './procedural-code-acknowledged';
import { StatementRule } from './statement-rule';
import { DataSectionsHoldDml } from './data-sections-hold-dml';
import { LINT_RULES } from '../lint/lint-rules';

export const STATEMENT_RULES: readonly StatementRule[] = [ParseableStatements, OwnSchemaOnly, NoIdentityOrPrivilegeChanges, ProceduralCodeAcknowledged, KnownStatementsOnly];

/**
 * The rules on data sections (`-- +data`). Judged with the statement rules; kept out of
 * STATEMENT_RULES (what `rules` lists) until the command line lists them too.
 */
export const DATA_SECTION_RULES: readonly StatementRule[] = [DataSectionsHoldDml];

/** What the judge applies to every statement: the statement rules, the data-section rules, then the lint rules (lib/lint). */
export const JUDGED_RULES: readonly StatementRule[] = [...STATEMENT_RULES, ...DATA_SECTION_RULES, ...LINT_RULES];
