// adoptionPlan (issue 13) decides, from facts read in the adoption's transaction, either every
// reason adopt must refuse or the exact statements of that transaction. Pure, so these tests
// state the plan for hand-made facts: the statements in the order that works (cross-service keys
// dropped before anything moves, types before the tables whose columns use them, moves before
// owners, grants after owners, the legacy role last), every refusal at once, the legacy role's
// search_path extended without losing what it had, PUBLIC written as the keyword, and no grant
// for a legacy role that keeps its rights anyway.
import { AdoptionFacts, LegacyRole } from '../../lib/adopt/adoption-facts';
import { adoptionPlan, AdoptionRequest, searchPathWith } from '../../lib/adopt/adoption-plan';
import { lockTables } from '../../lib/sql/adoption-statements';

const LEGACY: LegacyRole = {
  name: 'legacy_app',
  covered: false,
  settable: true,
  searchPath: '"$user", public',
};

const FACTS: AdoptionFacts = {
  database: 'trading',
  adopter: 'deployer',
  adopterIsSuperuser: true,
  serverVersion: 180000,
  schemaExists: true,
  ownerRoleExists: true,
  adopterInOwnerRole: true,
  adopterCreatesInSchema: true,
  tables: [
    { name: 'klines', owner: 'legacy_app', ownable: true },
    { name: 'chain_data', owner: 'legacy_app', ownable: true },
  ],
  enums: [{ name: 'kline_interval', owner: 'legacy_app', ownable: true }],
  taken: [],
  legacyRoles: [LEGACY],
  defaultGrants: [
    { objectType: 'r', grantee: 'datahub_app', privilege: 'SELECT' },
    { objectType: 'r', grantee: 'datahub_app', privilege: 'INSERT' },
    { objectType: 'r', grantee: null, privilege: 'SELECT' },
    { objectType: 'S', grantee: 'datahub_app', privilege: 'USAGE' },
  ],
  alembicRevisions: ['0007_ml_models'],
  remainingTables: ['signals', 'positions'],
  existingGrants: [],
  enumUsers: [],
};

const REQUEST: AdoptionRequest = {
  service: 'datahub',
  legacySchema: 'public',
  schema: 'datahub',
  ownerRole: 'datahub_owner',
  tables: ['klines', 'chain_data'],
  enums: ['kline_interval'],
  sequences: ['klines_id_seq'],
  indexes: [
    { table: 'klines', name: 'klines_pkey' },
    { table: 'klines', name: 'ix_klines_symbol' },
  ],
  crossServiceForeignKeys: [
    {
      table: 'chain_data',
      name: 'chain_data_signal_id_fkey',
      target: 'public.signals',
    },
  ],
  dropAlembicVersion: false,
};

describe('the statements of the adoption', () => {
  test('come in the one order that works, each name quoted', () => {
    const plan = adoptionPlan(FACTS, REQUEST);
    expect(plan.refusals).toEqual([]);
    expect(plan.statements).toEqual([
      'ALTER TABLE "public"."chain_data" DROP CONSTRAINT "chain_data_signal_id_fkey"',
      'ALTER TYPE "public"."kline_interval" SET SCHEMA "datahub"',
      'ALTER TABLE "public"."klines" SET SCHEMA "datahub"',
      'ALTER TABLE "public"."chain_data" SET SCHEMA "datahub"',
      'ALTER TYPE "datahub"."kline_interval" OWNER TO "datahub_owner"',
      'ALTER TABLE "datahub"."klines" OWNER TO "datahub_owner"',
      'ALTER TABLE "datahub"."chain_data" OWNER TO "datahub_owner"',
      'GRANT SELECT, INSERT ON TABLE "datahub"."klines" TO "datahub_app"',
      'GRANT SELECT, INSERT ON TABLE "datahub"."chain_data" TO "datahub_app"',
      'GRANT SELECT ON TABLE "datahub"."klines" TO PUBLIC',
      'GRANT SELECT ON TABLE "datahub"."chain_data" TO PUBLIC',
      'GRANT USAGE ON SEQUENCE "datahub"."klines_id_seq" TO "datahub_app"',
      'GRANT USAGE ON SCHEMA "datahub" TO "legacy_app"',
      'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "datahub"."klines" TO "legacy_app"',
      'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "datahub"."chain_data" TO "legacy_app"',
      'GRANT USAGE, SELECT, UPDATE ON SEQUENCE "datahub"."klines_id_seq" TO "legacy_app"',
      'ALTER ROLE "legacy_app" IN DATABASE "trading" SET search_path = "$user", public, "datahub"',
    ]);
  });

  test('the notes tell what stays behind and what the legacy role keeps', () => {
    const { notes } = adoptionPlan(FACTS, REQUEST);
    expect(notes).toEqual(
      expect.arrayContaining([
        expect.stringContaining('legacy role legacy_app keeps SELECT, INSERT, UPDATE, DELETE'),
        expect.stringContaining('REVOKE ALL ON ALL TABLES IN SCHEMA "datahub" FROM "legacy_app"'),
        expect.stringContaining('search_path "$user", public, "datahub"'),
        expect.stringContaining('foreign key chain_data_signal_id_fkey of chain_data into public.signals is dropped'),
        expect.stringContaining('public.alembic_version (revision 0007_ml_models) is left in place'),
      ])
    );
    expect(notes).toHaveLength(4);
  });

  test('the LOCK TABLE that starts the transaction names every table, qualified', () => {
    expect(lockTables('public', ['klines', 'chain_data'])).toBe('LOCK TABLE "public"."klines", "public"."chain_data" IN ACCESS EXCLUSIVE MODE');
  });

  test('--drop-alembic-version on the last service drops it last', () => {
    const plan = adoptionPlan({ ...FACTS, remainingTables: [] }, { ...REQUEST, dropAlembicVersion: true });
    expect(plan.refusals).toEqual([]);
    expect(plan.statements[plan.statements.length - 1]).toBe('DROP TABLE "public"."alembic_version"');
    expect(plan.notes.some((n) => n.includes('alembic_version'))).toBe(false);
  });

  test('no alembic_version: nothing is said about it', () => {
    const plan = adoptionPlan({ ...FACTS, alembicRevisions: undefined }, REQUEST);
    expect(plan.notes.some((n) => n.includes('alembic_version'))).toBe(false);
    expect(plan.statements.some((s) => s.includes('alembic_version'))).toBe(false);
  });

  test('hostile names are quoted identifiers in every statement', () => {
    const hostile = 'k"; DROP TABLE x; --';
    const plan = adoptionPlan(
      {
        ...FACTS,
        tables: [{ name: hostile, owner: 'legacy_app', ownable: true }],
        enums: [],
        defaultGrants: [],
        legacyRoles: [{ ...LEGACY, name: 'le"gacy' }],
      },
      {
        ...REQUEST,
        tables: [hostile],
        enums: [],
        sequences: [],
        crossServiceForeignKeys: [],
      }
    );
    expect(plan.statements).toContain('ALTER TABLE "public"."k""; DROP TABLE x; --" SET SCHEMA "datahub"');
    expect(plan.statements).toContain('GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "datahub"."k""; DROP TABLE x; --" TO "le""gacy"');
    expect(plan.statements).toContain('ALTER ROLE "le""gacy" IN DATABASE "trading" SET search_path = "$user", public, "datahub"');
  });

  test('a name no identifier may hold is refused, not written into a statement', () => {
    expect(() => adoptionPlan(FACTS, { ...REQUEST, tables: ['kli\nnes'] })).toThrow(/tab or line break/);
  });
});

describe('the legacy role', () => {
  test('covered (a superuser, or inheriting the owner role): no grants, only the search_path', () => {
    const plan = adoptionPlan({ ...FACTS, legacyRoles: [{ ...LEGACY, covered: true }] }, REQUEST);
    expect(plan.statements.filter((s) => s.includes('legacy_app'))).toEqual(['ALTER ROLE "legacy_app" IN DATABASE "trading" SET search_path = "$user", public, "datahub"']);
    expect(plan.notes).toContain('legacy role legacy_app keeps its access: it is a superuser or inherits datahub_owner');
  });

  test('covered, with the schema already on its search_path: no statement for it at all', () => {
    const plan = adoptionPlan(
      {
        ...FACTS,
        legacyRoles: [{ ...LEGACY, covered: true, searchPath: '"$user", public, datahub' }],
      },
      REQUEST
    );
    expect(plan.statements.filter((s) => s.includes('legacy_app'))).toEqual([]);
  });

  test('every legacy role is handled, each with its own search_path', () => {
    const plan = adoptionPlan(
      {
        ...FACTS,
        legacyRoles: [LEGACY, { name: 'reporting', covered: true, settable: true, searchPath: 'reports, public' }],
      },
      REQUEST
    );
    expect(plan.statements.filter((s) => s.startsWith('ALTER ROLE'))).toEqual([
      'ALTER ROLE "legacy_app" IN DATABASE "trading" SET search_path = "$user", public, "datahub"',
      'ALTER ROLE "reporting" IN DATABASE "trading" SET search_path = reports, public, "datahub"',
    ]);
  });
});

describe('searchPathWith', () => {
  test.each([
    ['"$user", public', '"$user", public, "datahub"'],
    ['public', 'public, "datahub"'],
    ['', '"datahub"'],
    ['"$user", public, datahub', '"$user", public, datahub'],
    ['datahub, public', 'datahub, public'],
    ['"datahub"', '"datahub"'],
    ['DataHub', 'DataHub'], // unquoted names fold to lower case: it is datahub
    ['"DataHub", public', '"DataHub", public, "datahub"'], // quoted, it is another schema
    ['"we""ird", public', '"we""ird", public, "datahub"'],
    ['  public ,  "$user"  ', 'public, "$user", "datahub"'],
  ])('%j -> %j', (current, wanted) => {
    expect(searchPathWith(current, 'datahub')).toBe(wanted);
  });

  test('a schema that needs quoting is quoted', () => {
    expect(searchPathWith('public', 'decision_engine')).toBe('public, "decision_engine"');
    expect(searchPathWith('public', 'Odd"Name')).toBe('public, "Odd""Name"');
  });

  test.each([['"unterminated, public'], ['public; RESET ALL'], ['a b'], ["'public'"], ['"a,b"'], ['public, 1abc']])('an item it cannot read is a problem, not a guess: %j', (current) => {
    const result = searchPathWith(current, 'datahub');
    expect(result).toEqual({
      problem: expect.stringContaining(`its search_path (${current}) has an item adopt does not read`),
    });
  });

  test('an unreadable search_path is a refusal of the plan, naming the role and the fix', () => {
    const plan = adoptionPlan(
      {
        ...FACTS,
        legacyRoles: [{ ...LEGACY, searchPath: 'public; RESET ALL' }],
      },
      REQUEST
    );
    expect(plan.refusals).toEqual([
      'legacy role legacy_app: its search_path (public; RESET ALL) has an item adopt does not read (public; RESET ALL): set it by hand (ALTER ROLE ... IN DATABASE ... SET search_path) and run adopt again',
    ]);
  });
});

describe('refusals', () => {
  test('every reason is listed at once', () => {
    const facts: AdoptionFacts = {
      ...FACTS,
      adopter: 'deployer',
      adopterIsSuperuser: false,
      adopterInOwnerRole: false,
      adopterCreatesInSchema: false,
      tables: [
        { name: 'klines', owner: 'alembic', ownable: false },
        { name: 'chain_data', owner: 'legacy_app', ownable: true },
      ],
      enums: [{ name: 'kline_interval', owner: 'alembic', ownable: false }],
      taken: ['chain_data', 'unrelated'],
      legacyRoles: [
        { ...LEGACY, settable: false, searchPath: 'a b' },
        { name: 'deployer', covered: false, settable: true, searchPath: 'public' },
      ],
    };
    const plan = adoptionPlan(facts, { ...REQUEST, dropAlembicVersion: true });
    expect(plan.refusals).toEqual([
      'table public.klines is owned by alembic; the adopting role deployer is neither a superuser nor a member of alembic, so it cannot move it or change its owner: run adopt as alembic or a superuser (or GRANT alembic TO deployer)',
      'type public.kline_interval is owned by alembic; the adopting role deployer is neither a superuser nor a member of alembic, so it cannot move it or change its owner: run adopt as alembic or a superuser (or GRANT alembic TO deployer)',
      'the adopting role deployer is not a member of datahub_owner, so it cannot make it the owner: run adopt as the deploying role (the platform stack makes it a member of every owner role) or a superuser',
      'the adopting role deployer may not create in schema datahub (SET SCHEMA needs it): run adopt as the deploying role or a superuser',
      'schema datahub already holds an object named chain_data: adopt moves public.chain_data there; drop the one in datahub if it is a leftover, or find out who created it',
      "--drop-alembic-version: public still holds signals, positions, which the old process migrates: drop alembic_version with the last service's adopt",
      'legacy role legacy_app: its search_path (a b) has an item adopt does not read (a b): set it by hand (ALTER ROLE ... IN DATABASE ... SET search_path) and run adopt again',
    ]);
  });

  test('no service schema or owner role: one refusal saying to deploy the platform stack first', () => {
    const plan = adoptionPlan(
      {
        ...FACTS,
        schemaExists: false,
        ownerRoleExists: false,
        adopterInOwnerRole: false,
        adopterCreatesInSchema: false,
      },
      REQUEST
    );
    expect(plan.refusals).toEqual(["schema datahub or role datahub_owner does not exist: deploy the environment's platform stack first (`npx cdktf deploy <env>-platform`), then adopt"]);
  });

  test('--drop-alembic-version without an alembic_version table', () => {
    const plan = adoptionPlan({ ...FACTS, alembicRevisions: undefined, remainingTables: [] }, { ...REQUEST, dropAlembicVersion: true });
    expect(plan.refusals).toEqual(['--drop-alembic-version: there is no public.alembic_version']);
  });

  test('a name taken in the service schema by something adopt does not move is no refusal', () => {
    expect(adoptionPlan({ ...FACTS, taken: ['datahub_migrations', 'other'] }, REQUEST).refusals).toEqual([]);
  });

  test('a taken sequence or enum name is refused too', () => {
    const plan = adoptionPlan({ ...FACTS, taken: ['klines_id_seq', 'kline_interval'] }, REQUEST);
    expect(plan.refusals).toHaveLength(2);
    expect(plan.refusals.join('\n')).toContain('already holds an object named klines_id_seq');
    expect(plan.refusals.join('\n')).toContain('already holds an object named kline_interval');
  });
});

describe('setting a legacy role search_path', () => {
  test('a role the adopter may not alter is refused with who may, only when its search_path must change', () => {
    const notSettable = { ...LEGACY, settable: false };
    const refused = adoptionPlan({ ...FACTS, adopterIsSuperuser: false, serverVersion: 160000, legacyRoles: [notSettable] }, REQUEST);
    expect(refused.refusals).toEqual([
      'the adopting role deployer may not set the search_path of legacy role legacy_app: run adopt as a role that may (a superuser; legacy_app itself; a role with CREATEROLE and ADMIN OPTION on legacy_app, when legacy_app is not a superuser)',
    ]);
    const already = adoptionPlan({ ...FACTS, adopterIsSuperuser: false, legacyRoles: [{ ...notSettable, searchPath: '"$user", public, datahub' }] }, REQUEST);
    expect(already.refusals).toEqual([]);
  });

  test('an index name already taken in the service schema is refused: indexes move with their tables', () => {
    const plan = adoptionPlan({ ...FACTS, taken: ['ix_klines_symbol'] }, REQUEST);
    expect(plan.refusals).toEqual(['schema datahub already holds an object named ix_klines_symbol: adopt moves public.klines and its index ix_klines_symbol there; drop the one in datahub if it is a leftover, or find out who created it']);
  });
});
