// The backups setting of an environment: on by default (14 days), validated with the other
// runner settings, written on the runner's command line and read back the same, and set per row
// of stacks/environments.ts (off in local and dev, on in staging and prod).
import { DEFAULT_RUNNER_SETTINGS, runnerSettings, runnerSettingsProblems } from '../../lib/runner/runner-settings';
import { formatRunnerFlags, parseRunnerFlags } from '../../lib/runner/runner-flags';
import { runnerSettingsOf } from '../../lib';
import { bedrockEnvironments } from '../../stacks/environments';

test('on by default, for 14 days; a partial choice keeps the rest of the default', () => {
  expect(DEFAULT_RUNNER_SETTINGS.backups).toEqual({ enabled: true, retentionDays: 14 });
  expect(runnerSettings({}).backups).toEqual({ enabled: true, retentionDays: 14 });
  expect(runnerSettings({ backups: { retentionDays: 30 } }).backups).toEqual({ enabled: true, retentionDays: 30 });
  expect(runnerSettings({ backups: { enabled: false } }).backups).toEqual({ enabled: false, retentionDays: 14 });
  expect(runnerSettings({ backups: { enabled: undefined, retentionDays: 3 } }).backups).toEqual({ enabled: true, retentionDays: 3 });
});

test.each([
  [{ backups: { retentionDays: 0 } }, 'migrations.backups.retentionDays 0: give a whole number of days from 1 to 3650'],
  [{ backups: { retentionDays: 1.5 } }, 'migrations.backups.retentionDays 1.5: give a whole number of days from 1 to 3650'],
  [{ backups: { retentionDays: '14' } }, 'migrations.backups.retentionDays "14": give a whole number of days from 1 to 3650'],
  [{ backups: { retentionDays: 36500 } }, 'migrations.backups.retentionDays 36500: give a whole number of days from 1 to 3650'],
  [{ backups: { enabled: 'yes' } }, 'migrations.backups.enabled "yes": give true or false'],
  [{ backups: { keepDays: 14 } }, 'migrations.backups.keepDays is not a setting (known: enabled, retentionDays)'],
  [{ backups: true }, 'migrations.backups: give an object, e.g. { enabled: true, retentionDays: 14 }'],
])('%j is refused, naming the field and the fix', (choices, message) => {
  expect(runnerSettingsProblems(choices as never, 'migrations.')).toEqual([message]);
});

test('the command line carries the retention while backups are on, and --no-backups when they are off; the runner reads back the same settings', () => {
  const on = runnerSettings({ backups: { retentionDays: 30 } });
  const off = runnerSettings({ backups: { enabled: false, retentionDays: 30 } });
  expect(formatRunnerFlags(on).slice(-2)).toEqual(['--backup-retention-days', '30']);
  expect(formatRunnerFlags(off)).not.toContain('--backup-retention-days');
  expect(formatRunnerFlags(off).slice(-1)).toEqual(['--no-backups']);
  expect(runnerSettings(parseRunnerFlags(formatRunnerFlags(on)))).toEqual(on);
  expect(runnerSettings(parseRunnerFlags(formatRunnerFlags(off))).backups.enabled).toBe(false);
  // A plan written before backups existed has neither flag: the runner backs up, 14 days.
  expect(runnerSettings(parseRunnerFlags(['--lock-timeout-ms', '500'])).backups).toEqual({ enabled: true, retentionDays: 14 });
  expect(() => parseRunnerFlags(['--backup-retention-days', '0'])).toThrow('--backup-retention-days "0": give a positive whole number, e.g. --backup-retention-days 14');
  expect(() => parseRunnerFlags(['--backup-retention-days', '9999'])).toThrow('backups.retentionDays 9999: give a whole number of days from 1 to 3650');
});

test("Project Bedrock's environments: local and dev keep no copies (disposable data), staging and prod keep them 14 days", () => {
  const backups = Object.fromEntries(bedrockEnvironments.map((e) => [e.name, runnerSettingsOf(e).backups]));
  expect(backups).toEqual({
    local: { enabled: false, retentionDays: 14 },
    dev: { enabled: false, retentionDays: 14 },
    staging: { enabled: true, retentionDays: 14 },
    prod: { enabled: true, retentionDays: 14 },
  });
});
