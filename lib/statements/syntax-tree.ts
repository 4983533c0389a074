// Reading libpg-query's JSON syntax tree. Nodes come wrapped (`{ "RangeVar": {...} }`) where the
// grammar allows any node, and bare where a field has one node type (`relation: {...}`), so a
// walk reports the type when the wrapper gives it, and rules recognise bare nodes by their fields.

export type SyntaxNode = Record<string, unknown>;

/** Calls `visit` on every node under `value` (itself included), with its type when known. */
export function visitNodes(value: unknown, visit: (node: SyntaxNode, type: string | undefined) => void): void {
  walk(value, undefined, visit);
}

function walk(value: unknown, type: string | undefined, visit: (node: SyntaxNode, type: string | undefined) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, undefined, visit);
    return;
  }
  if (!isNode(value)) return;
  const wrapped = wrappedType(value);
  if (wrapped !== undefined) {
    walk(value[wrapped], wrapped, visit);
    return;
  }
  visit(value, type);
  for (const child of Object.values(value)) walk(child, undefined, visit);
}

/** A wrapper has exactly one key, a node type name (capitalised; field names never are). */
function wrappedType(value: SyntaxNode): string | undefined {
  const keys = Object.keys(value);
  return keys.length === 1 && /^[A-Z]/.test(keys[0]) && isNode(value[keys[0]]) ? keys[0] : undefined;
}

export function isNode(value: unknown): value is SyntaxNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The node inside a wrapper of type `type`, or undefined. */
export function unwrap(value: unknown, type: string): SyntaxNode | undefined {
  return isNode(value) && isNode(value[type]) ? value[type] : undefined;
}

/** The names in a list of String nodes (a qualified name as libpg-query writes it), or in a `List` of them. */
export function namesOf(value: unknown): string[] {
  const items = unwrap(value, 'List')?.items ?? value;
  if (!Array.isArray(items)) return [];
  return items.map((item) => unwrap(item, 'String')?.sval).filter((s): s is string => typeof s === 'string');
}

/** A name for messages: plain identifiers as they are, anything else quoted with every character visible. */
export function displayName(parts: readonly string[]): string {
  return parts.map((part) => (/^[a-z_][a-z0-9_$]*$/.test(part) ? part : JSON.stringify(part))).join('.');
}
