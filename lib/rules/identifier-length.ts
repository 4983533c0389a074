// BEDROCK-N3: names fit PostgreSQL's 63 bytes. Enforced when the table is built: a longer
// name would be truncated silently, so no acknowledgement can lift it.
import { Rule } from './rule';

export const IdentifierLength: Rule = {
  id: 'BEDROCK-N3',
  name: 'IdentifierLength',
  description: 'Every name fits in 63 bytes, the most PostgreSQL keeps',
  acknowledgeable: false,
  enforcedAt: 'construction of the Table (an error)',
};
