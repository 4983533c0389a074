// BEDROCK-O3: no foreign key crosses services. A service references another's table by an
// application-level reference: documented (column comment, ownership registry), no constraint.
import { Table } from '../model/table';
import { Rule } from './rule';

export const NoCrossServiceForeignKeys: Rule = {
  id: 'BEDROCK-O3',
  name: 'NoCrossServiceForeignKeys',
  description: "No foreign key points at another service's table; use an application-level reference (appReferences)",
  acknowledgeable: false,
  check: (construct) => {
    if (!(construct instanceof Table)) return [];
    return construct
      .toModel()
      .foreignKeys.filter((fk) => fk.references.schema !== construct.schema)
      .map(
        (fk) =>
          `foreign key ${fk.name} references ${fk.references.schema}.${fk.references.table}, a table of another service: ` +
          `remove it and declare an application-level reference instead: appReferences: [{ columns: [${fk.columns.map((c) => `'${c}'`).join(', ')}], table: '${fk.references.schema}.${fk.references.table}', targetColumns: [${fk.references.columns.map((c) => `'${c}'`).join(', ')}] }]`,
      );
  },
};
