// Property of the differ on PostgreSQL 15: random sequences of model edits, each applied to
// tables holding rows through `generate`, give the catalog of a fresh create of the new model,
// keep the rows, get the right data-loss verdict, leave nothing for a second generate, and roll
// back migration by migration to each earlier catalog. A fixed
// seed set that fits in npm test; long runs: npm run property:differ -- --minutes 30.
// A failure prints the seed and the minimal edit (shrunk), the statement and its SQLSTATE.
//   BEDROCK_DIFFER_SEEDS=7,9 BEDROCK_DIFFER_STEPS=12 to run other seeds here.
import { hasTestServer, useTestDatabase } from '../support/database';
import { CaseResult, describeFailure, PropertySetup, runCase } from '../support/differ-property';
import { describeShrunk, shrink } from '../support/differ-property-shrink';

// Seeds 103 and 204 found the enum rebuild that breaks a foreign key between enum columns (42804);
// 226 and 377 rename hints that read like ones an earlier migration applied (with the generator
// of then; test/unit/schema-diff.test.ts pins each of those fixes as a plain case).
const SEED_SPEC = process.env.BEDROCK_DIFFER_SEEDS ?? '1-100,103,204,226,377';
const SEEDS = SEED_SPEC.split(',').flatMap((part) => {
  const [from, to] = part.split('-').map(Number);
  return to === undefined ? [from] : Array.from({ length: to - from + 1 }, (_, i) => from + i);
});
const STEPS = Number(process.env.BEDROCK_DIFFER_STEPS ?? 12);

const migrated = useTestDatabase(15);
const fresh = useTestDatabase(15);
const available = hasTestServer(15);
const run = available ? test : test.skip;
if (!available) console.log('SKIPPED: PostgreSQL 15 is not available (optional dependency postgresql-15-binaries): the differ property did not run');

run(`random model edits on tables holding rows match a fresh create and roll back (seeds ${SEED_SPEC}, ${STEPS} edits each)`, async () => {
  const setup: PropertySetup = { migrated: migrated.client, fresh: fresh.client, postgresVersion: 15 };
  const started = Date.now();
  const results: CaseResult[] = [];
  for (const seed of SEEDS) results.push(await runCase(setup, seed, STEPS));

  const failed = results.filter((r) => r.failure);
  const total = (pick: (r: CaseResult) => number) => results.reduce((sum, r) => sum + pick(r), 0);
  const summary = [
    `differ property on PostgreSQL 15: seeds ${SEED_SPEC} (${SEEDS.length} cases, ${STEPS} edits each) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    `  ${total((r) => r.applied)} steps migrated and checked, ${total((r) => r.rolledBack)} rolled back; refused by the model ${total((r) => r.refusedByModel.length)}, by the differ ${total((r) => r.refusedByDiffer.length)}; data conflicts (rows deleted, retried) ${total((r) => r.dataConflicts.length)}`,
    `  failing seeds: ${failed.map((r) => r.seed).join(', ') || 'none'}`,
  ];
  // The first failure shrunk to its minimal edit; the others as they happened.
  const reports: string[] = [];
  for (const [i, r] of failed.entries()) {
    reports.push(...(i === 0 ? describeShrunk(await shrink(setup, r.failure!, r.edits, 40), r.edits.length) : describeFailure(r.failure!)));
  }
  console.log([...summary, ...reports].join('\n'));
  expect(reports).toEqual([]);
  // The generator must keep producing migrations the database runs, not only refusals.
  expect(total((r) => r.applied)).toBeGreaterThan(SEEDS.length * STEPS * 0.6);
}, 600_000);
