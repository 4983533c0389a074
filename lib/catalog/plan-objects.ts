// The objects beyond tables, enums and sequences that a service's migrations made in its schema:
// views, routines, types, triggers, rules, statistics, collations and operators a migration
// may create (BEDROCK-S4 lets views through; BEDROCK-S3 lets acknowledged procedural code
// through). Read from the up statements of the applied migrations, in order, with PostgreSQL's
// parser: a later DROP removes a name, a RENAME moves it. An object of the schema that none of
// them made was made by hand. Only names are followed: a hand-made object under a name a
// migration used, or anything a DO block made, is not told apart.
import { Migration } from '../migrations/migration-file';
import { parsedMigration } from '../statements/parsed-migration';
import { ParsedStatement } from '../statements/statement-rule';
import { isNode, namesOf, SyntaxNode, unwrap } from '../statements/syntax-tree';
import { SchemaObjectKind } from './schema-objects';

/** What a name is unique among: a view's name and a table's share a namespace, routines overload. */
export type PlanObjectGroup = 'view' | 'materialized view' | 'foreign table' | 'type' | 'routine' | 'trigger' | 'rule' | 'policy' | 'statistics' | 'collation' | 'operator';

/** The group of an object the catalog lists; undefined for the kinds drift compares with the model (tables, enums, sequences) or reports on their own. */
export function groupOf(kind: SchemaObjectKind): PlanObjectGroup | undefined {
  switch (kind) {
    case 'view':
    case 'materialized view':
    case 'foreign table':
    case 'trigger':
    case 'rule':
    case 'policy':
    case 'statistics':
    case 'collation':
    case 'operator':
      return kind;
    case 'composite type':
    case 'domain':
    case 'range':
    case 'type':
      return 'type';
    case 'function':
    case 'procedure':
    case 'aggregate':
      return 'routine';
    default:
      return undefined;
  }
}

/** The names the plan made, by group; a trigger, rule or policy as `<table>.<name>`. */
export class PlanObjects {
  private readonly names = new Set<string>();

  has(group: PlanObjectGroup, name: string, table?: string): boolean {
    return this.names.has(key(group, name, table));
  }

  add(group: PlanObjectGroup, name: string, table?: string): void {
    this.names.add(key(group, name, table));
  }

  remove(group: PlanObjectGroup, name: string, table?: string): void {
    this.names.delete(key(group, name, table));
  }

  rename(group: PlanObjectGroup, from: string, to: string, table?: string): void {
    if (this.names.delete(key(group, from, table))) this.names.add(key(group, to, table));
  }

  /** A table renamed: its triggers, rules and policies follow it. */
  renameTable(from: string, to: string): void {
    for (const entry of [...this.names]) {
      const [group, table, name] = entry.split('\u0000');
      if (table === from && (group === 'trigger' || group === 'rule' || group === 'policy')) {
        this.names.delete(entry);
        this.names.add(key(group, name, to));
      }
    }
  }
}

const key = (group: PlanObjectGroup, name: string, table?: string): string => `${group}\u0000${table ?? ''}\u0000${name}`;

/** What the up sections of `migrations` (applied, in chain order) made in `schema` and left there. */
export function planObjects(migrations: readonly Migration[], schema: string): PlanObjects {
  const objects = new PlanObjects();
  for (const migration of migrations) {
    for (const statement of parsedMigration(migration).statements) {
      if (statement.section === 'up') follow(statement, schema, objects);
    }
  }
  return objects;
}

/** The last name of a qualified name in `schema` (a migration qualifies what it makes: BEDROCK-S1). */
function inSchema(parts: readonly string[], schema: string): string | undefined {
  return parts.length === 2 && parts[0] === schema ? parts[1] : undefined;
}

function relationIn(value: unknown, schema: string): string | undefined {
  const relation = unwrap(value, 'RangeVar') ?? (isNode(value) ? value : undefined);
  return relation && relation.schemaname === schema && typeof relation.relname === 'string' ? relation.relname : undefined;
}

const DEFINED: Readonly<Record<string, PlanObjectGroup>> = { OBJECT_TYPE: 'type', OBJECT_AGGREGATE: 'routine', OBJECT_COLLATION: 'collation', OBJECT_OPERATOR: 'operator' };

const DROPPED: Readonly<Record<string, PlanObjectGroup>> = {
  OBJECT_VIEW: 'view',
  OBJECT_MATVIEW: 'materialized view',
  OBJECT_FOREIGN_TABLE: 'foreign table',
  OBJECT_TYPE: 'type',
  OBJECT_DOMAIN: 'type',
  OBJECT_FUNCTION: 'routine',
  OBJECT_PROCEDURE: 'routine',
  OBJECT_ROUTINE: 'routine',
  OBJECT_AGGREGATE: 'routine',
  OBJECT_TRIGGER: 'trigger',
  OBJECT_RULE: 'rule',
  OBJECT_POLICY: 'policy',
  OBJECT_STATISTIC_EXT: 'statistics',
  OBJECT_COLLATION: 'collation',
  OBJECT_OPERATOR: 'operator',
};

const ON_TABLE = new Set<PlanObjectGroup>(['trigger', 'rule', 'policy']);

function follow({ kind, node }: ParsedStatement, schema: string, objects: PlanObjects): void {
  const made = (group: PlanObjectGroup, name: string | undefined, table?: string) => {
    if (name !== undefined) objects.add(group, name, table);
  };
  switch (kind) {
    case 'ViewStmt':
      return made('view', relationIn(node.view, schema));
    case 'CreateTableAsStmt':
      if (node.objtype === 'OBJECT_MATVIEW' && isNode(node.into)) made('materialized view', relationIn(node.into.rel, schema));
      return;
    case 'CompositeTypeStmt':
      return made('type', relationIn(node.typevar, schema));
    case 'CreateDomainStmt':
      return made('type', inSchema(namesOf(node.domainname), schema));
    case 'CreateRangeStmt':
      return made('type', inSchema(namesOf(node.typeName), schema));
    case 'CreateFunctionStmt':
      return made('routine', inSchema(namesOf(node.funcname), schema));
    case 'DefineStmt':
      return DEFINED[String(node.kind)] ? made(DEFINED[String(node.kind)], inSchema(namesOf(node.defnames), schema)) : undefined;
    case 'CreateStatsStmt':
      return made('statistics', inSchema(namesOf(node.defnames), schema));
    case 'CreateTrigStmt': {
      const table = relationIn(node.relation, schema);
      return table !== undefined ? made('trigger', String(node.trigname), table) : undefined;
    }
    case 'RuleStmt': {
      const table = relationIn(node.relation, schema);
      return table !== undefined ? made('rule', String(node.rulename), table) : undefined;
    }
    case 'DropStmt':
      return dropped(node, schema, objects);
    case 'RenameStmt':
      return renamed(node, schema, objects);
    default:
      return;
  }
}

function dropped(node: SyntaxNode, schema: string, objects: PlanObjects): void {
  const group = DROPPED[String(node.removeType)];
  if (!group) return;
  for (const object of (node.objects as unknown[]) ?? []) {
    const parts = objectParts(object);
    if (ON_TABLE.has(group)) {
      if (parts.length === 3 && parts[0] === schema) objects.remove(group, parts[2], parts[1]);
    } else {
      const name = inSchema(parts, schema);
      if (name !== undefined) objects.remove(group, name);
    }
  }
}

function renamed(node: SyntaxNode, schema: string, objects: PlanObjects): void {
  const type = String(node.renameType);
  const to = String(node.newname);
  const table = relationIn(node.relation, schema);
  if (type === 'OBJECT_TABLE' || type === 'OBJECT_VIEW' || type === 'OBJECT_MATVIEW' || type === 'OBJECT_FOREIGN_TABLE') {
    if (table === undefined) return;
    // ALTER TABLE ... RENAME also renames a view; the relation's triggers follow it either way.
    for (const group of ['view', 'materialized view', 'foreign table'] as const) objects.rename(group, table, to);
    objects.renameTable(table, to);
    return;
  }
  const group = DROPPED[type];
  if (!group) return;
  if (ON_TABLE.has(group)) {
    if (table !== undefined) objects.rename(group, String(node.subname), to, table);
    return;
  }
  const name = inSchema(objectParts(node.object), schema);
  if (name !== undefined) objects.rename(group, name, to);
}

/** The qualified name of an object in a DROP or RENAME: a list, a type name, or a routine with arguments. */
function objectParts(object: unknown): string[] {
  const typeName = unwrap(object, 'TypeName');
  if (typeName) return namesOf(typeName.names);
  const routine = unwrap(object, 'ObjectWithArgs');
  if (routine) return namesOf(routine.objname);
  return namesOf(object);
}
