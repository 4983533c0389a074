// Two spellings of one expression are equal after a round trip through PostgreSQL's parser;
// different expressions stay different (checks, defaults, partial-index predicates).
import { LiveSchema } from '../../lib/catalog/live-schema';
import { readLiveSchema } from '../../lib/catalog/live-schema';
import { withEquivalentExpressions } from '../../lib/catalog/equivalent-expressions';
import { schemaDifferences } from '../../lib/catalog/schema-differences';
import { useTestDatabase } from '../support/database';

const db = useTestDatabase();

async function compare(expected: LiveSchema, actual: LiveSchema): Promise<string[]> {
  await db.query('BEGIN');
  try {
    return schemaDifferences('s', expected, await withEquivalentExpressions(db.client, expected, actual, (table) => ({ schema: 's', table })));
  } finally {
    await db.query('ROLLBACK');
  }
}

test("SQLAlchemy's IN list and the text PostgreSQL prints for it are one check; another list is not", async () => {
  await db.query(`CREATE SCHEMA s; CREATE TABLE s.trades (side varchar(8), price numeric DEFAULT '0', CONSTRAINT ck_side CHECK (side IN ('buy', 'sell')))`);
  await db.query('SET search_path = pg_catalog, pg_temp');
  const live = await readLiveSchema(db.client, 's');
  const printedCheck = live.tables[0].checks[0].expression;
  expect(printedCheck).toBe("((side)::text = ANY ((ARRAY['buy'::character varying, 'sell'::character varying])::text[]))");
  // The same check created from the printed text prints differently.
  await db.query(`CREATE TABLE s.copy (side varchar(8), CONSTRAINT ck_side CHECK (${printedCheck}))`);
  const reprinted = (await readLiveSchema(db.client, 's')).tables.find((t) => t.name === 'copy')!.checks[0].expression;
  expect(reprinted).not.toBe(printedCheck);
  const expected = (check: string): LiveSchema => ({ ...live, tables: [{ ...live.tables[0], checks: [{ name: 'ck_side', expression: check }] }] });
  expect(await compare(expected(reprinted), live)).toEqual([]);
  expect((await compare(expected("((side)::text = ANY (ARRAY[('buy'::character varying)::text, ('hold'::character varying)::text]))"), live)).join('\n')).toContain('ck_side differs');
});
