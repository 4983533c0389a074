// The sha256 of a migration file or manifest, hex. Its own file so the bundled runner can
// check checksums without pulling in the migration file parser (and PostgreSQL's scanner).
import { createHash } from 'node:crypto';

export function checksumOf(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
