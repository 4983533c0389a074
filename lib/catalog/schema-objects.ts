// Every object PostgreSQL holds in one schema, in one catalog read: relations, routines, types,
// triggers, rules and policies on its tables, extended statistics, collations, operators,
// extensions, and the schema itself, each with its owner. What extra-objects.ts and
// object-owners.ts judge; it decides nothing.
import { ClientBase } from 'pg';

export type SchemaObjectKind =
  | 'schema'
  | 'table'
  | 'view'
  | 'materialized view'
  | 'foreign table'
  | 'composite type'
  | 'sequence'
  | 'function'
  | 'procedure'
  | 'aggregate'
  | 'enum'
  | 'domain'
  | 'range'
  | 'type'
  | 'trigger'
  | 'rule'
  | 'policy'
  | 'statistics'
  | 'collation'
  | 'operator'
  | 'extension';

export interface SchemaObject {
  readonly kind: SchemaObjectKind;
  readonly name: string;
  /** The table a trigger, rule or policy is on. */
  readonly table?: string;
  /** A routine's or operator's argument types as PostgreSQL prints them (`integer, text`), for its signature. */
  readonly arguments?: string;
  /** The owning role; none for triggers, rules and policies (their table's owner owns them). */
  readonly owner?: string;
  /** Made by an extension (CREATE EXTENSION): reported as the extension, not one by one. */
  readonly inExtension: boolean;
  /** A sequence owned by a table's column (serial, identity): its owner follows the table's. */
  readonly ownedByColumn: boolean;
  /** A function that runs with its owner's privileges (SECURITY DEFINER). */
  readonly securityDefiner: boolean;
}

/** `EXISTS` an extension membership of the row `object` of catalog `catalog`. */
const inExtension = (catalog: string, object: string): string =>
  `EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = '${catalog}'::pg_catalog.regclass AND e.objid = ${object} AND e.deptype = 'e')`;

// Types: not a relation's row type (the relation is listed), not an array or multirange made
// along with another type.
const QUERY = `
WITH s AS (SELECT oid, nspname, nspowner FROM pg_catalog.pg_namespace WHERE nspname = $1)
SELECT 'schema' AS kind, s.nspname AS name, NULL AS "table", NULL AS arguments, pg_catalog.pg_get_userbyid(s.nspowner) AS owner,
       false AS in_extension, false AS owned_by_column, false AS security_definer
  FROM s
UNION ALL
SELECT CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                      WHEN 'f' THEN 'foreign table' WHEN 'c' THEN 'composite type' ELSE 'sequence' END,
       c.relname, NULL, NULL, pg_catalog.pg_get_userbyid(c.relowner), ${inExtension('pg_class', 'c.oid')},
       c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
                                    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype IN ('a', 'i')),
       false
  FROM pg_catalog.pg_class c JOIN s ON c.relnamespace = s.oid
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c', 'S')
UNION ALL
SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'function' END,
       p.proname, NULL, pg_catalog.pg_get_function_identity_arguments(p.oid), pg_catalog.pg_get_userbyid(p.proowner),
       ${inExtension('pg_proc', 'p.oid')}, false, p.prosecdef
  FROM pg_catalog.pg_proc p JOIN s ON p.pronamespace = s.oid
UNION ALL
SELECT CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range' ELSE 'type' END,
       t.typname, NULL, NULL, pg_catalog.pg_get_userbyid(t.typowner), ${inExtension('pg_type', 't.oid')}, false, false
  FROM pg_catalog.pg_type t JOIN s ON t.typnamespace = s.oid
 WHERE t.typrelid = 0 AND t.typtype <> 'm' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type a WHERE a.typarray = t.oid)
UNION ALL
SELECT 'trigger', g.tgname, c.relname, NULL, NULL, ${inExtension('pg_trigger', 'g.oid')}, false, false
  FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid JOIN s ON c.relnamespace = s.oid
 WHERE NOT g.tgisinternal
UNION ALL
SELECT 'rule', r.rulename, c.relname, NULL, NULL, ${inExtension('pg_rewrite', 'r.oid')}, false, false
  FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class JOIN s ON c.relnamespace = s.oid
 WHERE r.rulename <> '_RETURN'
UNION ALL
SELECT 'policy', y.polname, c.relname, NULL, NULL, false, false, false
  FROM pg_catalog.pg_policy y JOIN pg_catalog.pg_class c ON c.oid = y.polrelid JOIN s ON c.relnamespace = s.oid
UNION ALL
SELECT 'statistics', x.stxname, NULL, NULL, pg_catalog.pg_get_userbyid(x.stxowner), ${inExtension('pg_statistic_ext', 'x.oid')}, false, false
  FROM pg_catalog.pg_statistic_ext x JOIN s ON x.stxnamespace = s.oid
UNION ALL
SELECT 'collation', l.collname, NULL, NULL, pg_catalog.pg_get_userbyid(l.collowner), ${inExtension('pg_collation', 'l.oid')}, false, false
  FROM pg_catalog.pg_collation l JOIN s ON l.collnamespace = s.oid
UNION ALL
SELECT 'operator', o.oprname, NULL,
       COALESCE(pg_catalog.format_type(NULLIF(o.oprleft, 0), NULL), 'NONE') || ', ' || COALESCE(pg_catalog.format_type(NULLIF(o.oprright, 0), NULL), 'NONE'),
       pg_catalog.pg_get_userbyid(o.oprowner), ${inExtension('pg_operator', 'o.oid')}, false, false
  FROM pg_catalog.pg_operator o JOIN s ON o.oprnamespace = s.oid
UNION ALL
SELECT 'extension', x.extname, NULL, NULL, pg_catalog.pg_get_userbyid(x.extowner), false, false, false
  FROM pg_catalog.pg_extension x JOIN s ON x.extnamespace = s.oid
ORDER BY 1, 3 NULLS FIRST, 2`;

interface Row {
  kind: SchemaObjectKind;
  name: string;
  table: string | null;
  arguments: string | null;
  owner: string | null;
  in_extension: boolean;
  owned_by_column: boolean;
  security_definer: boolean;
}

/** Every object of `schema` (none when the schema does not exist). */
export async function readSchemaObjects(client: ClientBase, schema: string): Promise<SchemaObject[]> {
  const { rows } = await client.query<Row>(QUERY, [schema]);
  return rows.map((r) => ({
    kind: r.kind,
    name: r.name,
    ...(r.table !== null ? { table: r.table } : {}),
    ...(r.arguments !== null ? { arguments: r.arguments } : {}),
    ...(r.owner !== null ? { owner: r.owner } : {}),
    inExtension: r.in_extension,
    ownedByColumn: r.owned_by_column,
    securityDefiner: r.security_definer,
  }));
}
