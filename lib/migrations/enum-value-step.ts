// PostgreSQL cannot use an enum value in the transaction that added it with ALTER TYPE ... ADD
// VALUE ("unsafe use of new value", 55P04): a default, a check or a row naming it fails. So
// new enum values get a migration of their own, committed before the one that may use them.
import { ServiceSchema } from '../schema/schema-model';
import { SchemaDiff } from './schema-diff';

/**
 * The schema between `before` and `after` that has only the values `diff` adds to existing enum
 * types; undefined when the diff adds none or does nothing else.
 */
export function enumValueStep(before: ServiceSchema, after: ServiceSchema, diff: SchemaDiff): ServiceSchema | undefined {
  const grown = new Set(diff.up.flatMap((c) => (c.kind === 'AddEnumValue' ? [c.type.name] : [])));
  if (grown.size === 0 || diff.up.every((c) => c.kind === 'AddEnumValue')) return undefined;
  return {
    ...before,
    enums: before.enums.map((type) => (grown.has(type.name) ? { ...type, values: after.enums.find((e) => e.name === type.name)!.values } : type)),
  };
}
