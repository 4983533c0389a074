// The ownership mapping adopt starts from (issue 13): the seed's "Table Ownership Registry",
// pasted into a file as a user would, gives each of the nine legacy tables to one of the six
// services by the names the seed writes (DataHubService -> datahub); the shared-write table
// further down the same document is not an ownership table and is not read. Every mistake a user
// can make is refused with the file, the line and what to write instead; table names are
// hostile text and are checked before they reach any SQL.
import { ServiceRegistry } from '../../lib';
import { OwnershipError, ownershipFromList, ownershipFromMarkdown, tablesOwnedBy } from '../../lib/adopt/legacy-ownership';
import { LEGACY_TABLES } from '../support/legacy-database';

const SERVICES = ['datahub', 'decision_engine', 'portfolio', 'backtesting', 'mlops', 'notification'];
const registry = new ServiceRegistry(SERVICES.map((name) => ({ name, team: `@test/${name}` })));

/**
 * The seed's section, copied from ../shared/seed/000_e330900a2333c5c9.txt (lines 99-126: the
 * registry, the ownership rules and the shared-write exception table) so the test runs where
 * ../shared does not exist.
 */
const SEED_SECTION = `### Table Ownership Registry

| Table Name | Owner Service | Purpose | Notes |
|------------|---------------|---------|-------|
| \`klines\` | DataHubService | Store K-line data | Read-only for other services |
| \`chain_data\` | DataHubService | Store on-chain data | Read-only for other services |
| \`signals\` | DecisionEngineService | Store trading signals | Read-only for PortfolioService |
| \`positions\` | PortfolioService | Store positions | Read-only for other services |
| \`trades\` | PortfolioService | Store trade history | Read-only for other services |
| \`backtest_tasks\` | BacktestingService | Store backtest tasks | Read-only for other services |
| \`backtest_reports\` | BacktestingService | Store backtest reports | Read-only for other services |
| \`training_jobs\` | MLOpsService | Store ML training jobs | Read-only for other services |
| \`ml_models\` | MLOpsService | Store ML model metadata | Read-only for DecisionEngineService |

### Ownership Rules

1. **Schema Changes**: Only the owner service can add/remove/modify columns in its tables
2. **Read Access**: All services can read from any table
3. **Write Access**: Only the owner service can write to its tables (except for specific cases documented below)
4. **Foreign Keys**: Avoid cross-service foreign keys; use application-level references instead

### Exception: Shared Write Access

In rare cases, multiple services may need to write to the same table. These cases must be documented here:

| Table | Primary Owner | Secondary Writers | Reason |
|-------|---------------|-------------------|--------|
| (None yet) | - | - | - |
`;

/** Only the registry: the lines 99-111 of the seed. */
const REGISTRY_ONLY = SEED_SECTION.slice(0, SEED_SECTION.indexOf('### Ownership Rules'));

/** The seed's nine tables and their services, as the legacy database's fixture holds them. */
const EXPECTED: Record<string, string> = LEGACY_TABLES;

/** The OwnershipError's message, or a note that nothing was thrown. */
function refusal(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(OwnershipError);
    return (error as Error).message;
  }
  return 'nothing was refused';
}

describe("the seed's Table Ownership Registry", () => {
  test('gives the nine tables to the services by the names the seed writes, in the order written', () => {
    const ownership = ownershipFromMarkdown(REGISTRY_ONLY, 'ownership.md', registry);
    expect(Object.fromEntries(ownership)).toEqual(EXPECTED);
    expect([...ownership.keys()]).toEqual(Object.keys(EXPECTED));
    expect(tablesOwnedBy(ownership, 'datahub')).toEqual(['klines', 'chain_data']);
    expect(tablesOwnedBy(ownership, 'decision_engine')).toEqual(['signals']);
    expect(tablesOwnedBy(ownership, 'mlops')).toEqual(['training_jobs', 'ml_models']);
    expect(tablesOwnedBy(ownership, 'notification')).toEqual([]);
  });

  test('the whole section reads the same: the shared-write table below the registry is not an ownership table', () => {
    expect(Object.fromEntries(ownershipFromMarkdown(SEED_SECTION, 'seed.md', registry))).toEqual(EXPECTED);
  });

  test('a shared-write table with rows is not read either', () => {
    const text = SEED_SECTION.replace('| (None yet) | - | - | - |', '| `signal_archive` | DecisionEngineService | PortfolioService | backfills |');
    expect(Object.fromEntries(ownershipFromMarkdown(text, 'seed.md', registry))).toEqual(EXPECTED);
  });

  test('Windows line endings, and service names written as registered, read the same', () => {
    const text = ['| Table Name | Owner Service |', '|---|---|', '| klines | datahub |', '| signals | decision_engine |', '| ml_models | MLOpsService |'].join('\r\n');
    expect(Object.fromEntries(ownershipFromMarkdown(text, 'o.md', registry))).toEqual({
      klines: 'datahub',
      signals: 'decision_engine',
      ml_models: 'mlops',
    });
  });

  test('the same table twice for the same service is accepted', () => {
    const text = `${REGISTRY_ONLY}\n| Table Name | Owner Service |\n|---|---|\n| klines | DataHubService |\n`;
    expect(ownershipFromMarkdown(text, 'o.md', registry).get('klines')).toBe('datahub');
  });
});

describe('refusals name the file, the line and the fix', () => {
  test('an unknown service', () => {
    const text = REGISTRY_ONLY.replace('| `trades` | PortfolioService |', '| `trades` | LedgerService |');
    const message = refusal(() => ownershipFromMarkdown(text, 'docs/ownership.md', registry));
    expect(message).toContain('docs/ownership.md line 9');
    expect(message).toContain('"LedgerService" is not a registered service');
    for (const service of SERVICES) expect(message).toContain(service);
    expect(message).toContain('stacks/services.ts');
  });

  test('a table given to two services', () => {
    const last = '| `ml_models` | MLOpsService | Store ML model metadata | Read-only for DecisionEngineService |';
    const text = REGISTRY_ONLY.replace(last, `${last}\n| \`klines\` | PortfolioService | again | |`);
    const message = refusal(() => ownershipFromMarkdown(text, 'own.md', registry));
    expect(message).toContain('own.md line 14');
    expect(message).toContain('table klines is given to portfolio here and to datahub above');
    expect(message).toContain('exactly one owner');
  });

  test('no ownership table in the file', () => {
    const message = refusal(() => ownershipFromMarkdown('# Notes\n\nNothing here.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n', 'notes.md', registry));
    expect(message).toContain('notes.md: no ownership table found');
    expect(message).toContain('| Table Name | Owner Service | ... |');
  });

  test('an empty file', () => {
    expect(refusal(() => ownershipFromMarkdown('', 'empty.md', registry))).toContain('empty.md: no ownership table found');
  });

  test.each([
    ['a tab', 'kli\tnes', 'tab or line break'],
    ['a lone carriage return', 'kli\rnes', 'tab or line break'],
    ['a right-to-left override', 'klines\u202e', 'klines'],
    ['a zero-width space', 'kli\u200bnes', 'kli'],
    ['a NUL', 'kli\u0000nes', 'NUL'],
    ['a name too long for PostgreSQL', 'k'.repeat(64), '64 bytes long'],
    ['a name whose bytes are too many', 'é'.repeat(32), '64 bytes long'],
  ])('a hostile table name: %s', (_label, name, wanted) => {
    const text = REGISTRY_ONLY.replace('| `klines` |', `| \`${name}\` |`);
    const message = refusal(() => ownershipFromMarkdown(text, 'own.md', registry));
    expect(message).toContain('own.md line 5');
    expect(message).toContain(wanted);
  });
});

describe('--tables', () => {
  test('gives the listed tables to the service, trimmed, in order', () => {
    const ownership = ownershipFromList(' klines, chain_data ,,', 'datahub');
    expect([...ownership]).toEqual([
      ['klines', 'datahub'],
      ['chain_data', 'datahub'],
    ]);
  });

  test('an empty list says what to give', () => {
    expect(refusal(() => ownershipFromList(' , ', 'datahub'))).toContain('--tables: give the legacy tables datahub owns');
  });

  test.each([
    ['a newline', 'klines\nDROP TABLE x', 'tab or line break'],
    ['a right-to-left override', 'a\u202eb', 'a'],
    ['a name too long', 'x'.repeat(70), '70 bytes long'],
  ])('a hostile table name: %s', (_label, name, wanted) => {
    const message = refusal(() => ownershipFromList(`klines,${name}`, 'datahub'));
    expect(message).toContain('--tables');
    expect(message).toContain(wanted);
  });
});
