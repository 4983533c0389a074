// The rule pack: for each rule, an app that complies and one that does not, with the message;
// acknowledgements with and without a reason.
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { App, Testing } from '../../lib/cdk';
import { BEDROCK_RULES, bigint, ServiceRegistry, ServiceStack, Table, text, uuid } from '../../lib';
import { synthError, testEnvironment, testRegistry } from '../support/app';
import { DECISION, decisionRecords } from '../support/decision-records';

function twoServices(): { app: App; datahub: ServiceStack; portfolio: ServiceStack } {
  // The project's folder holds the decision record shared writers link to (BEDROCK-O8).
  const app = Testing.app({ context: decisionRecords().context });
  const environment = testEnvironment();
  return {
    app,
    datahub: new ServiceStack(app, { service: 'datahub', environment, registry: testRegistry }),
    portfolio: new ServiceStack(app, { service: 'portfolio', environment, registry: testRegistry }),
  };
}

test('the rule pack lists each rule once, with an id and a one-line description', () => {
  const ids = BEDROCK_RULES.map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const rule of BEDROCK_RULES) {
    expect(rule.id).toMatch(/^BEDROCK-[A-Z]\d+$/);
    expect(rule.description).not.toContain('\n');
    // Each rule is either checked by the pack or says where else it is enforced.
    expect(rule.check !== undefined || rule.enforcedAt !== undefined).toBe(true);
  }
});

describe('BEDROCK-O2 UniqueTableNames', () => {
  test('one name, one service: passes', () => {
    const { app, datahub, portfolio } = twoServices();
    new Table(datahub, 'klines', { columns: { id: bigint() } });
    new Table(portfolio, 'trades', { columns: { id: bigint() } });
    expect(synthError(app)).toBe('');
  });

  test('the same name in two services fails, naming both', () => {
    const { app, datahub, portfolio } = twoServices();
    new Table(datahub, 'trades', { columns: { id: bigint() } });
    new Table(portfolio, 'trades', { columns: { id: bigint() } });
    const message = synthError(app);
    expect(message).toContain('[test-datahub/trades] [BEDROCK-O2] table "trades" is defined by service datahub and by service portfolio (test-portfolio/trades): a table has one owner; rename one of them');
  });
});

describe('BEDROCK-O3 NoCrossServiceForeignKeys and BEDROCK-O4 ValidAppReferences', () => {
  test('a foreign key into another service fails, suggesting the application-level reference', () => {
    const { app, datahub, portfolio } = twoServices();
    const klines = new Table(datahub, 'klines', { columns: { id: bigint() }, primaryKey: ['id'] });
    new Table(portfolio, 'fills', { columns: { kline_id: bigint() }, foreignKeys: [{ columns: ['kline_id'], references: klines.ref('id') }] });
    expect(synthError(app)).toContain(
      "[test-portfolio/fills] [BEDROCK-O3] foreign key fills_kline_id_fkey references datahub.klines, a table of another service: remove it and declare an application-level reference instead: appReferences: [{ columns: ['kline_id'], table: 'datahub.klines', targetColumns: ['id'] }]",
    );
  });

  test('an application-level reference passes, with no constraint, documented in the column comment', () => {
    const { app, datahub, portfolio } = twoServices();
    new Table(datahub, 'klines', { columns: { id: bigint() }, primaryKey: ['id'] });
    const fills = new Table(portfolio, 'fills', { columns: { kline_id: bigint() }, appReferences: [{ columns: ['kline_id'], table: 'datahub.klines', targetColumns: ['id'] }] });
    expect(synthError(app)).toBe('');
    expect(fills.toModel().foreignKeys).toEqual([]);
    expect(fills.toModel().columns[0].comment).toBe("Application-level reference to datahub.klines(id); no foreign key: services do not constrain each other's tables");
  });

  test('an application-level reference to a table or column that does not exist fails', () => {
    const { app, datahub, portfolio } = twoServices();
    new Table(datahub, 'klines', { columns: { id: bigint() } });
    new Table(portfolio, 'fills', {
      columns: { kline_id: bigint(), chain_id: uuid() },
      appReferences: [
        { columns: ['kline_id'], table: 'datahub.klines', targetColumns: ['kline_uuid'] },
        { columns: ['chain_id'], table: 'datahub.chains', targetColumns: ['id'] },
      ],
    });
    const message = synthError(app);
    expect(message).toContain('[BEDROCK-O4] the application-level reference to datahub.klines names column "kline_uuid", which it does not have');
    expect(message).toContain('[BEDROCK-O4] the application-level reference names datahub.chains, which no service defines');
  });
});

describe('BEDROCK-O5 SharedWritesHaveReasons', () => {
  test('a declared writer with a reason passes', () => {
    const { app, datahub } = twoServices();
    new Table(datahub, 'klines', { columns: { id: bigint() }, sharedWriters: [{ service: 'portfolio', reason: 'backfills marks after settlement', decision: DECISION }] });
    expect(synthError(app)).toBe('');
  });

  test('a writer without a reason, or unregistered, fails', () => {
    const { app, datahub } = twoServices();
    new Table(datahub, 'klines', { columns: { id: bigint() }, sharedWriters: [{ service: 'portfolio', reason: ' ', decision: DECISION }, { service: 'billing', reason: 'invoices', decision: DECISION }] });
    const message = synthError(app);
    expect(message).toContain('[BEDROCK-O5] the shared write exception for portfolio has no reason: say why portfolio must write datahub.klines');
    expect(message).toContain('[BEDROCK-O5] shared writer "billing" is not a registered service (registered: datahub, portfolio, mlops)');
  });
});

describe('BEDROCK-O8 DecisionRecordsExist', () => {
  const klinesWith = (app: App, decision: string) => {
    const datahub = new ServiceStack(app, { service: 'datahub', environment: testEnvironment(), registry: testRegistry });
    new Table(datahub, 'klines', { columns: { id: bigint() }, sharedWriters: [{ service: 'portfolio', reason: 'backfills marks', decision }] });
  };

  test('a shared writer whose decision record is a file in the project passes', () => {
    const app = Testing.app({ context: decisionRecords(['docs/adr/0004-portfolio-backfills-klines.md']).context });
    klinesWith(app, 'docs/adr/0004-portfolio-backfills-klines.md');
    expect(synthError(app)).toBe('');
  });

  test('a missing record fails synth, naming the table, the writer, the path and the command that writes one', () => {
    const { root, context } = decisionRecords(['docs/adr/0001-something-else.md']);
    const app = Testing.app({ context });
    klinesWith(app, 'docs/adr/0004-portfolio-backfills-klines.md');
    expect(synthError(app)).toContain(
      `[test-datahub/klines] [BEDROCK-O8] the shared write exception for portfolio on datahub.klines links the decision record docs/adr/0004-portfolio-backfills-klines.md, ` +
        `which is not a file in the project's folder (${root}): run \`npm run bedrock -- adr new "portfolio writes datahub.klines" --tables datahub.klines --services portfolio\`, ` +
        'complete the record it writes and link that file, or correct the path',
    );
  });

  test('a folder where the record should be is not a record', () => {
    const { root, context } = decisionRecords([]);
    mkdirSync(path.join(root, 'docs', 'adr', '0004-portfolio-backfills-klines.md'), { recursive: true });
    const app = Testing.app({ context });
    klinesWith(app, 'docs/adr/0004-portfolio-backfills-klines.md');
    expect(synthError(app)).toContain('[BEDROCK-O8] the shared write exception for portfolio on datahub.klines links the decision record docs/adr/0004-portfolio-backfills-klines.md, which is not a file');
  });

  test('records are looked up in the project named by the app (bedrock:projectRoot), not wherever the process runs', () => {
    // The record exists in a project folder; the same app without the context looks in the
    // working directory (this repository), which has no such record.
    const { context } = decisionRecords([DECISION]);
    const named = Testing.app({ context });
    klinesWith(named, DECISION);
    expect(synthError(named)).toBe('');
    const unnamed = Testing.app();
    klinesWith(unnamed, DECISION);
    expect(synthError(unnamed)).toContain(`[BEDROCK-O8] the shared write exception for portfolio on datahub.klines links the decision record ${DECISION}, which is not a file in the project's folder (${process.cwd()})`);
  });

  test('it cannot be acknowledged away', () => {
    const app = Testing.app({ context: decisionRecords([]).context });
    const datahub = new ServiceStack(app, { service: 'datahub', environment: testEnvironment(), registry: testRegistry });
    new Table(datahub, 'klines', {
      columns: { id: bigint() },
      sharedWriters: [{ service: 'portfolio', reason: 'backfills marks', decision: DECISION }],
      acknowledgements: [{ rule: 'BEDROCK-O8', reason: 'the record is on the wiki' }],
    });
    const message = synthError(app);
    expect(message).toContain('[BEDROCK-O8] DecisionRecordsExist cannot be acknowledged: fix the construct');
    expect(message).toContain(`[BEDROCK-O8] the shared write exception for portfolio on datahub.klines links the decision record ${DECISION}, which is not a file`);
  });
});

describe('BEDROCK-N1, N2 and acknowledgements', () => {
  test('a legacy name off the convention passes when acknowledged with a reason', () => {
    const { app, datahub } = twoServices();
    new Table(datahub, 'user', {
      columns: { id: bigint(), userName: text() },
      acknowledgements: [
        { rule: 'BEDROCK-N2', reason: 'adopted from the legacy database; renamed in Q3' },
        { rule: 'BEDROCK-N1', reason: 'adopted from the legacy database; renamed in Q3' },
      ],
    });
    expect(synthError(app)).toBe('');
  });

  test('an acknowledgement without a reason is itself an error, and does not excuse the finding', () => {
    const { app, datahub } = twoServices();
    new Table(datahub, 'user', { columns: { id: bigint() }, acknowledgements: [{ rule: 'BEDROCK-N2', reason: '' }] });
    const message = synthError(app);
    expect(message).toContain('[test-datahub/user] [BEDROCK-N2] the acknowledgement has no reason: write why this construct may break BEDROCK-N2');
    expect(message).toContain('[test-datahub/user] [BEDROCK-N2] table name: "user" is a reserved word in PostgreSQL');
  });

  test('a rule that cannot be acknowledged, or an unknown one, is reported', () => {
    const { app, datahub } = twoServices();
    new Table(datahub, 'klines', {
      columns: { id: bigint() },
      acknowledgements: [
        { rule: 'BEDROCK-O3', reason: 'we really want it' },
        { rule: 'BEDROCK-X9', reason: 'typo' },
      ],
    });
    const message = synthError(app);
    expect(message).toContain('[BEDROCK-O3] NoCrossServiceForeignKeys cannot be acknowledged: fix the construct');
    expect(message).toContain('[BEDROCK-X9] acknowledges an unknown rule: see `npm run bedrock -- rules`');
  });
});

describe('BEDROCK-O9 TransfersDeclared', () => {
  const moved = { service: 'datahub', reason: 'portfolio prices its own marks now', decision: DECISION };

  test('a table transferred from another registered service, with a reason and its record, passes', () => {
    const { app, datahub, portfolio } = twoServices();
    new Table(datahub, 'chain_data', { columns: { id: bigint() }, primaryKey: ['id'] });
    new Table(portfolio, 'klines', { columns: { id: bigint() }, primaryKey: ['id'], transferredFrom: moved });
    expect(synthError(app)).toBe('');
  });

  test('an unknown or own service, and a missing record, fail naming the fix', () => {
    const { app, portfolio } = twoServices();
    new Table(portfolio, 'klines', { columns: { id: bigint() }, transferredFrom: { ...moved, service: 'pricing' } });
    new Table(portfolio, 'marks', { columns: { id: bigint() }, transferredFrom: { ...moved, service: 'portfolio', decision: 'docs/adr/0009-not-written.md' } });
    const message = synthError(app);
    expect(message).toContain('[test-portfolio/klines] [BEDROCK-O9] transferredFrom "pricing" is not a registered service (registered: datahub, portfolio');
    expect(message).toContain('[test-portfolio/marks] [BEDROCK-O9] transferredFrom "portfolio" is the table\'s own service: remove transferredFrom');
    expect(message).toContain('[test-portfolio/marks] [BEDROCK-O8] the transfer of portfolio.marks from portfolio links the decision record docs/adr/0009-not-written.md, which is not a file');
  });

  test('an empty reason or a bad record path is refused when the table is built', () => {
    const { portfolio } = twoServices();
    expect(() => new Table(portfolio, 'klines', { columns: { id: bigint() }, transferredFrom: { ...moved, reason: ' ' } })).toThrow('transferredFrom.reason is empty: say why the table changes owner');
    expect(() => new Table(portfolio, 'marks', { columns: { id: bigint() }, transferredFrom: { ...moved, decision: '../secrets.md' } })).toThrow('transferredFrom.decision:');
    expect(() => new Table(portfolio, 'fills', { columns: { id: bigint() }, transferredFrom: { service: 'data hub; DROP', reason: 'x', decision: DECISION } as never })).toThrow('transferredFrom.service');
  });

  test('a read contract naming the table at its old owner fails, saying where it is now', () => {
    const registry = new ServiceRegistry([
      { name: 'datahub', team: '@t/d' },
      { name: 'portfolio', team: '@t/p' },
      { name: 'mlops', team: '@t/m', reads: ['datahub.klines'] },
    ]);
    const app = Testing.app({ context: decisionRecords().context });
    new ServiceStack(app, { service: 'datahub', environment: testEnvironment(), registry });
    const portfolio = new ServiceStack(app, { service: 'portfolio', environment: testEnvironment(), registry });
    new Table(portfolio, 'klines', { columns: { id: bigint() }, primaryKey: ['id'], transferredFrom: moved });
    expect(synthError(app)).toContain('[BEDROCK-O9] mlops declares that it reads datahub.klines (a read contract), which moves to portfolio: change mlops\'s reads in the service registry to portfolio.klines');
  });

  test('foreign keys between the moved table and the tables the old owner keeps fail, with the fix for a transfer', () => {
    // Synth reports the first stack that fails: one direction per app.
    const outgoing = twoServices();
    const chain = new Table(outgoing.datahub, 'chain_data', { columns: { id: bigint() }, primaryKey: ['id'] });
    new Table(outgoing.portfolio, 'klines', { columns: { id: bigint(), chain_id: bigint() }, primaryKey: ['id'], transferredFrom: moved, foreignKeys: [{ columns: ['chain_id'], references: chain.ref('id') }] });
    expect(synthError(outgoing.app)).toContain('[BEDROCK-O9] foreign key klines_chain_id_fkey of portfolio.klines references datahub.chain_data, which stays with datahub: after the transfer it would cross services: drop it in datahub in a migration of its own before the transfer');
    const incoming = twoServices();
    const klines = new Table(incoming.portfolio, 'klines', { columns: { id: bigint() }, primaryKey: ['id'], transferredFrom: moved });
    new Table(incoming.datahub, 'ticks', { columns: { kline_id: bigint() }, foreignKeys: [{ columns: ['kline_id'], references: klines.ref('id') }] });
    expect(synthError(incoming.app)).toContain('[BEDROCK-O9] foreign key ticks_kline_id_fkey of datahub.ticks references klines, which moves to portfolio: it would cross services');
  });
});
