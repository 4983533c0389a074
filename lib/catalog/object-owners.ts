// A service's schema and everything in it belong to its owner role: migrations run as it, the
// default privileges are its, and an object owned by anyone else is outside the access model
// (its owner may grant on it, alter or drop it). Each finding carries the ALTER ... OWNER TO.
import { described, shown } from './catalog-text';
import { DriftFinding } from './drift-finding';
import { ownerStatement } from './fix-statements';
import { SchemaObject } from './schema-objects';

/** Every object of `objects` (one schema's, the schema itself included) not owned by `ownerRole`. */
export function objectOwners(schema: string, ownerRole: string, objects: readonly SchemaObject[]): DriftFinding[] {
  return objects.filter((object) => judged(object) && object.owner !== ownerRole).map((object) => finding(schema, ownerRole, object));
}

/**
 * Triggers, rules and policies have no owner of their own; a sequence owned by a column changes
 * owner with its table (PostgreSQL refuses it alone); an extension's objects are its creator's.
 */
function judged(object: SchemaObject): boolean {
  return object.owner !== undefined && object.kind !== 'extension' && !object.inExtension && !object.ownedByColumn;
}

function finding(schema: string, ownerRole: string, object: SchemaObject): DriftFinding {
  const name = object.kind === 'schema' ? `schema ${shown(schema)}` : `${object.kind} ${described(schema, object)}`;
  return {
    kind: 'owner',
    object: name,
    message: `${name} is owned by ${shown(object.owner!)}, not by ${shown(ownerRole)}: its owner may grant on it, change or drop it outside the migrations`,
    fix: ownerStatement(schema, object, ownerRole),
  };
}
