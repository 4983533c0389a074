// Ownership of types: a service's columns use only types its own stack defines (its enums) or
// PostgreSQL's. A column of another service's enum would tie the two schemas together: the
// other service could not change or drop its type without breaking this table.
import { Column } from './column';
import { EnumTypeReference } from './column-type';
import { ISchemaScope } from './schema-scope';
import { ColumnModel, SqlType, typeSchema } from '../schema/schema-model';
import { renderType } from '../sql/sql-type';

/**
 * Every column of `columns` whose type belongs to another service or another stack. The type
 * judged is the one the model resolved (`resolved`), the one its SQL is written from; the
 * builder's `sql` is not read again (a getter could answer differently).
 */
export function typeOwnershipProblems(columns: Readonly<Record<string, unknown>>, resolved: readonly ColumnModel[], owner: ISchemaScope): string[] {
  return Object.entries(columns).flatMap(([name, column]) => {
    const model = resolved.find((c) => c.name === name);
    if (!(column instanceof Column) || !model) return [];
    const claimed = column.type.enumType;
    const problem = (claimed ? enumProblem(claimed, owner) ?? claimMismatch(claimed, model.type) : undefined) ?? schemaProblem(model.type, owner);
    return problem ? [`column "${name}" ${problem}`] : [];
  });
}

/** A type that says it is an enum names that enum in its SQL too. */
function claimMismatch(claimed: EnumTypeReference, type: SqlType): string | undefined {
  if (type.kind === 'enum' && type.schema === claimed.schema && type.name === claimed.name) return undefined;
  return `has a type whose enumType is ${claimed.schema}.${claimed.name} but whose SQL names ${renderType(type)}: build enum columns with EnumType.column()`;
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
function schemaProblem(type: SqlType, owner: ISchemaScope): string | undefined {
  const schema = typeSchema(type);
  if (schema === undefined || schema === 'pg_catalog' || schema === owner.schemaName) return undefined;
  return `uses type ${renderType(type)}, from schema ${schema}: a service's columns may only use PostgreSQL's types and its own enums (ownership of types)`;
}
