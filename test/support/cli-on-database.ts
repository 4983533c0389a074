// Runs the CLI of a project against a test database (the CLI reads DATABASE_URL), returning
// its exit code and what it printed.
import { BedrockProject, runCli } from '../../lib';

export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export async function cliOnDatabase(project: BedrockProject, url: string, args: readonly string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const previous = process.env.DATABASE_URL;
  process.env.DATABASE_URL = url;
  try {
    const code = await runCli(project, args, { log: (l) => out.push(l), error: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    if (previous === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = previous;
  }
}
