// `cdktf synth` of the Bedrock app through the real CLI, on a machine without terraform, and
// the synthesized stacks read by plain `terraform` where it is installed.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { projectRoot, run, terraformOnPath } from '../support/commands';

const cdktf = path.join(projectRoot, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf');
let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'bedrock-e2e-synth-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('cdktf synth writes every stack with no terraform binary on PATH', () => {
  // A PATH that has node and the usual tools but certainly no terraform.
  const bin = path.join(work, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, path.join(bin, 'node'));
  const env = { PATH: `${bin}:/bin` };
  expect(run('sh', ['-c', 'command -v terraform'], { env }).status).not.toBe(0);

  const out = path.join(work, 'out');
  const result = run(process.execPath, [cdktf, 'synth', '--output', out], { env });
  expect(result.status).toBe(0);
  expect(result.stderr + result.stdout).not.toContain('[ERROR]');
  expect(result.stdout).toContain('Generated Terraform code for the stacks');

  const stacks = readdirSync(path.join(out, 'stacks')).sort();
  expect(stacks).toHaveLength(28);
  expect(stacks).toContain('prod-platform');
  expect(stacks).toContain('local-decision_engine');
  for (const stack of stacks) {
    const text = readFileSync(path.join(out, 'stacks', stack, 'cdk.tf.json'), 'utf8');
    expect(text).not.toContain(projectRoot);
    expect(text).not.toContain(work);
  }
});

test('a bad table fails synth with the construct path and the fix', () => {
  const app = path.join(work, 'bad-app.ts');
  const source = `
    import { bigint, createApp, numeric, ServiceStack, ServiceRegistry, Table } from '${path.join(projectRoot, 'lib')}';
    createApp().then((app) => {
      const registry = new ServiceRegistry([{ name: 'datahub', team: '@t/datahub' }]);
      const environment = { name: 'dev', connection: { database: 'db', username: 'u' }, services: ['datahub'] };
      const stack = new ServiceStack(app, { service: 'datahub', environment, registry });
      new Table(stack, 'klines', { columns: { id: bigint(), price: numeric(8, 18) } });
      app.synth();
    }).catch((e) => { console.error(e.message); process.exit(1); });`;
  writeFileSync(app, source);
  const result = run(process.execPath, [cdktf, 'synth', '--output', path.join(work, 'bad-out'), '--app', `node ${path.join(projectRoot, 'scripts', 'run-app.js')} ${app}`]);
  expect(result.status).not.toBe(0);
  expect(result.stdout + result.stderr).toContain('dev-datahub/klines: column "price": numeric(8, 18): the scale must be a whole number from 0 to the precision (8)');
});

test('each synthesized stack folder is read by plain terraform', () => {
  const terraform = terraformOnPath();
  if (!terraform) {
    console.log('SKIPPED: terraform is not on PATH, so plain terraform could not read the synthesized stacks');
    return;
  }
  const out = path.join(work, 'out');
  for (const stack of ['prod-platform', 'local-portfolio']) {
    // Copied elsewhere: the folder must stand on its own.
    const copy = path.join(work, 'copies', stack);
    cpSync(path.join(out, 'stacks', stack), copy, { recursive: true });
    const init = run(terraform, ['init', '-backend=false', '-input=false', '-no-color'], { cwd: copy, env: { TF_IN_AUTOMATION: '1' } });
    const output = init.stdout + init.stderr;
    // Terraform parses the whole configuration before it installs providers.
    expect(output).toContain('Finding cyrilgdn/postgresql versions matching "1.26.0"');
    if (init.status === 0) {
      const validate = run(terraform, ['validate', '-no-color'], { cwd: copy });
      expect(validate.stdout).toContain('Success! The configuration is valid.');
    } else {
      // No provider can be downloaded on this machine: the only error allowed is that one.
      expect(output.match(/^Error: .*$/gm)).toEqual(['Error: Failed to query available provider packages']);
      console.log(`PARTLY SKIPPED: ${stack} parsed by terraform, but the postgresql provider cannot be downloaded here, so \`terraform validate\` did not run`);
    }
  }
});
