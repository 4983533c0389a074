// BEDROCK-L6: ADD COLUMN with a volatile default (random(), clock_timestamp(), a sequence)
// writes a value into every row under ACCESS EXCLUSIVE; a constant or a stable function is
// stored once in the catalog (PostgreSQL 11+). Identity and serial columns count too: each row
// gets its own number.
import { lintRule, Risk } from '../lint-rule';
import { addedColumn, alterCommands, columnConstraints, isVolatileDefault, relationOf, typeNameOf } from '../statement-parts';

const SERIAL_TYPES = new Set(['serial', 'bigserial', 'smallserial', 'serial4', 'serial8', 'serial2']);

export const ColumnFilledPerRow = lintRule({
  id: 'BEDROCK-L6',
  name: 'ColumnFilledPerRow',
  severity: 'error',
  description: 'A new column on a table that may hold rows has no default that writes every row (volatile, identity, serial), outside a step marked offline',
  risks(statement, facts, schema): Risk[] {
    // In an offline step, BEDROCK-L4 already says the table is rewritten.
    if (facts.mode === 'offline' || statement.kind !== 'AlterTableStmt') return [];
    const table = relationOf(statement, schema);
    return alterCommands(statement.node).flatMap((command): Risk[] => {
      const column = addedColumn(command);
      if (!column) return [];
      const constraints = columnConstraints(column);
      const sequence = SERIAL_TYPES.has(typeNameOf(column)) || constraints.some((c) => c.contype === 'CONSTR_IDENTITY');
      const volatile = constraints.some((c) => c.contype === 'CONSTR_DEFAULT' && isVolatileDefault(c.raw_expr));
      if (!sequence && !volatile) return [];
      const name = String(column.colname);
      return [
        {
          table,
          what: `adds column ${name} ${sequence ? 'numbered from a sequence' : 'with a volatile default'}`,
          lock: 'ACCESS EXCLUSIVE',
          work: 'rewrite',
          why: 'every row is written with its own value while nothing reads or writes the table',
          safe: `add ${name} without the default (or as a plain column), set the default for new rows, backfill old rows in batches; or mark the step \`-- +step offline\` and acknowledge BEDROCK-L4`,
        },
      ];
    });
  },
});
