// What a legacy table holds that the table model cannot express. The catalog comparison
// (drift, adopt) only sees what the model has words for, so a trigger, a partition or an
// expression index would otherwise be carried along or lost without anyone being told. Each
// finding is one sentence naming the table and what to do.
import { ClientBase } from 'pg';
import { INDEX_METHODS } from '../schema/schema-model';

/**
 * One query per kind of object, each returning (table, kind, object, sentence): kind and object
 * name the column, index or constraint the sentence is about, NULL when it is about the table. Kept as data so a reviewer
 * sees every kind in one place; `$1` is the schema, `$2` the table names.
 */
const CHECKS: readonly string[] = [
  `SELECT c.relname, NULL, NULL, CASE WHEN c.relkind = 'p' THEN 'is partitioned: the model has plain tables only' ELSE 'is a partition of another table: the model has plain tables only' END
     FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relname = ANY($2) AND (c.relkind = 'p' OR c.relispartition)`,
  `SELECT c.relname, NULL, NULL, format('inherits from %I.%I: the model has no table inheritance', pn.nspname, p.relname)
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relname = ANY($2) AND NOT c.relispartition`,
  `SELECT c.relname, NULL, NULL, 'is UNLOGGED: the model creates logged tables (ALTER TABLE ... SET LOGGED first)'
     FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relname = ANY($2) AND c.relpersistence = 'u'`,
  `SELECT c.relname, NULL, NULL, format('has storage parameters (%s): the model does not set them; they stay on the table but no migration manages them', array_to_string(c.reloptions, ', '))
     FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relname = ANY($2) AND c.reloptions IS NOT NULL`,
  `SELECT c.relname, NULL, NULL, 'has row-level security enabled: policies are the platform''s, not a migration''s'
     FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relname = ANY($2) AND (c.relrowsecurity OR c.relforcerowsecurity)`,
  `SELECT c.relname, NULL, NULL, format('has trigger %I: the model has no triggers (drop it before adopt; recreate it by a migration with an acknowledged BEDROCK-S3 if it is still needed)', t.tgname)
     FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relname = ANY($2) AND NOT t.tgisinternal`,
  `SELECT c.relname, NULL, NULL, format('has rule %I: the model has no rules', r.rulename)
     FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relname = ANY($2) AND c.relkind IN ('r', 'p')`,
  `SELECT c.relname, 'column', a.attname::text, format('column %I is a generated column (%s): the model has no generated columns', a.attname, pg_get_expr(d.adbin, d.adrelid))
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relname = ANY($2) AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated <> ''`,
  `SELECT c.relname, 'column', a.attname::text, format('column %I has collation %s: the model uses the default collation', a.attname, co.collname)
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type ty ON ty.oid = a.atttypid JOIN pg_collation co ON co.oid = a.attcollation
    WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relname = ANY($2) AND a.attnum > 0 AND NOT a.attisdropped AND a.attcollation <> 0 AND a.attcollation <> ty.typcollation`,
  `SELECT c.relname, 'constraint', k.conname::text, format('constraint %I is an exclusion constraint: the model has none', k.conname)
     FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relname = ANY($2) AND k.contype = 'x'`,
  `SELECT c.relname, 'constraint', k.conname::text, format('constraint %I is DEFERRABLE: the model''s constraints are checked immediately', k.conname)
     FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relname = ANY($2) AND k.condeferrable`,
  `SELECT c.relname, 'constraint', k.conname::text, format('constraint %I is NOT VALID (rows may break it): validate it first (ALTER TABLE %I.%I VALIDATE CONSTRAINT %I)', k.conname, $1::text, c.relname, k.conname)
     FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relname = ANY($2) AND NOT k.convalidated`,
  `SELECT c.relname, 'constraint', k.conname::text, format('check constraint %I is NO INHERIT: the model''s checks are plain', k.conname)
     FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relname = ANY($2) AND k.contype = 'c' AND k.connoinherit`,
  `SELECT c.relname, 'constraint', k.conname::text, format('foreign key %I is MATCH FULL: the model''s foreign keys are MATCH SIMPLE', k.conname)
     FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relname = ANY($2) AND k.contype = 'f' AND k.confmatchtype = 'f'`,
  `SELECT c.relname, 'index', ic.relname::text, format('index %I is on an expression (%s): the model indexes columns', ic.relname, pg_get_indexdef(i.indexrelid))
     FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
    WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relname = ANY($2) AND (0 = ANY(i.indkey::int2[]) OR i.indexprs IS NOT NULL)`,
  `SELECT c.relname, 'index', ic.relname::text, format('index %I is INVALID (a failed CREATE INDEX CONCURRENTLY): drop it (DROP INDEX CONCURRENTLY %I.%I) or rebuild it', ic.relname, $1::text, ic.relname)
     FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
    WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relname = ANY($2) AND NOT i.indisvalid`,
  `SELECT c.relname, 'index', ic.relname::text, format('index %I uses the %s method: the model has %s', ic.relname, am.amname, $3::text)
     FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
    WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relname = ANY($2) AND am.amname <> ALL($4)`,
  `SELECT c.relname, 'index', ic.relname::text, format('index %I has a column with a non-default collation: the model uses the default collation', ic.relname)
     FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
    WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relname = ANY($2)
      AND EXISTS (SELECT 1 FROM unnest(i.indcollation::oid[]) WITH ORDINALITY u(coll, n) JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[u.n - 1]
                   WHERE u.coll <> 0 AND u.coll <> a.attcollation)`,
  // A view only its owner may use keeps working and is harmless; one granted to others lets them
  // read or write the table with its owner's rights, past the access model.
  `SELECT DISTINCT c.relname, NULL, NULL,
          CASE WHEN v.relacl IS NULL OR NOT EXISTS (SELECT 1 FROM aclexplode(v.relacl) x WHERE x.grantee <> v.relowner)
               THEN format('%s %I.%I reads it: it keeps working after the move (it refers to the table, not its name) but no migration manages it',
                           CASE v.relkind WHEN 'm' THEN 'materialized view' ELSE 'view' END, vn.nspname, v.relname)
               ELSE format('%s %I.%I reads it and is granted to other roles (%s): through it they use the table with its owner''s rights, past the access model; revoke those grants or drop it',
                           CASE v.relkind WHEN 'm' THEN 'materialized view' ELSE 'view' END, vn.nspname, v.relname, array_to_string(v.relacl, ', '))
          END
     FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class JOIN pg_namespace vn ON vn.oid = v.relnamespace JOIN pg_class c ON c.oid = d.refobjid
    WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass AND v.oid <> c.oid
      AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relname = ANY($2)`,
  `SELECT c.relname, 'column', a.attname::text, format('column %I takes its default from sequence %I.%I, which no column owns: the model has serial and identity columns only', a.attname, (SELECT nspname FROM pg_namespace WHERE oid = s.relnamespace), s.relname)
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
     JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid AND d.refclassid = 'pg_class'::regclass
     JOIN pg_class s ON s.oid = d.refobjid AND s.relkind = 'S'
    WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relname = ANY($2) AND a.attnum > 0 AND NOT a.attisdropped
      AND NOT EXISTS (SELECT 1 FROM pg_depend o WHERE o.classid = 'pg_class'::regclass AND o.objid = s.oid AND o.refobjid = c.oid AND o.refobjsubid = a.attnum AND o.deptype IN ('a', 'i'))`,
  // A function a constraint, a default or an index calls runs whenever the owner role writes the
  // table: one owned by a role that is not a superuser can be changed by that role after adopt.
  `SELECT DISTINCT c.relname, NULL, NULL, format('%s calls function %I.%s, owned by %I (not a superuser): that role could change what runs when %s''s owner writes the table; re-own it (ALTER FUNCTION ... OWNER TO a superuser) or drop the dependency before adopt',
                                     x.what, pn.nspname, p.oid::regprocedure::text, pg_get_userbyid(p.proowner), c.relname)
     FROM (SELECT k.conrelid AS rel, k.oid AS obj, 'pg_constraint'::regclass AS cls, format('constraint %I', k.conname) AS what FROM pg_constraint k
           UNION ALL SELECT ad.adrelid, ad.oid, 'pg_attrdef'::regclass, format('the default of column %I', at.attname) FROM pg_attrdef ad JOIN pg_attribute at ON at.attrelid = ad.adrelid AND at.attnum = ad.adnum
           UNION ALL SELECT i.indrelid, i.indexrelid, 'pg_class'::regclass, format('index %I', ic.relname) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid) x
     JOIN pg_depend d ON d.classid = x.cls AND d.objid = x.obj AND d.refclassid = 'pg_proc'::regclass
     JOIN pg_proc p ON p.oid = d.refobjid JOIN pg_namespace pn ON pn.oid = p.pronamespace JOIN pg_roles o ON o.oid = p.proowner
     JOIN pg_class c ON c.oid = x.rel
    WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relname = ANY($2) AND NOT o.rolsuper`,
];

/** What only PostgreSQL 15 and newer hold (NULLS NOT DISTINCT on a plain unique index, SET NULL of some columns). */
const CHECKS_15 = [
  `SELECT c.relname, 'index', ic.relname::text, format('index %I is UNIQUE NULLS NOT DISTINCT: the model has that on unique constraints only (uniques: [{ ..., nullsNotDistinct: true }])', ic.relname)
     FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
    WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relname = ANY($2) AND i.indnullsnotdistinct
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`,
  `SELECT c.relname, 'constraint', k.conname::text, format('foreign key %I sets only some of its columns to NULL on delete: the model''s SET NULL sets them all', k.conname)
     FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
    WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) AND c.relname = ANY($2) AND k.contype = 'f' AND k.confdelsetcols IS NOT NULL`,
];

/** A legacy object the model cannot express: the writer leaves it out (an index, a constraint) or marks it (a column). */
export interface UnmodelledObject {
  readonly table: string;
  readonly kind: 'column' | 'index' | 'constraint';
  readonly name: string;
  readonly finding: string;
}

export interface Unmodelled {
  /** Every sentence, `table <t> ...`, sorted. */
  readonly findings: readonly string[];
  readonly objects: readonly UnmodelledObject[];
}

/** Everything about `tables` of `schema` the model cannot express. */
export async function unmodelled(client: ClientBase, schema: string, tables: readonly string[]): Promise<Unmodelled> {
  const methods = INDEX_METHODS.join(', ');
  const version = Number((await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)).rows[0].v);
  const results = await Promise.all(
    [...CHECKS, ...(version >= 150000 ? CHECKS_15 : [])].map((sql) => {
      const params: unknown[] = [schema, tables];
      if (sql.includes('$3')) params.push(methods, INDEX_METHODS);
      return client.query({ text: sql, values: params, rowMode: 'array' });
    }),
  );
  const rows = results.flatMap((result) => result.rows as [string, UnmodelledObject['kind'] | null, string | null, string][]);
  const findings = [...new Set(rows.map(([table, , , finding]) => `table ${table} ${finding}`))].sort();
  const objects = rows.filter(([, kind, name]) => kind !== null && name !== null).map(([table, kind, name, finding]) => ({ table, kind: kind!, name: name!, finding }));
  return { findings, objects };
}
