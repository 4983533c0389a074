// A service's tables as a Mermaid ER diagram, for the review page: its tables with their
// columns, foreign keys inside the service as solid edges, application-level references to
// other services' tables as dotted edges to those tables (drawn without their columns). Every
// name is reduced to what Mermaid's grammar accepts, so no model string can break the diagram.
import { renderType } from '../sql/sql-type';
import type { Table } from '../model/table';

/** A word Mermaid accepts as an entity, attribute name or type. */
const word = (text: string): string =>
  text
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/^([^A-Za-z_])/, '_$1') || '_';

/** A label Mermaid accepts between double quotes. */
const label = (text: string): string => text.replace(/["\\\n\r]/g, ' ');

export function erDiagram(tables: readonly Table[]): string {
  const lines = ['erDiagram'];
  const own = new Set(tables.map((t) => t.name));
  for (const table of tables) {
    const model = table.toModel();
    const keys = new Set(model.primaryKey?.columns ?? []);
    const foreign = new Set(model.foreignKeys.flatMap((fk) => fk.columns));
    lines.push(`  ${word(table.name)} {`);
    for (const column of model.columns) {
      const marks = [keys.has(column.name) ? 'PK' : '', foreign.has(column.name) ? 'FK' : ''].filter(Boolean).join(', ');
      lines.push(`    ${word(renderType(column.type))} ${word(column.name)}${marks ? ` ${marks}` : ''}`);
    }
    lines.push('  }');
  }
  for (const table of tables) {
    for (const fk of table.toModel().foreignKeys) {
      if (!own.has(fk.references.table)) continue;
      lines.push(`  ${word(fk.references.table)} ||--o{ ${word(table.name)} : "${label(fk.columns.join(', '))}"`);
    }
    for (const reference of table.appReferences) {
      const [service, target] = reference.table.split('.');
      // Dotted: a reference the applications keep; no foreign key crosses services.
      lines.push(`  ${word(`${service}__${target}`)} ||..o{ ${word(table.name)} : "${label(`${reference.columns.join(', ')} (app reference to ${reference.table})`)}"`);
    }
  }
  return `${lines.join('\n')}\n`;
}
