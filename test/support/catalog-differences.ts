// A compact difference of two catalogs (catalogOf): one line per differing leaf, lists of named
// objects matched by name, so a report shows "tables.t3.columns.c4.notNull: true != false"
// instead of two pages of JSON.

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const named = (x: unknown): x is { name: string } => isObject(x) && typeof x.name === 'string';
const show = (x: unknown): string => (x === undefined ? 'absent' : JSON.stringify(x));

/** Lines `path: expected != actual`, at most `limit` of them (and a count of the rest). */
export function catalogDifferences(expected: unknown, actual: unknown, limit = 12): string[] {
  const lines: string[] = [];
  walk(expected, actual, '', lines);
  return lines.length > limit ? [...lines.slice(0, limit), `... ${lines.length - limit} more`] : lines;
}

function walk(a: unknown, b: unknown, path: string, out: string[]): void {
  if (Array.isArray(a) && Array.isArray(b) && [...a, ...b].every(named)) {
    const names = [...new Set([...a, ...b].map((x) => (x as { name: string }).name))];
    for (const name of names) walk(a.find((x) => x.name === name), b.find((x) => x.name === name), `${path}.${name}`, out);
    return;
  }
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])]) walk(a[key], b[key], path ? `${path}.${key}` : key, out);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${path || '(root)'}: expected ${show(a)}, got ${show(b)}`);
}
