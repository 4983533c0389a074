// What adopt will do, decided from the facts before anything runs: every refusal at once, or
// the statements of the one transaction that moves the service's legacy objects into its
// schema. Pure, so `adopt --dry-run` prints exactly what `adopt` runs.
import { quoteIdentifier } from '../sql/identifier';
import { dropConstraint, dropTable, grantOn, grantSchemaUsage, ownerTo, revokeAllOn, setRoleSearchPath, setSchema } from '../sql/adoption-statements';
import { AdoptionFacts, LegacyRole } from './adoption-facts';

export interface AdoptionRequest {
  readonly service: string;
  /** The environment's name, for messages; undefined when adopt runs without --env. */
  readonly environment?: string;
  readonly legacySchema: string;
  readonly schema: string;
  readonly ownerRole: string;
  /** The model's tables, in the order they are moved. */
  readonly tables: readonly string[];
  readonly enums: readonly string[];
  /** Sequences owned by the tables (they move and change owner with them; grants name them). */
  readonly sequences: readonly string[];
  /** Indexes of the tables, those behind keys included: they move with them, so their names must be free in the schema. */
  readonly indexes: readonly { readonly table: string; readonly name: string }[];
  /** Foreign keys into other services' tables: the model holds them as application-level references. */
  readonly crossServiceForeignKeys: readonly { readonly table: string; readonly name: string; readonly target: string }[];
  /** Drop the legacy schema's alembic_version table (only once no legacy table is left). */
  readonly dropAlembicVersion: boolean;
}

export interface AdoptionPlan {
  readonly refusals: readonly string[];
  /** The statements of the adoption's transaction, in order, after its LOCK TABLE. */
  readonly statements: readonly string[];
  /** What the user should know (the roles that keep working, what is left behind). */
  readonly notes: readonly string[];
}

const SEARCH_PATH_ITEM = /^("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)$/;

/** The role's search_path with the service's schema added (at the end: tables not yet moved stay first in `public`). */
export function searchPathWith(current: string, schema: string): string | { problem: string } {
  const items = current
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  const bad = items.find((item) => !SEARCH_PATH_ITEM.test(item));
  if (bad !== undefined) return { problem: `its search_path (${current}) has an item adopt does not read (${bad})` };
  const names = items.map((item) => (item.startsWith('"') ? item.slice(1, -1).replace(/""/g, '"') : item.toLowerCase()));
  if (names.includes(schema)) return items.join(', ');
  return [...items, quoteIdentifier(schema)].join(', ');
}

/** Privileges others held on the legacy tables and sequences: a fresh create has none, so they go before the access model's are given. */
function revokes(facts: AdoptionFacts, request: AdoptionRequest, notes: string[]): string[] {
  for (const grant of facts.existingGrants) {
    notes.push(`${grant.privileges.join(', ')} on ${grant.kind.toLowerCase()} ${request.legacySchema}.${grant.name} held by ${grant.grantee ?? 'PUBLIC'} is revoked: the access model decides who may use ${request.service}'s tables`);
  }
  return facts.existingGrants.map((g) => revokeAllOn(g.kind, request.schema, g.name, g.grantee));
}

function grants(facts: AdoptionFacts, request: AdoptionRequest): string[] {
  const byObject = (type: 'r' | 'S'): Map<string | null, string[]> => {
    const map = new Map<string | null, string[]>();
    for (const grant of facts.defaultGrants.filter((g) => g.objectType === type)) map.set(grant.grantee, [...(map.get(grant.grantee) ?? []), grant.privilege]);
    return map;
  };
  const out: string[] = [];
  for (const [role, privileges] of byObject('r')) for (const table of request.tables) out.push(grantOn('TABLE', request.schema, table, privileges, role));
  for (const [role, privileges] of byObject('S')) for (const sequence of request.sequences) out.push(grantOn('SEQUENCE', request.schema, sequence, privileges, role));
  return out;
}

/** Keeps the old process working: unqualified names resolve, and a role that owned the tables may still read and write them. */
function legacyRoleStatements(role: LegacyRole, facts: AdoptionFacts, request: AdoptionRequest, refusals: string[], notes: string[]): string[] {
  const out: string[] = [];
  const path = searchPathWith(role.searchPath, request.schema);
  if (typeof path !== 'string') {
    refusals.push(`legacy role ${role.name}: ${path.problem}: set it by hand (ALTER ROLE ... IN DATABASE ... SET search_path) and run adopt again`);
    return out;
  }
  if (!role.covered) {
    out.push(grantSchemaUsage(request.schema, role.name));
    for (const table of request.tables) out.push(grantOn('TABLE', request.schema, table, ['SELECT', 'INSERT', 'UPDATE', 'DELETE'], role.name));
    for (const sequence of request.sequences) out.push(grantOn('SEQUENCE', request.schema, sequence, ['USAGE', 'SELECT', 'UPDATE'], role.name));
    notes.push(
      `legacy role ${role.name} keeps SELECT, INSERT, UPDATE, DELETE on ${request.service}'s tables and the use of their sequences (it owned them; it no longer changes their schema) until the services switch to ${request.service}_app: ` +
        `then REVOKE ALL ON ALL TABLES IN SCHEMA ${quoteIdentifier(request.schema)} FROM ${quoteIdentifier(role.name)}; REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${quoteIdentifier(request.schema)} FROM ${quoteIdentifier(role.name)}; REVOKE USAGE ON SCHEMA ${quoteIdentifier(request.schema)} FROM ${quoteIdentifier(role.name)}`,
    );
  } else notes.push(`legacy role ${role.name} keeps its access: it is a superuser or inherits ${request.ownerRole}`);
  if (path !== role.searchPath && !role.settable) {
    refusals.push(
      `the adopting role ${facts.adopter} may not set the search_path of legacy role ${role.name}: run adopt as a role that may (a superuser; ${role.name} itself; a role with CREATEROLE${facts.serverVersion >= 160000 ? ` and ADMIN OPTION on ${role.name}` : ''}, when ${role.name} is not a superuser)`,
    );
  }
  if (path !== role.searchPath) out.push(setRoleSearchPath(role.name, facts.database, path));
  notes.push(`legacy role ${role.name}: new sessions find ${request.service}'s tables by their unqualified names (search_path ${path}); reconnect pooled sessions`);
  return out;
}

function refusalsOf(facts: AdoptionFacts, request: AdoptionRequest): string[] {
  const out: string[] = [];
  if (!facts.schemaExists || !facts.ownerRoleExists) {
    out.push(`schema ${request.schema} or role ${request.ownerRole} does not exist: deploy the environment's platform stack first (\`npx cdktf deploy ${request.environment ?? '<env>'}-platform\`), then adopt`);
  }
  for (const object of [...facts.tables.map((t) => ({ ...t, kind: 'table' })), ...facts.enums.map((e) => ({ ...e, kind: 'type' }))]) {
    if (!object.ownable) {
      out.push(
        `${object.kind} ${request.legacySchema}.${object.name} is owned by ${object.owner}; the adopting role ${facts.adopter} is neither a superuser nor a member of ${object.owner}, so it cannot move it or change its owner: run adopt as ${object.owner} or a superuser (or GRANT ${object.owner} TO ${facts.adopter})`,
      );
    }
  }
  if (facts.schemaExists && facts.ownerRoleExists && !facts.adopterInOwnerRole) {
    out.push(`the adopting role ${facts.adopter} is not a member of ${request.ownerRole}, so it cannot make it the owner: run adopt as the deploying role (the platform stack makes it a member of every owner role) or a superuser`);
  }
  if (facts.schemaExists && !facts.adopterCreatesInSchema) out.push(`the adopting role ${facts.adopter} may not create in schema ${request.schema} (SET SCHEMA needs it): run adopt as the deploying role or a superuser`);
  const moving = new Map<string, string>([...request.tables, ...request.enums, ...request.sequences].map((n) => [n, `${request.legacySchema}.${n}`]));
  for (const index of request.indexes) moving.set(index.name, `${request.legacySchema}.${index.table} and its index ${index.name}`);
  for (const name of facts.taken.filter((n) => moving.has(n))) {
    out.push(`schema ${request.schema} already holds an object named ${name}: adopt moves ${moving.get(name)} there; drop the one in ${request.schema} if it is a leftover, or find out who created it`);
  }
  if (request.dropAlembicVersion && facts.remainingTables.length > 0) {
    out.push(`--drop-alembic-version: ${request.legacySchema} still holds ${facts.remainingTables.join(', ')}, which the old process migrates: drop alembic_version with the last service's adopt`);
  }
  for (const user of facts.enumUsers) {
    out.push(`enum ${request.legacySchema}.${user.enumName} is also used by ${user.usedBy}, which is not ${request.service}'s: an enum belongs to one service; give that column a type of its own first (or adopt it with its owner)`);
  }
  if (facts.searchPathUnknown) out.push(`the legacy roles' search_path cannot be read: ${facts.searchPathUnknown}; set it on each legacy role (ALTER ROLE ... IN DATABASE ... SET search_path) and run adopt again`);
  if (request.dropAlembicVersion && facts.alembicRevisions === undefined) out.push(`--drop-alembic-version: there is no ${request.legacySchema}.alembic_version`);
  return out;
}

/** The adoption's statements, or why it cannot run. */
export function adoptionPlan(facts: AdoptionFacts, request: AdoptionRequest): AdoptionPlan {
  const refusals = refusalsOf(facts, request);
  const notes: string[] = [];
  const L = request.legacySchema;
  const S = request.schema;
  const statements = [
    ...request.crossServiceForeignKeys.map((fk) => dropConstraint(L, fk.table, fk.name)),
    ...request.enums.map((e) => setSchema('TYPE', L, e, S)),
    ...request.tables.map((t) => setSchema('TABLE', L, t, S)),
    ...request.enums.map((e) => ownerTo('TYPE', S, e, request.ownerRole)),
    ...request.tables.map((t) => ownerTo('TABLE', S, t, request.ownerRole)),
    ...revokes(facts, request, notes),
    ...grants(facts, request),
    ...facts.legacyRoles.flatMap((role) => legacyRoleStatements(role, facts, request, refusals, notes)),
    ...(request.dropAlembicVersion ? [dropTable(L, 'alembic_version')] : []),
  ];
  for (const fk of request.crossServiceForeignKeys) notes.push(`foreign key ${fk.name} of ${fk.table} into ${fk.target} is dropped: foreign keys never cross services (the model keeps it as an application-level reference)`);
  if (facts.alembicRevisions !== undefined && !request.dropAlembicVersion) {
    notes.push(`${L}.alembic_version (revision ${facts.alembicRevisions.join(', ') || 'none'}) is left in place for the services still on Alembic; the last adopt can drop it (--drop-alembic-version)`);
  }
  return { refusals, statements, notes };
}
