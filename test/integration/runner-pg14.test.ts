// The runner on PostgreSQL 14, the oldest version the project targets, where some security-
// relevant behaviour differs from 18: up to 17, deferred constraint checks run at COMMIT as the
// current user (18 runs them as the role that queued them).
import { formatMigration, parseMigration } from '../../lib/migrations/migration-file';
import { migrationPlan } from '../../lib/migrations/migration-plan';
import { converge } from '../../lib/runner/runner';
import { hasTestServer, useTestDatabase } from '../support/database';
import { prepareServices } from '../support/platform';

const db = useTestDatabase(14);
const available = hasTestServer(14);
const run = available ? test : test.skip;
if (!available) console.log('SKIPPED: PostgreSQL 14 is not available (the optional dependency postgresql-14-binaries, linux x64 only, is not installed): the runner was not checked on 14');

beforeAll(async () => {
  if (!available) return;
  await prepareServices(db, ['datahub', 'portfolio']);
  await db.query(`CREATE SEQUENCE datahub.orders_id_seq`);
});

// Found by a second attacker's pass (on 15): a judge-clean migration - a deferred exclusion
// constraint whose index expression casts to a domain with a CHECK - had its check run at
// COMMIT, after the runner's RESET ROLE, as the deploying superuser, and set another service's
// sequence. The runner now checks deferred constraints as the owner before RESET ROLE.
run('deferred constraint checks run as the owner role, not as the deploying user at COMMIT', async () => {
  const asOther = `pg_catalog.setval('datahub.orders_id_seq'::text::regclass, 424242) > 0`;
  const id = '20260101_000000_portfolio_deferred';
  const text = formatMigration({
    id,
    service: 'portfolio',
    summary: [],
    destructive: [],
    up: [
      `CREATE DOMAIN portfolio.d AS integer CHECK (CASE WHEN current_user = 'portfolio_owner' THEN true ELSE ${asOther} END);`,
      'CREATE TABLE portfolio.t (id integer NOT NULL, a integer, CONSTRAINT t_x EXCLUDE USING btree ((a::portfolio.d) WITH =) DEFERRABLE INITIALLY DEFERRED);',
      'INSERT INTO portfolio.t VALUES (1, 1), (2, 1);',
      'DELETE FROM portfolio.t WHERE id = 1;',
    ],
    down: ['DROP TABLE portfolio.t;', 'DROP DOMAIN portfolio.d;'],
  });
  const result = await converge(db.client, { plan: migrationPlan('portfolio', 'portfolio_owner', [parseMigration(`${id}.sql`, text)]), allowDowngrades: false });
  expect(result.applied).toEqual([id]);
  const sequence = await db.query(`SELECT last_value, is_called FROM datahub.orders_id_seq`);
  expect(sequence.rows[0]).toEqual({ last_value: '1', is_called: false });
  expect((await db.query('SELECT version()')).rows[0].version).toMatch(/^PostgreSQL 14\./);
});
