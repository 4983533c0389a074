// `npm run synth` of the whole Bedrock app (28 stacks) against `cdktf synth` of an empty app,
// both through the same cdktf CLI, interleaved rounds, medians.
// Run: node scripts/run-app.js bench/synth-cli.bench.ts [rounds]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { formatMs, median } from './median';

const root = path.resolve(__dirname, '..');
const cdktf = path.join(root, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf');
const env = { ...process.env, CHECKPOINT_DISABLE: '1' };

function timed(command: string, args: string[], cwd: string): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return ms;
}

function main(): void {
  const rounds = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 5);
  const work = mkdtempSync(path.join(tmpdir(), 'bedrock-bench-cli-'));
  try {
    // The baseline: a cdktf app with no stack at all, using the same cdktf library.
    const empty = path.join(work, 'empty');
    mkdirSync(empty);
    writeFileSync(path.join(empty, 'main.js'), `const { App } = require(${JSON.stringify(path.join(root, 'node_modules', 'cdktf'))});\nnew App().synth();\n`);
    writeFileSync(path.join(empty, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: 'node main.js', sendCrashReports: 'false' }));
    writeFileSync(path.join(empty, 'package.json'), JSON.stringify({ private: true, scripts: { synth: `CHECKPOINT_DISABLE=1 ${process.execPath} ${cdktf} synth` } }));

    const emptyRuns: number[] = [];
    const bedrockRuns: number[] = [];
    const npmRuns: number[] = [];
    const emptyNpmRuns: number[] = [];
    timed(process.execPath, [cdktf, 'synth'], empty); // warm the file cache
    for (let round = 0; round < rounds; round += 1) {
      emptyRuns.push(timed(process.execPath, [cdktf, 'synth'], empty));
      bedrockRuns.push(timed(process.execPath, [cdktf, 'synth', '--output', path.join(work, `out-${round}`)], root));
      npmRuns.push(timed('npm', ['run', 'synth', '--silent', '--', '--output', path.join(work, `npm-${round}`)], root));
      emptyNpmRuns.push(timed('npm', ['run', 'synth', '--silent'], empty));
    }
    const baseline = median(emptyRuns);
    const ours = median(bedrockRuns);
    const viaNpm = median(npmRuns);
    const emptyViaNpm = median(emptyNpmRuns);
    console.log(`CLI synth, median of ${rounds} interleaved rounds (node ${process.version})`);
    console.log(`cdktf synth, empty app (baseline):      ${formatMs(baseline)}`);
    console.log(`cdktf synth, Bedrock app (28 stacks):   ${formatMs(ours)}  ${(ours / baseline).toFixed(2)}x`);
    console.log(`npm run synth, empty app:               ${formatMs(emptyViaNpm)}  ${(emptyViaNpm / baseline).toFixed(2)}x`);
    console.log(`npm run synth, Bedrock app:             ${formatMs(viaNpm)}  ${(viaNpm / baseline).toFixed(2)}x (${(viaNpm / emptyViaNpm).toFixed(2)}x the empty app through npm)`);
    const ratio = viaNpm / baseline;
    console.log(`Target: npm run synth at most 1.3x cdktf synth of an empty app: ${ratio <= 1.3 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}x)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
