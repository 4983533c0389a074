// Runs the CLI of a project against a test database, returning its exit code and what it
// printed. Without --env the CLI reads DATABASE_URL, set here to the test database; with
// `--env <name>` the CLI connects as that environment's row says (and refuses DATABASE_URL
// beside it), so the row's connection is pointed at the test database instead.
import { BedrockProject, ConnectionConfig, runCli } from '../../lib';

export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export async function cliOnDatabase(project: BedrockProject, url: string, args: readonly string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const env = args.indexOf('--env') >= 0 ? args[args.indexOf('--env') + 1] : undefined;
  const target = env === undefined ? project : { ...project, environments: project.environments.map((e) => (e.name === env ? { ...e, connection: connectionOf(url) } : e)) };
  const previous = process.env.DATABASE_URL;
  if (env === undefined) process.env.DATABASE_URL = url;
  else delete process.env.DATABASE_URL;
  try {
    const code = await runCli(target, args, { log: (l) => out.push(l), error: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    if (previous === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = previous;
  }
}

/** An environment's connection to the database at `url` (the test servers trust local connections). */
export function connectionOf(url: string): ConnectionConfig {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port), database: decodeURIComponent(parsed.pathname.slice(1)), username: decodeURIComponent(parsed.username), sslMode: 'disable' };
}
