// What the base of a review held, read from git: the migration files of a folder and the
// generated documents (access, ownership), at a ref. Nothing is checked out.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export class GitBase {
  private readonly top: string;

  constructor(
    private readonly cwd: string,
    readonly ref: string,
  ) {
    const top = git(cwd, ['rev-parse', '--show-toplevel']);
    if (top === undefined) throw new Error(`review: ${cwd} is not in a git repository: run it in the project's clone`);
    this.top = top.trim();
    if (!/^[A-Za-z0-9._\/~^@{}-]+$/.test(ref) || ref.startsWith('-') || git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]) === undefined) {
      throw new Error(`review: --base ${JSON.stringify(ref)} is not a commit of this repository (e.g. --base origin/main, --base HEAD~1)`);
    }
  }

  /** The names of the files in `directory` (absolute or relative to cwd) at the base. */
  files(directory: string): string[] {
    const relative = this.relative(directory);
    const listed = git(this.top, ['ls-tree', '--name-only', this.ref, '--', `${relative}/`]);
    return (listed ?? '').split('\n').filter((line) => line !== '').map((line) => path.posix.basename(line));
  }

  /** A file's text at the base, or undefined when it did not exist there. */
  text(file: string): string | undefined {
    return git(this.top, ['show', `${this.ref}:${this.relative(file)}`]);
  }

  private relative(file: string): string {
    return path.relative(this.top, path.resolve(this.cwd, file)).split(path.sep).join('/');
  }
}

function git(cwd: string, args: readonly string[]): string | undefined {
  const run = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return run.status === 0 ? run.stdout : undefined;
}
