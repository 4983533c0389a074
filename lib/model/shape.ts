// Checks a value against the shape its TypeScript type promises. Types vanish at runtime: synth
// does not type-check, and plain JavaScript (or a cast) can pass any value, so every prop that
// can reach SQL is checked here, when the construct is built, with a message naming the prop.
import { describeValue } from './column-type';

/** The shape a value must have. Built with the functions below, read by `shapeProblems`. */
export type Shape =
  | { readonly kind: 'string' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'anything' }
  | { readonly kind: 'record' }
  | { readonly kind: 'one of'; readonly values: readonly string[] }
  | { readonly kind: 'array'; readonly of: Shape }
  | { readonly kind: 'object'; readonly fields: Readonly<Record<string, Field>> }
  | { readonly kind: 'either'; readonly string: Shape; readonly object: Shape; readonly hint: string };

interface Field {
  readonly shape: Shape;
  readonly optional: boolean;
}

export const string: Shape = { kind: 'string' };
export const boolean: Shape = { kind: 'boolean' };
/** Checked elsewhere (e.g. a column builder, checked by the resolver with a better message). */
export const anything: Shape = { kind: 'anything' };
/** A plain object used as a map, e.g. a table's columns keyed by name. */
export const record: Shape = { kind: 'record' };
export const oneOf = (values: readonly string[]): Shape => ({ kind: 'one of', values });
export const arrayOf = (of: Shape): Shape => ({ kind: 'array', of });
/** A string, or an object of the given shape (e.g. an index column: 'a' or { column: 'a' }). */
export const stringOr = (object: Shape, hint: string): Shape => ({ kind: 'either', string, object, hint });

/** An object; fields given as `optional(shape)` may be left out (undefined, never null). */
export function object(fields: Readonly<Record<string, Shape | Field>>): Shape {
  const normalized = Object.fromEntries(Object.entries(fields).map(([key, field]) => [key, 'optional' in field ? field : { shape: field, optional: false }]));
  return { kind: 'object', fields: normalized };
}

export const optional = (shape: Shape): Field => ({ shape, optional: true });

const isPlainObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

/** Every way `value` (found at `path`, e.g. `indexes[0].columns[1].order`) differs from `shape`. */
export function shapeProblems(path: string, value: unknown, shape: Shape): string[] {
  const got = `got ${describeValue(value)}`;
  const where = path === '' ? 'the props' : path;
  switch (shape.kind) {
    case 'anything':
      return [];
    case 'string':
      return typeof value === 'string' ? [] : [`${where}: expected a string, ${got}`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${where}: expected true or false, ${got}`];
    case 'one of':
      return shape.values.includes(value as string) ? [] : [`${where}: ${describeValue(value)} is not allowed: use one of ${shape.values.map((v) => `"${v}"`).join(', ')}`];
    case 'record':
      return isPlainObject(value) ? [] : [`${where}: expected an object keyed by name, ${got}`];
    case 'array':
      if (!Array.isArray(value)) return [`${where}: expected an array, ${got}`];
      return value.flatMap((item, i) => shapeProblems(`${path}[${i}]`, item, shape.of));
    case 'object':
      if (!isPlainObject(value)) return [`${where}: expected an object, ${got}`];
      return Object.entries(shape.fields).flatMap(([key, field]) =>
        value[key] === undefined && field.optional ? [] : shapeProblems(join(path, key), value[key], field.shape),
      );
    case 'either':
      if (typeof value === 'string') return [];
      if (isPlainObject(value)) return shapeProblems(path, value, shape.object);
      return [`${where}: expected ${shape.hint}, ${got}`];
  }
}
