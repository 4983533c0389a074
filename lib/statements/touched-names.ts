// Every object name a statement touches, with the schema it is qualified with and whether the
// statement uses, changes or creates it: relations (anywhere in the tree), types, functions,
// operators, collations, and the names DROP, COMMENT, RENAME and SET SCHEMA take. What
// BEDROCK-S1 judges; it decides nothing.
import { objectNames } from './object-address';
import { ParsedStatement } from './statement-rule';
import { displayName, isNode, namesOf, SyntaxNode, unwrap, visitNodes } from './syntax-tree';
import { NameKind, named, TouchedName } from './touched-name';

/** Every name `statement` touches, in tree order (duplicates included). */
export function touchedNames(statement: ParsedStatement): TouchedName[] {
  const targets = new Targets();
  const touched = targetNames(statement, targets);
  visitNodes(statement.node, (node, type) => touched.push(...namesIn(node, type, targets.roleOf(node))));
  return touched;
}

type Role = 'used' | 'changed' | 'created';

/**
 * The bare nodes (a RangeVar, a TypeName) a statement changes or creates: marked here so the
 * walk reports each once, with its role.
 */
class Targets {
  private readonly roles = new Map<SyntaxNode, Role>();

  mark(role: Role, ...values: unknown[]): void {
    for (const value of values.flat()) {
      const inner = unwrap(value, 'RangeVar') ?? unwrap(value, 'TypeName') ?? unwrap(value, 'ObjectWithArgs') ?? value;
      if (isNode(inner)) this.roles.set(inner, role);
    }
  }

  roleOf(node: SyntaxNode): Role {
    return this.roles.get(node) ?? 'used';
  }
}

function created(name: TouchedName): TouchedName {
  return { ...name, created: true };
}

/** Names found on a node of any statement, recognised by the node's type or its fields. */
function namesIn(node: SyntaxNode, type: string | undefined, role: Role): TouchedName[] {
  const changed = role !== 'used';
  if (typeof node.relname === 'string') {
    const parts = [node.catalogname, node.schemaname, node.relname].filter((p): p is string => typeof p === 'string');
    const temporary = role === 'created' && node.relpersistence === 't';
    return [{ kind: 'relation', parts, changed, ...(role === 'created' ? { created: true } : {}), ...(temporary ? { temporary: true } : {}), ...(typeof node.schemaname === 'string' ? { schema: node.schemaname } : {}) }];
  }
  if (Array.isArray(node.names)) {
    const parts = namesOf(node.names);
    // `table.column%TYPE` names a column, not a type.
    return node.pct_type === true ? [named('relation', parts.slice(0, -1), changed, parts.length - 3)] : [named('type', parts, changed)];
  }
  if (Array.isArray(node.objname)) return [named('function', namesOf(node.objname), true)]; // ObjectWithArgs: always what is created, changed or dropped
  if (Array.isArray(node.collname)) return [named('collation', namesOf(node.collname), false)];
  if (type === 'FuncCall') return [named('function', namesOf(node.funcname), false)];
  if (type === 'A_Expr' && Array.isArray(node.name)) return [named('operator', namesOf(node.name), false)];
  if (type === 'IndexElem') {
    return [
      ...(Array.isArray(node.opclass) ? [named('operator class', namesOf(node.opclass), false)] : []),
      ...(Array.isArray(node.collation) ? [named('collation', namesOf(node.collation), false)] : []),
    ];
  }
  if (type === 'DefElem') return sequenceOptionNames(node);
  return [];
}

/** `OWNED BY schema.table.column` and an identity column's `SEQUENCE NAME schema.name`. */
function sequenceOptionNames(node: SyntaxNode): TouchedName[] {
  const parts = namesOf(node.arg);
  if (node.defname === 'owned_by' && !(parts.length === 1 && parts[0] === 'none')) return [named('relation', parts.slice(0, -1), false, parts.length - 3)];
  // Unqualified, an identity's sequence goes to its table's schema.
  if (node.defname === 'sequence_name') return [named('relation', parts, true)];
  return [];
}

/**
 * What the statement creates, changes or drops. Bare nodes (a RangeVar, a TypeName) are only
 * marked in `targets`, so the walk reports them once; names written as lists are returned.
 */
function targetNames(statement: ParsedStatement, targets: Targets): TouchedName[] {
  const node = statement.node;
  const mark = (...values: unknown[]) => targets.mark('changed', ...values);
  switch (statement.kind) {
    case 'DropStmt':
      return ((node.objects as unknown[]) ?? []).flatMap((object) => objectNames(String(node.removeType), object, mark));
    case 'CommentStmt':
    case 'SecLabelStmt':
      return objectNames(String(node.objtype), node.object, mark);
    case 'AlterOwnerStmt':
    case 'AlterObjectSchemaStmt':
      mark(node.relation);
      return [
        ...(node.object !== undefined ? objectNames(String(node.objectType), node.object, mark) : []),
        ...(typeof node.newschema === 'string' ? [{ ...named('schema contents', [node.newschema], true, 0), shown: `... SET SCHEMA ${displayName([node.newschema])}` }] : []),
      ];
    case 'RenameStmt':
      return renamedNames(node, mark);
    case 'CreateEnumStmt':
    case 'CreateRangeStmt':
      return [created(named('type', namesOf(node.typeName), true))];
    case 'AlterEnumStmt':
    case 'AlterDomainStmt':
      return [named('type', namesOf(node.typeName), true)];
    case 'CreateDomainStmt':
      return [created(named('type', namesOf(node.domainname), true))];
    case 'DefineStmt':
      return [created(named(DEFINED_KINDS[String(node.kind)] ?? 'object', namesOf(node.defnames), true))];
    case 'CreateStatsStmt':
      return [created(named('object', namesOf(node.defnames), true))];
    case 'AlterStatsStmt':
      return [named('object', namesOf(node.defnames), true)];
    case 'CreateFunctionStmt':
      return [created(named('function', namesOf(node.funcname), true))];
    case 'CreateTrigStmt':
      mark(node.relation);
      return [named('function', namesOf(node.funcname), false)];
    case 'CreateEventTrigStmt':
      return [named('database-wide object', [String(node.trigname)], true, -1), named('function', namesOf(node.funcname), false)];
    case 'ReindexStmt':
      return reindexedNames(node, mark);
    case 'VacuumStmt':
      mark(((node.rels as unknown[]) ?? []).map((r) => unwrap(r, 'VacuumRelation')?.relation));
      return node.rels === undefined ? [everything('every table of the database')] : [];
    case 'ClusterStmt':
      mark(node.relation);
      return node.relation === undefined ? [everything('every clustered table of the database')] : [];
    case 'CreateStmt':
    case 'CreateSeqStmt':
    case 'ViewStmt':
    case 'CompositeTypeStmt':
    case 'CreateTableAsStmt':
    case 'SelectStmt':
      // CREATE TABLE, SEQUENCE, VIEW, TYPE ... AS (...), TABLE ... AS and SELECT ... INTO make a relation.
      targets.mark('created', node.relation, node.sequence, node.view, node.typevar, isNode(node.into) ? node.into.rel : undefined, isNode(node.intoClause) ? node.intoClause.rel : undefined);
      return [];
    default:
      // Statements whose target is a bare RangeVar field: ALTER TABLE, CREATE INDEX, INSERT...
      mark(node.relation, node.relations, node.sequence);
      return [];
  }
}

/** A statement without a name that works on every table it may (VACUUM, CLUSTER, REINDEX DATABASE). */
function everything(shown: string): TouchedName {
  return { kind: 'database-wide object', parts: [], changed: true, shown };
}

const DEFINED_KINDS: Readonly<Record<string, NameKind>> = {
  OBJECT_TYPE: 'type',
  OBJECT_COLLATION: 'collation',
  OBJECT_AGGREGATE: 'function',
  OBJECT_OPERATOR: 'operator',
};

function reindexedNames(node: SyntaxNode, mark: (...values: unknown[]) => void): TouchedName[] {
  mark(node.relation);
  if (node.kind === 'REINDEX_OBJECT_SCHEMA') return [named('schema contents', [String(node.name)], true, 0)];
  if (node.kind === 'REINDEX_OBJECT_DATABASE' || node.kind === 'REINDEX_OBJECT_SYSTEM') return [everything('the whole database')];
  return [];
}

function renamedNames(node: SyntaxNode, mark: (...values: unknown[]) => void): TouchedName[] {
  mark(node.relation);
  if (node.object !== undefined) return objectNames(String(node.renameType), node.object, mark);
  if (node.relation !== undefined) return [];
  // Schemas, roles, databases, tablespaces... are renamed by their bare name.
  const name = String(node.subname);
  return node.renameType === 'OBJECT_SCHEMA' ? [named('schema', [name], true, 0)] : [named('database-wide object', [name], true, -1)];
}
