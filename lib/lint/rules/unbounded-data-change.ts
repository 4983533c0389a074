// BEDROCK-L12: TRUNCATE, and DELETE or UPDATE without WHERE, in a migration change every row of
// a table (TRUNCATE under ACCESS EXCLUSIVE): on a shared production table that is rarely meant.
// Not in a batched data section (`-- +data batched <table> key <column> size <n>`): there the
// runner adds `key > last AND key <= upper` to the statement's WHERE, so each batch changes at
// most `size` rows and commits; a backfill of every row (`UPDATE t SET c = ...`) is the usual
// case, and the declaration says so in the file (Flyway and strong_migrations users batch the
// same way, and strong_migrations' only objection to such an UPDATE is the one transaction).
import { lintRule, Risk } from '../lint-rule';
import { relationOf, tableKey } from '../statement-parts';

export const UnboundedDataChange = lintRule({
  id: 'BEDROCK-L12',
  name: 'UnboundedDataChange',
  severity: 'error',
  description: 'No TRUNCATE, and no DELETE or UPDATE without WHERE, on a table that may hold rows',
  risks(statement, facts, schema): Risk[] {
    const { node, kind } = statement;
    if (facts.data?.kind === 'batched') return [];
    if (kind === 'TruncateStmt') {
      const relations = ((node.relations as { RangeVar?: Record<string, unknown> }[] | undefined) ?? []).map((r) => tableKey(r.RangeVar, schema));
      return relations.map((table) => ({ table, what: 'empties the table', lock: 'ACCESS EXCLUSIVE', work: 'none', why: 'every row is gone, for every service reading it', safe: 'delete what must go with a WHERE, in batches; or acknowledge with the reason' }) as Risk);
    }
    if ((kind === 'DeleteStmt' || kind === 'UpdateStmt') && node.whereClause === undefined) {
      const verb = kind === 'DeleteStmt' ? 'deletes every row' : 'updates every row';
      return [{ table: relationOf(statement, schema), what: verb, lock: 'ROW EXCLUSIVE', work: 'rewrite', why: 'every row is changed in one transaction (each row locked against other writers until it commits, a table-sized WAL burst)', safe: 'a WHERE clause, in batches in steps of their own; or acknowledge with the reason (a backfill of a new column)' }];
    }
    return [];
  },
});
