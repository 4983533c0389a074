// BEDROCK-O4: an application-level reference names an existing table and columns of another
// service (a reference within the service should be a real foreign key).
import { Table } from '../model/table';
import { Rule } from './rule';

export const ValidAppReferences: Rule = {
  id: 'BEDROCK-O4',
  name: 'ValidAppReferences',
  description: "Application-level references name an existing table and columns of another service",
  acknowledgeable: false,
  check: (construct, { tables }) => {
    if (!(construct instanceof Table)) return [];
    return construct.appReferences.flatMap((reference) => {
      const [schema, name] = reference.table.split('.');
      if (schema === construct.schema) return [`the application-level reference to ${reference.table} stays inside service ${construct.service}: use a foreign key instead`];
      const target = tables.find((t) => t.schema === schema && t.name === name);
      if (!target) return [`the application-level reference names ${reference.table}, which no service defines: write it as <service>.<table>`];
      const missing = reference.targetColumns.filter((c) => !target.toModel().columns.some((column) => column.name === c));
      return missing.map((c) => `the application-level reference to ${reference.table} names column "${c}", which it does not have`);
    });
  },
};
