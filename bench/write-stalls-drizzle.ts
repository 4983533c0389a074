// The write-stall bench's third variant: drizzle-kit's generated SQL for the same change,
// applied by drizzle-orm's own migrator (node-postgres), which runs all pending migrations in
// one transaction. drizzle-kit and drizzle-orm are installed from npm into
// .bedrock/bench-tools/drizzle (not dependencies of the project); `generate` runs offline
// twice, on the schema before and after the change, so the second migration holds the change.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Client } from 'pg';

const VERSIONS = { kit: '0.31.11', orm: '0.45.4' };

export interface DrizzleVariant {
  /** The change migration drizzle-kit wrote. */
  readonly sql: string;
  readonly source: string;
  /** Records the first (table-creating) migration as applied, as drizzle's migrator would have. */
  markTablesApplied(client: Client): Promise<void>;
  /** drizzle-orm's migrate() on the database at `url`. */
  migrate(url: string): Promise<void>;
  /** Removes the generated project. */
  dispose(): void;
}

/** The variant, or why it is left out. */
export function drizzleVariant(root: string): DrizzleVariant | { skipped: string } {
  const tools = path.join(root, '.bedrock', 'bench-tools', 'drizzle');
  const kit = path.join(tools, 'node_modules', 'drizzle-kit', 'bin.cjs');
  const orm = path.join(tools, 'node_modules', 'drizzle-orm', 'package.json');
  const installed = () => existsSync(kit) && existsSync(orm) && JSON.parse(readFileSync(orm, 'utf8')).version === VERSIONS.orm;
  if (!installed()) {
    mkdirSync(tools, { recursive: true });
    spawnSync('npm', ['install', '--prefix', tools, '--no-save', `drizzle-kit@${VERSIONS.kit}`, `drizzle-orm@${VERSIONS.orm}`], { stdio: 'ignore' });
  }
  if (!installed()) return { skipped: `drizzle: \`npm install drizzle-kit@${VERSIONS.kit} drizzle-orm@${VERSIONS.orm}\` failed (no registry?)` };
  // Inside the tools folder, so the schema's imports of drizzle-orm resolve.
  const project = mkdtempSync(path.join(tools, 'project-'));
  const out = path.join(project, 'out');
  const generate = (changed: boolean, name: string): void => {
    writeFileSync(path.join(project, 'schema.ts'), schemaSource(changed));
    const result = spawnSync(process.execPath, [kit, 'generate', '--dialect', 'postgresql', '--schema', './schema.ts', '--out', './out', '--name', name], { cwd: project, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`drizzle-kit generate failed: ${result.stderr || result.stdout}`);
  };
  generate(false, 'datahub_klines');
  generate(true, 'klines_index_fk_check_not_null');
  const journal = JSON.parse(readFileSync(path.join(out, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
  const [first, change] = journal.entries;
  const sqlOf = (tag: string) => readFileSync(path.join(out, `${tag}.sql`), 'utf8');
  const load = createRequire(path.join(tools, 'index.js'));
  return {
    sql: sqlOf(change.tag),
    source: `drizzle-kit ${VERSIONS.kit} \`generate\` (offline, from the schema before and after), applied by drizzle-orm ${VERSIONS.orm}'s migrate() (node-postgres): one transaction`,
    async markTablesApplied(client) {
      // drizzle's own journal table, as its migrator creates it.
      await client.query('CREATE SCHEMA IF NOT EXISTS drizzle');
      await client.query('CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)');
      await client.query('INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ($1, $2)', [createHash('sha256').update(sqlOf(first.tag)).digest('hex'), first.when]);
    },
    async migrate(url) {
      const { drizzle } = load('drizzle-orm/node-postgres') as { drizzle: (client: Client) => unknown };
      const { migrate } = load('drizzle-orm/node-postgres/migrator') as { migrate: (db: unknown, config: { migrationsFolder: string }) => Promise<void> };
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        await migrate(drizzle(client), { migrationsFolder: out });
      } finally {
        await client.end();
      }
    },
    dispose: () => rmSync(project, { recursive: true, force: true }),
  };
}

/** The bench's two tables in drizzle's schema language; the names of keys and constraints are the bench model's. */
function schemaSource(changed: boolean): string {
  return `import { pgSchema, bigserial, text, timestamp, numeric, index, check, foreignKey } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
export const datahub = pgSchema('datahub');
export const symbols = datahub.table('symbols', { symbol: text('symbol').primaryKey() });
export const klines = datahub.table('klines', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  symbol: text('symbol').notNull(),
  open_time: timestamp('open_time', { withTimezone: true }).notNull(),
  open: numeric('open').notNull(),
  high: numeric('high').notNull(),
  low: numeric('low').notNull(),
  close: numeric('close').notNull(),
  volume: numeric('volume').notNull(),
  close_time: timestamp('close_time', { withTimezone: true })${changed ? '.notNull()' : ''},
}${
    changed
      ? `, (t) => [
  index('klines_symbol_open_time_idx').on(t.symbol, t.open_time),
  foreignKey({ name: 'klines_symbol_fkey', columns: [t.symbol], foreignColumns: [symbols.symbol] }),
  check('klines_high_not_below_low', sql\`high >= low\`),
]`
      : ''
  });
`;
}
