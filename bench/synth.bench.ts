// In-process synth of a generated app (6 services, N tables of 15 columns each, with their
// roles and grants) against the floor: synthesizing as many plain Terraform resources (one
// per table plus one per role/grant resource of the app) in the same run.
// Run: node scripts/run-app.js bench/synth.bench.ts [rounds]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, TerraformResource, TerraformStack } from '../lib/cdk';
import { Construct } from 'constructs';
import { createApp, defineEnvironment, EnvironmentConfig, ServiceRegistry, ServiceStack, Table } from '../lib';
import { benchColumns } from './bench-columns';
import { formatMs, median, timeMs } from './median';

const SERVICES = ['datahub', 'decision_engine', 'portfolio', 'backtesting', 'mlops', 'notification'];
const registry = new ServiceRegistry(SERVICES.map((name) => ({ name, team: `@bench/${name}` })));
const environment: EnvironmentConfig = { name: 'bench', connection: { database: 'bench', username: 'deployer' }, services: SERVICES };

function defineTables(count: number) {
  return (stack: ServiceStack) => {
    for (let i = 0; i < count; i += 1) {
      new Table(stack, `${stack.service}_t${i}`, {
        comment: `Generated table ${i}`,
        columns: benchColumns(),
        primaryKey: ['id'],
        uniques: [{ columns: ['account_id', 'external_id'] }],
        // Distinct expressions per table, so the parser's cache of repeated ones does not flatter us.
        checks: [{ name: `${stack.service}_t${i}_price_positive`, expression: `price > 0 AND attempts < ${i + 10}` }],
        indexes: [{ columns: ['symbol', 'created_at'] }, { columns: ['status'], where: `status = 'open_${i}'` }],
      });
    }
  };
}

/** terraform_data emitted through a plain TerraformResource, the cheapest resource cdktf has. */
class PlainResource extends TerraformResource {
  constructor(scope: Construct, id: string, private readonly input: Record<string, unknown>) {
    super(scope, id, { terraformResourceType: 'terraform_data' });
  }
  protected synthesizeAttributes(): Record<string, unknown> {
    return { input: this.input };
  }
}

function synthBedrockLike(tables: number, outdir: string): number {
  let resources = 0;
  const ms = timeMs(() => {
    const app = new App({ outdir, skipValidation: false });
    const perService = Math.round(tables / SERVICES.length);
    const tablesByService = Object.fromEntries(SERVICES.map((s) => [s, defineTables(perService)]));
    const stacks = defineEnvironment(app, { environment, registry, tables: tablesByService });
    app.synth();
    resources = [stacks.platform, ...stacks.services].reduce((sum, stack) => sum + stack.node.findAll().filter((c) => c instanceof TerraformResource).length, 0);
    built = stacks.services.reduce((sum, stack) => sum + stack.tables.length, 0);
  });
  if (built !== tables) throw new Error(`built ${built} tables, expected ${tables}`);
  lastResourceCount = resources;
  return ms;
}
let lastResourceCount = 0;
let built = 0;

function synthFloor(count: number, outdir: string): number {
  return timeMs(() => {
    const app = new App({ outdir });
    const perStack = Math.ceil(count / (SERVICES.length + 1));
    for (let s = 0; s <= SERVICES.length; s += 1) {
      const stack = new TerraformStack(app, `floor-${s}`);
      for (let i = 0; i < perStack; i += 1) new PlainResource(stack, `r${i}`, { name: `t${i}`, columns: 15, schema: `s${s}` });
    }
    app.synth();
  });
}

async function main(): Promise<void> {
  await createApp(); // loads the SQL parser
  const rounds = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 5);
  const sizes = [120, 600, 1200];
  const root = mkdtempSync(path.join(tmpdir(), 'bedrock-bench-synth-'));
  const results: { tables: number; ours: number; floor: number; resources: number }[] = [];
  try {
    synthBedrockLike(120, path.join(root, 'warmup')); // JIT warm-up, not measured
    for (const tables of sizes) {
      const ours: number[] = [];
      const floor: number[] = [];
      for (let round = 0; round < rounds; round += 1) {
        // Interleaved, so both see the same machine state.
        ours.push(synthBedrockLike(tables, path.join(root, `ours-${tables}-${round}`)));
        floor.push(synthFloor(tables + lastResourceCount, path.join(root, `floor-${tables}-${round}`)));
      }
      results.push({ tables, ours: median(ours), floor: median(floor), resources: lastResourceCount });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  console.log(`In-process synth, median of ${rounds} interleaved rounds (node ${process.version})`);
  console.log('tables | ours (app + validation + synth) | floor (plain resources) | ratio | ours per table');
  for (const r of results) {
    console.log(`${String(r.tables).padStart(6)} | ${formatMs(r.ours).padStart(8)} (${r.resources} resources) | ${formatMs(r.floor).padStart(8)} (${r.tables + r.resources}) | ${(r.ours / r.floor).toFixed(2)}x | ${(r.ours / r.tables).toFixed(3)} ms`);
  }
  const [small, middle, large] = results;
  const marginal = (a: typeof small, b: typeof small) => (b.ours - a.ours) / (b.tables - a.tables);
  console.log(
    `Marginal cost per table: ${marginal(small, middle).toFixed(3)} ms from ${small.tables} to ${middle.tables}, ` +
      `${marginal(middle, large).toFixed(3)} ms from ${middle.tables} to ${large.tables} (equal = linear; fixed costs make small apps dearer per table)`,
  );
  const ratio = large.ours / large.floor;
  console.log(`Target: at most 2x the floor at ${large.tables} tables: ${ratio <= 2 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}x)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
