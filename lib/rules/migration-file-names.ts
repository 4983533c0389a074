// BEDROCK-M1: migration files are named <YYYYMMDD_HHMMSS>_<service>_<description>.sql and form
// one linear chain per service with matching checksums. Enforced by `check` and at synth.
import { Rule } from './rule';

export const MigrationFileNames: Rule = {
  id: 'BEDROCK-M1',
  name: 'MigrationFileNames',
  description: 'Migrations are <YYYYMMDD_HHMMSS>_<service>_<description>.sql, one linear chain per service, checksums intact',
  acknowledgeable: false,
  enforcedAt: '`npm run bedrock -- check` and the synth of each service stack',
};
