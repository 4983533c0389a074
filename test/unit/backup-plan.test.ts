// What a step destroys, decided with PostgreSQL's parser where the plan is built, and the names
// the copies get: statements, not words, decide; one target per table; names fit 63 bytes.
import { backupTargets, planWithBackups } from '../../lib/runner/backup-plan';
import { backupTargetsOf, pendingBackupTargets } from '../../lib/runner/backup-target';
import { backupId, backupNumber, backupSchemaName, backupTableName } from '../../lib/runner/backup-names';
import { PlannedStep } from '../../lib/runner/planned-migration';

const step = (sql: string): PlannedStep => ({ transactional: true, sql, tables: [], retrySafe: true, offline: false, line: 7 });

test('DROP TABLE and TRUNCATE copy the whole table, DROP COLUMN and ALTER COLUMN TYPE the columns; comments and strings count for nothing', () => {
  expect(backupTargets(`SELECT 'DROP TABLE datahub.a'; -- TRUNCATE datahub.b\n/* ALTER TABLE c DROP COLUMN d */`, 'datahub')).toEqual([]);
  expect(
    backupTargets(
      'DROP TABLE datahub.a, other.x;\nTRUNCATE b;\nALTER TABLE klines DROP COLUMN note, ALTER COLUMN price TYPE integer USING price::integer, ADD COLUMN v int;\nALTER TABLE datahub.klines DROP COLUMN "C d";\nDROP INDEX datahub.i;\nALTER TABLE datahub.a DROP COLUMN gone;',
      'datahub',
    ),
  ).toEqual([
    { schema: 'datahub', table: 'a', reasons: ['drop table', 'drop column'] },
    { schema: 'other', table: 'x', reasons: ['drop table'] },
    { schema: 'datahub', table: 'b', reasons: ['truncate'] },
    { schema: 'datahub', table: 'klines', columns: ['note', 'C d', 'price'], reasons: ['drop column', 'type change'] },
  ]);
});

test('a plan says per step what it destroys; the runner merges the pending steps per table and refuses a malformed entry', () => {
  const migration = { id: 'm', checksum: 'c', transactional: true, up: '', down: '', upSteps: [step('ALTER TABLE t DROP COLUMN a;'), step('CREATE INDEX i ON t (b);'), step('DROP TABLE t;')], downSteps: [step('CREATE TABLE t (a int);')] };
  const [planned] = planWithBackups({ service: 'datahub', ownerRole: 'datahub_owner', migrations: [migration] }).migrations;
  expect(planned.upSteps.map(backupTargetsOf)).toEqual([[{ schema: 'datahub', table: 't', columns: ['a'], reasons: ['drop column'] }], [], [{ schema: 'datahub', table: 't', reasons: ['drop table'] }]]);
  expect(planned.downSteps.map(backupTargetsOf)).toEqual([[]]);
  expect(pendingBackupTargets(planned.upSteps, 0)).toEqual([{ schema: 'datahub', table: 't', reasons: ['drop column', 'drop table'] }]);
  expect(pendingBackupTargets(planned.upSteps, 1)).toEqual([{ schema: 'datahub', table: 't', reasons: ['drop table'] }]);
  expect(pendingBackupTargets(planned.upSteps, 3)).toEqual([]);
  // A plan of an older version says nothing: nothing is known to copy.
  expect(pendingBackupTargets([step('DROP TABLE t;')], 0)).toEqual([]);
  expect(() => backupTargetsOf({ ...step('DROP TABLE t;'), backups: [{ schema: 'datahub', table: 't', reasons: ['shred'] }] } as never)).toThrow('REFUSED: the step at line 7 names what it destroys in a form this runner does not read: re-run cdktf synth');
});

test('names: <service>_backup, b<n>_<table> cut to 63 bytes at a character boundary, ids b<n>', () => {
  expect(backupSchemaName('datahub')).toBe('datahub_backup');
  expect(backupTableName(1, 'klines')).toBe('b1_klines');
  expect(backupTableName(12, 'we"ird table')).toBe('b12_we"ird table');
  const long = backupTableName(123, `${'x'.repeat(58)}é${'y'.repeat(10)}`);
  expect(long).toBe(`b123_${'x'.repeat(58)}`); // the 2-byte é would make 64 bytes: cut before it
  expect(Buffer.byteLength(backupTableName(7, 'é'.repeat(40)))).toBe(63);
  expect(backupId(3)).toBe('b3');
  expect(['b1', 'b42', 'b0', '1', 'b1x', 'B1', 'b01'].map(backupNumber)).toEqual([1, 42, undefined, undefined, undefined, undefined, undefined]);
});
