// bedrock.sum, the one type that formats and parses it: `h1:<sha256 of the body>` on the first
// line, then one `<migration id> <sha256 of its file>` line per migration in chain order.
import { checksumOf } from './checksum';

const TOTAL = /^h1:[0-9a-f]{64}$/;
const ENTRY = /^(\S+) ([0-9a-f]{64})$/;

export interface SumFile {
  /** The first line, e.g. `h1:0aed...`, when there is one. */
  readonly total?: string;
  /** Migration id to checksum, for every well-formed line. */
  readonly checksums: ReadonlyMap<string, string>;
  /** What is wrong with the text, one sentence per line at fault (without file or fix). */
  readonly problems: readonly string[];
}

/** The text of bedrock.sum for these migrations, in chain order. */
export function formatSum(migrations: readonly { readonly id: string; readonly checksum: string }[]): string {
  const body = migrations.map((m) => `${m.id} ${m.checksum}`).join('\n');
  return `h1:${checksumOf(body)}\n${body}${body ? '\n' : ''}`;
}

/** A line as it reads, shortened, every invisible character visible. */
function shown(line: string): string {
  return JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}...` : line);
}

/**
 * Reads bedrock.sum. Never throws: lines that do not follow the format (a merge conflict
 * marker, a truncated checksum) are problems, and the well-formed lines are still read so
 * that a missing migration file is noticed even in a damaged sum.
 */
export function parseSum(text: string): SumFile {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const problems: string[] = [];
  const checksums = new Map<string, string>();
  const [total, ...entries] = lines;
  if (total === undefined) problems.push('it is empty: its first line must be h1:<sha256>');
  else if (!TOTAL.test(total)) problems.push(`line 1 must be h1:<sha256 of the other lines> (64 hex digits), but reads ${shown(total)}`);
  entries.forEach((line, index) => {
    const match = ENTRY.exec(line);
    if (!match) problems.push(`line ${index + 2} must be "<migration id> <sha256>" (64 hex digits), but reads ${shown(line)}`);
    else if (checksums.has(match[1])) problems.push(`line ${index + 2} lists ${match[1]} a second time`);
    else checksums.set(match[1], match[2]);
  });
  return { ...(total !== undefined && TOTAL.test(total) ? { total } : {}), checksums, problems };
}
