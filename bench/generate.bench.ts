// `generate` on one service of 1,200 tables (15 columns, a unique, a check and two indexes
// each) after a one-column edit, against its floor in the same run: reading the head snapshot
// (JSON.parse), serializing the new one (JSON.stringify) and writing the three files generate
// writes, which any generator does. Target: under 1 s.
// Run: node scripts/run-app.js bench/generate.bench.ts [rounds] [tables]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createApp, MigrationDirectory, ServiceStack, Table, text } from '../lib';
import { generateMigration } from '../lib/migrations/generate';
import { serviceStackForBench } from './bench-stack';
import { benchColumns } from './bench-columns';
import { formatMs, median, timeMs } from './median';

const SERVICE = 'datahub';

function defineTables(stack: ServiceStack, count: number, edited: boolean): void {
  for (let i = 0; i < count; i += 1) {
    new Table(stack, `t${i}`, {
      comment: `Generated table ${i}`,
      // The edit: one column added to one table in the middle.
      columns: { ...benchColumns(), ...(edited && i === Math.floor(count / 2) ? { venue: text() } : {}) },
      primaryKey: ['id'],
      uniques: [{ columns: ['account_id', 'external_id'] }],
      checks: [{ name: `t${i}_price_positive`, expression: `price > 0 AND attempts < ${i + 10}` }],
      indexes: [{ columns: ['symbol', 'created_at'] }, { columns: ['status'], where: `status = 'open_${i}'` }],
    });
  }
}

function modelOf(count: number, edited: boolean) {
  const stack = serviceStackForBench(SERVICE);
  defineTables(stack, count, edited);
  return stack.schemaModel();
}

async function main(): Promise<void> {
  await createApp(); // loads the SQL parser
  const numbers = process.argv.slice(2).filter((arg) => /^\d+$/.test(arg)).map(Number);
  const rounds = numbers[0] ?? 5;
  const tables = numbers[1] ?? 1200;
  const root = mkdtempSync(path.join(tmpdir(), 'bedrock-bench-generate-'));
  const ours: number[] = [];
  const floors: number[] = [];
  const builds: number[] = [];
  try {
    for (let round = 0; round < rounds; round += 1) {
      const folder = path.join(root, `r${round}`);
      const directory = new MigrationDirectory(folder, SERVICE, SERVICE);
      // The service's first migration creates all tables; it is the head the edit is diffed against.
      const first = generateMigration({ directory, model: modelOf(tables, false), description: 'create_tables', now: new Date('2026-01-01T00:00:00Z') });
      if (!first.written) throw new Error('the first migration was not written');
      let edited!: ReturnType<typeof modelOf>;
      builds.push(timeMs(() => (edited = modelOf(tables, true))));
      let result!: ReturnType<typeof generateMigration>;
      ours.push(timeMs(() => (result = generateMigration({ directory, model: edited, description: 'add_venue', now: new Date('2026-01-02T00:00:00Z') }))));
      if (!result.written || result.change.up.length !== 1) throw new Error(`expected one statement, got ${result.written ? result.change.up.join(' ') : 'nothing'}`);
      const text = result.migration.text;
      const id = result.migration.id;
      const snapshot = path.join(folder, 'snapshots', `${first.migration.id}.json`);
      floors.push(
        timeMs(() => {
          const parsed = JSON.parse(readFileSync(snapshot, 'utf8'));
          const out = path.join(folder, 'floor');
          writeFileSync(`${out}.json`, `${JSON.stringify(parsed, null, 2)}\n`);
          writeFileSync(`${out}.sql`, text);
          writeFileSync(`${out}.sum`, `${first.migration.id}\n${id}\n`);
        }),
      );
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const [o, f, b] = [median(ours), median(floors), median(builds)];
  console.log(`generate, ${tables} tables, one column added (median of ${rounds}):`);
  console.log(`  generateMigration:        ${formatMs(o)}  (${(o / f).toFixed(1)}x the floor)`);
  console.log(`  floor (snapshot read, written, files): ${formatMs(f)}`);
  console.log(`  building the model (constructs):       ${formatMs(b)}`);
  console.log(`  generate + model: ${formatMs(o + b)} (target: under 1 s)`);
}

void main();
