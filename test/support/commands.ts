// Running the project's command-line tools from tests, and knowing whether terraform exists.
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import * as path from 'node:path';

export const projectRoot = path.resolve(__dirname, '..', '..');

/** The terraform binary on PATH, or undefined (tests that need it say they were skipped). */
export function terraformOnPath(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** Runs a command in the project folder with cdktf's telemetry off; returns its outcome. */
export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    cwd: options.cwd ?? projectRoot,
    env: { ...process.env, CHECKPOINT_DISABLE: '1', ...options.env },
    encoding: 'utf8',
    timeout: 120_000,
  });
}
