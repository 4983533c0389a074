// The Bedrock app synthesizes the same Terraform with CDK Terrain (npm `cdktn`, the fork of the
// deprecated cdktf) as with cdktf 0.21: `cdktf synth` of the real app twice, once as installed
// and once with test/support/cdktn-preload.js serving cdktn for every require('cdktf'), the
// provider bindings' own included; then every file of both output trees is compared.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { projectRoot, run } from '../support/commands';

const cdktfCli = path.join(projectRoot, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf');
const preload = path.join(projectRoot, 'test', 'support', 'cdktn-preload.js');
const runApp = path.join(projectRoot, 'scripts', 'run-app.js');
const CDKTF_VERSION = '0.21.0';
const CDKTN_VERSION = '0.24.0';
// The provider binding files the app uses (lib/cdk.ts): each requires 'cdktf' itself.
const PROVIDER_FILES = ['database', 'default-privileges', 'extension', 'grant', 'grant-role', 'provider', 'role', 'schema'];

/** Which package `cdktf` is in node_modules: 'cdktn' once package.json aliases it (README, section "CDK Terrain"). */
const installedAsCdktf = (): string => JSON.parse(readFileSync(path.join(projectRoot, 'node_modules', 'cdktf', 'package.json'), 'utf8')).name;

/** Every file under a folder, as paths relative to it, sorted. */
function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)))
    .sort();
}

/**
 * The CDK's own version, where each CDK writes it: manifest.json's `version` and each stack's
 * `//.metadata.version`. Removed from the parsed JSON, returned.
 */
function takeCdkVersion(file: string, json: Record<string, any>): string {
  const holder = file === 'manifest.json' ? json : json['//'].metadata;
  const version = holder.version;
  delete holder.version;
  return version;
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'bedrock-e2e-cdktn-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the Bedrock app synthesizes the same stacks with cdktn 0.24 as with cdktf 0.21', () => {
  if (installedAsCdktf() !== 'cdktf') {
    // Switched to CDK Terrain: there is no cdktf left to compare with.
    expect(installedAsCdktf()).toBe('cdktn');
    console.log('SKIPPED: package.json aliases cdktf to cdktn, so there is no cdktf 0.21 output to compare cdktn with');
    return;
  }
  // As `npm run synth`: the app of cdktf.json (scripts/run-app.js main.ts), all environments.
  const cdktfOut = path.join(work, 'cdktf');
  const asInstalled = run(process.execPath, [cdktfCli, 'synth', '--output', cdktfOut]);
  expect(asInstalled.status).toBe(0);

  // The same app and the same esbuild bundle (.bedrock/main.js, built by the first run), with cdktn.
  const cdktnOut = path.join(work, 'cdktn');
  const record = path.join(work, 'cdk-record.json');
  const withCdktn = run(process.execPath, [cdktfCli, 'synth', '--output', cdktnOut, '--app', `node -r ${preload} ${runApp}`], { env: { BEDROCK_CDK_RECORD: record } });
  expect(withCdktn.status).toBe(0);

  // The second run loaded cdktn and no file of cdktf, and cdktn served the app's bundle and every
  // provider binding it uses: not a comparison of cdktf with itself.
  const loaded = JSON.parse(readFileSync(record, 'utf8')) as { loaded: Record<string, string>; askedBy: string[] };
  expect(loaded.loaded).toEqual({ cdktn: CDKTN_VERSION });
  expect(loaded.askedBy).toContain(path.join(projectRoot, '.bedrock', 'main.js'));
  for (const file of PROVIDER_FILES) {
    expect(loaded.askedBy).toContain(path.join(projectRoot, 'node_modules', '@cdktf', 'provider-postgresql', 'lib', file, 'index.js'));
  }

  // The same files: the 28 stacks, their assets (migration manifests, the runner), the reviews.
  const files = filesUnder(cdktfOut);
  expect(filesUnder(cdktnOut)).toEqual(files);
  const stackFiles = files.filter((file) => /^stacks\/[^/]+\/cdk\.tf\.json$/.test(file));
  expect(stackFiles).toHaveLength(28);

  // Byte for byte equal, except manifest.json and every cdk.tf.json: each holds the CDK's own
  // version. Those are equal as JSON once that version is removed, and as text once the empty
  // arrays are spelled alike: cdktf 0.21 writes `[` newline `]` (json-stable-stringify), cdktn
  // 0.24 `[]` (safe-stable-stringify). Key order and indentation are the same.
  const differing: string[] = [];
  for (const file of files) {
    const before = readFileSync(path.join(cdktfOut, file), 'utf8');
    const after = readFileSync(path.join(cdktnOut, file), 'utf8');
    if (before === after) continue;
    differing.push(file);
    const [jsonBefore, jsonAfter] = [JSON.parse(before), JSON.parse(after)];
    expect([file, takeCdkVersion(file, jsonBefore), takeCdkVersion(file, jsonAfter)]).toEqual([file, CDKTF_VERSION, CDKTN_VERSION]);
    expect(jsonAfter).toEqual(jsonBefore);
    const spelledAlike = (text: string, version: string) => text.replace(/\[\n\s*\]/g, '[]').replace(`"version": "${version}"`, '"version": "<cdk>"');
    expect(spelledAlike(after, CDKTN_VERSION)).toBe(spelledAlike(before, CDKTF_VERSION));
  }
  expect(differing).toEqual(['manifest.json', ...stackFiles].sort());
  expect(files.length - differing.length).toBeGreaterThan(28); // review pages and assets, equal byte for byte
});
