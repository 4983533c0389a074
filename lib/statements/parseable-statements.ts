// BEDROCK-S0: every statement of a migration parses with PostgreSQL's grammar. Checked by the
// judge while it parses (a statement that does not parse cannot be judged by the others).
import { StatementRule } from './statement-rule';

export const ParseableStatements: StatementRule = {
  id: 'BEDROCK-S0',
  name: 'ParseableStatements',
  description: "Every statement of a migration (up and down) parses with PostgreSQL's grammar",
  acknowledgeable: false,
  enforcedAt: 'the statement judge, while parsing (`check`, `generate` and the synth of each service stack)',
};

/** The finding for a section PostgreSQL's parser refuses. */
export function syntaxErrorMessage(section: 'up' | 'down', message: string): string {
  return `the ${section} SQL does not parse: ${message} (PostgreSQL's own parser): fix the statement`;
}
