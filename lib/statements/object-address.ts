// The names DROP, COMMENT, RENAME, OWNER TO and SET SCHEMA take, read by object type the way
// PostgreSQL reads an object address: which part of `a.b.c` is the schema depends on the type.
import { namesOf, unwrap } from './syntax-tree';
import { NameKind, named, TouchedName } from './touched-name';

/** Object types whose name is `[schema.]relation.member`. */
const RELATION_MEMBERS = new Set(['OBJECT_COLUMN', 'OBJECT_TABCONSTRAINT', 'OBJECT_TRIGGER', 'OBJECT_RULE', 'OBJECT_POLICY']);

/** Object types that live in a schema, named `[schema.]name`. */
const SCHEMA_MEMBERS: Readonly<Record<string, NameKind>> = {
  OBJECT_TABLE: 'relation',
  OBJECT_INDEX: 'relation',
  OBJECT_SEQUENCE: 'relation',
  OBJECT_VIEW: 'relation',
  OBJECT_MATVIEW: 'relation',
  OBJECT_FOREIGN_TABLE: 'relation',
  OBJECT_TYPE: 'type',
  OBJECT_DOMAIN: 'type',
  OBJECT_COLLATION: 'collation',
  OBJECT_FUNCTION: 'function',
  OBJECT_PROCEDURE: 'function',
  OBJECT_ROUTINE: 'function',
  OBJECT_AGGREGATE: 'function',
  OBJECT_OPERATOR: 'operator',
  OBJECT_OPCLASS: 'operator class',
  OBJECT_OPFAMILY: 'operator class',
  OBJECT_CONVERSION: 'object',
  OBJECT_STATISTIC_EXT: 'object',
  OBJECT_TSCONFIGURATION: 'object',
  OBJECT_TSDICTIONARY: 'object',
  OBJECT_TSPARSER: 'object',
  OBJECT_TSTEMPLATE: 'object',
};

/**
 * The name of the object a DROP, COMMENT, RENAME, OWNER TO or SET SCHEMA takes, by its object
 * type (PostgreSQL's object address): `[schema.]name`, `[schema.]table.member`, an operator
 * class's `method.[schema.]name`, a schema's bare name, or a database-wide object's name.
 */
export function objectNames(objectType: string, object: unknown, mark: (...values: unknown[]) => void): TouchedName[] {
  if (unwrap(object, 'TypeName') || unwrap(object, 'ObjectWithArgs')) {
    mark(object);
    return [];
  }
  const list = unwrap(object, 'List')?.items;
  if (objectType === 'OBJECT_DOMCONSTRAINT' && Array.isArray(list)) {
    mark(list.filter((item) => unwrap(item, 'TypeName')));
    return [];
  }
  const parts = unwrap(object, 'String') ? [String(unwrap(object, 'String')!.sval)] : namesOf(object);
  if (RELATION_MEMBERS.has(objectType)) return [named('relation', parts, true, parts.length - 3)];
  if (objectType === 'OBJECT_OPCLASS' || objectType === 'OBJECT_OPFAMILY') return [named('operator class', parts.slice(1), true)];
  if (SCHEMA_MEMBERS[objectType]) return [named(SCHEMA_MEMBERS[objectType], parts, true)];
  if (objectType === 'OBJECT_SCHEMA') return [named('schema', parts, true, 0)];
  // Casts and large objects have no name of their own: say what they are.
  const name = named('database-wide object', parts, true, -1);
  return [parts.length > 0 ? name : { ...name, shown: objectType.replace(/^OBJECT_/, '').replace(/_/g, ' ').toLowerCase() }];
}
