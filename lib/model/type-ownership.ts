// Ownership of types: a service's columns use only types its own stack defines (its enums) or
// PostgreSQL's. A column of another service's enum would tie the two schemas together: the
// other service could not change or drop its type without breaking this table.
import { Column } from './column';
import { EnumTypeReference } from './column-type';
import { ISchemaScope } from './schema-scope';
import { parseTypeName } from '../sql/parser';

/** Every column of `columns` whose type belongs to another service or another stack. */
export function typeOwnershipProblems(columns: Readonly<Record<string, unknown>>, owner: ISchemaScope): string[] {
  return Object.entries(columns).flatMap(([name, column]) => {
    if (!(column instanceof Column)) return [];
    const problem = column.type.enumType ? enumProblem(column.type.enumType, owner) : schemaProblem(column.type.sql, owner);
    return problem ? [`column "${name}" ${problem}`] : [];
  });
}

function enumProblem(type: EnumTypeReference, owner: ISchemaScope): string | undefined {
  const enumName = `${type.schema}.${type.name}`;
  if (type.service !== owner.service || type.schema !== owner.schemaName) {
    return (
      `uses enum ${enumName}, owned by service ${type.service}: a service's columns may only use its own enums (ownership of types); ` +
      `define an EnumType in ${owner.service}`
    );
  }
  if (type.stack !== owner.node.path) {
    return `uses enum ${enumName} defined in stack ${type.stack}, whose migrations create it, not this stack's: define the EnumType in this stack (${owner.node.path})`;
  }
  return undefined;
}

/** A type written out by hand (a custom ColumnType) may name only pg_catalog or the own schema. */
function schemaProblem(sql: string, owner: ISchemaScope): string | undefined {
  const parsed = parseTypeName(sql);
  if (!('names' in parsed) || parsed.names.length < 2) return undefined;
  const schema = parsed.names[0];
  if (schema === 'pg_catalog' || schema === owner.schemaName) return undefined;
  return `uses type ${sql}, from schema ${schema}: a service's columns may only use PostgreSQL's types and its own enums (ownership of types)`;
}
