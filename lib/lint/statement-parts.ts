// Reading the parts of a parsed statement the lint rules look at: the table it works on, its
// ALTER TABLE commands, a column definition's default and type.
import type { ParsedStatement } from '../statements/statement-rule';
import { alterCommands, tableKey } from './statement-facts';

export { alterCommands, tableKey };

/** The `schema.table` of a statement's `relation`. */
export function relationOf(statement: ParsedStatement, schema: string): string {
  return tableKey(statement.node.relation as Record<string, unknown> | undefined, schema);
}

/** The constraint an ALTER TABLE command adds, if it adds one. */
export function addedConstraint(command: Record<string, unknown>): Record<string, unknown> | undefined {
  if (command.subtype !== 'AT_AddConstraint') return undefined;
  return (command.def as { Constraint?: Record<string, unknown> } | undefined)?.Constraint;
}

/** The column an ALTER TABLE command adds, if it adds one. */
export function addedColumn(command: Record<string, unknown>): Record<string, unknown> | undefined {
  if (command.subtype !== 'AT_AddColumn') return undefined;
  return (command.def as { ColumnDef?: Record<string, unknown> } | undefined)?.ColumnDef;
}

/** A column definition's constraints (DEFAULT, IDENTITY, NOT NULL...). */
export function columnConstraints(column: Record<string, unknown>): Record<string, unknown>[] {
  return ((column.constraints as { Constraint?: Record<string, unknown> }[] | undefined) ?? []).flatMap((c) => (c.Constraint ? [c.Constraint] : []));
}

/** The last part of a column definition's type name (`bigserial`, `int4`). */
export function typeNameOf(column: Record<string, unknown>): string {
  const names = ((column.typeName as { names?: { String?: { sval?: string } }[] } | undefined)?.names ?? []).map((n) => n.String?.sval ?? '');
  return (names[names.length - 1] ?? '').toLowerCase();
}

// Functions PostgreSQL evaluates once per statement (or that are immutable): a default made of
// them and constants is stored once in the catalog, not written into every row (PostgreSQL 11+).
const STABLE_FUNCTIONS = new Set(['now', 'transaction_timestamp', 'statement_timestamp', 'current_setting', 'lower', 'upper', 'make_interval', 'to_timestamp', 'jsonb_build_object', 'json_build_object']);

/** Whether a default expression calls a function that may give each row its own value (random(), clock_timestamp(), nextval()). */
export function isVolatileDefault(expression: unknown): boolean {
  let volatile = false;
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    const call = record.FuncCall as { funcname?: { String?: { sval?: string } }[] } | undefined;
    if (call) {
      const names = (call.funcname ?? []).map((n) => n.String?.sval ?? '');
      if (!STABLE_FUNCTIONS.has(names[names.length - 1] ?? '')) volatile = true;
    }
    if (record.SubLink) volatile = true;
    Object.values(record).forEach(visit);
  };
  visit(expression);
  return volatile;
}

/** The objects a DROP names, `schema.name` each (the schema defaulted to the service's). */
export function droppedNames(node: Record<string, unknown>, schema: string): string[] {
  const parts = ((node.objects as { List?: { items?: { String?: { sval?: string } }[] } }[] | undefined) ?? []).map((o) => (o.List?.items ?? []).map((i) => i.String?.sval ?? ''));
  return parts.map((name) => (name.length > 1 ? name.slice(-2).join('.') : `${schema}.${name[0]}`));
}
