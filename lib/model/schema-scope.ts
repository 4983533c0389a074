// How a table or enum finds the service (and PostgreSQL schema) it belongs to: the nearest
// enclosing construct that declares one. ServiceStack is the one that does.
import { IConstruct } from 'constructs';

const SCHEMA_SCOPE = Symbol.for('bedrock-schema.SchemaScope');

/** A construct that owns a PostgreSQL schema on behalf of a service. */
export interface ISchemaScope extends IConstruct {
  /** The owning service, e.g. `datahub`. */
  readonly service: string;
  /** The PostgreSQL schema that holds the service's objects. */
  readonly schemaName: string;
  /** The oldest PostgreSQL major version the environment runs (e.g. 14). */
  readonly postgresVersion: number;
}

export function markSchemaScope(scope: ISchemaScope): void {
  Object.defineProperty(scope, SCHEMA_SCOPE, { value: true });
}

export function isSchemaScope(construct: IConstruct): construct is ISchemaScope {
  return (construct as unknown as Record<symbol, unknown>)[SCHEMA_SCOPE] === true;
}

/** The schema scope enclosing `construct`, or undefined when there is none. */
export function findSchemaScope(construct: IConstruct): ISchemaScope | undefined {
  return construct.node.scopes.slice().reverse().find(isSchemaScope);
}
