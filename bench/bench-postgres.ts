// A PostgreSQL server of a chosen version for a benchmark, started as the test setup starts its
// PostgreSQL 14 and 15: by test/support/postgres-binaries.mjs (the binaries from npm, initdb and
// postgres run directly, as the `postgres` user when we are root). Both versions start the same
// way, with PostgreSQL's default settings, so their figures compare.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'pg';

export type BenchPostgresVersion = 14 | 18;

export interface BenchPostgres {
  readonly version: BenchPostgresVersion;
  /** A superuser URL to `database` on the server. */
  url(database: string): string;
  stop(): Promise<void>;
}

interface PostgresBinaries {
  startPostgresBinaries(version: number, directory: string, settings?: readonly string[]): Promise<{ url(database: string): string; stop(): Promise<void> }>;
}

// The module is ESM and loads the binaries' ES modules: a real dynamic import, kept out of the
// CommonJS bundle the benchmarks run as.
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<PostgresBinaries>;
const MODULE = pathToFileURL(path.resolve(__dirname, '..', 'test', 'support', 'postgres-binaries.mjs')).href;

/** Starts `version` with its data under `work` (which the server's user must be able to reach). */
export async function startBenchPostgres(version: BenchPostgresVersion, work: string): Promise<BenchPostgres> {
  const { startPostgresBinaries } = await importModule(MODULE);
  const server = await startPostgresBinaries(version, path.join(work, `pg${version}`));
  return { version, url: server.url, stop: server.stop };
}

/** A connection to `url` for `work`, closed afterwards. */
export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
