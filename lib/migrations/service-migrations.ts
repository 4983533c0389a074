// A service's migrations in a Terraform plan: one terraform_data record per migration (its
// id, checksum and full SQL, so the plan shows each pending migration and a rollback as one
// resource to destroy), and one head whose create-time provisioner runs the runner once to
// converge the database to that head. Nothing is ever dropped at destroy.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Construct } from 'constructs';
import { AssetType, TerraformAsset, TerraformResource } from '../cdk';
import { TerraformData } from '../private/terraform-data';
import { runnerBundle, runnerBundleHash } from '../runner/bundle';
import { manifestText } from '../runner/manifest';
import type { MigrationPlan } from '../runner/planned-migration';
import { RunnerChoices, runnerSettings } from '../runner/runner-settings';
import { formatRunnerFlags } from '../runner/runner-flags';
import { migrationPlan } from './migration-plan';
import { checksumOf, Migration } from './migration-file';

export interface ServiceMigrationsProps {
  readonly service: string;
  /** The role migrations run as. */
  readonly ownerRole: string;
  /** The service's migrations in chain order (from its migrations folder). */
  readonly migrations: readonly Migration[];
  /** Whether the runner may roll back migrations the database holds beyond the head. */
  readonly allowDowngrades: boolean;
  /**
   * The environment's timeouts, retries and offline limit, passed on the runner's command line.
   * Missing fields take the defaults.
   * @default DEFAULT_RUNNER_SETTINGS
   */
  readonly settings?: RunnerChoices;
  /** Resources that must exist before any migration runs (e.g. default privileges). */
  readonly dependsOn?: readonly TerraformResource[];
}

/** Writes `text` to a content-addressed file under the OS temp folder; returns its path. */
function contentFile(name: string, text: string): string {
  const directory = path.join(tmpdir(), 'bedrock-manifests');
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `${name}-${checksumOf(text)}.json`);
  // Named by its content: when it exists, it is already right (each environment shares it).
  if (!existsSync(file)) {
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  }
  return file;
}

export class ServiceMigrations extends Construct {
  /** The head resource: depend on it to run after the migrations. */
  readonly head: TerraformData;

  constructor(scope: Construct, id: string, props: ServiceMigrationsProps) {
    super(scope, id);
    const records = props.migrations.map(
      (m) =>
        new TerraformData(this, `migration_${m.id}`, {
          input: { id: m.id, checksum: m.checksum, transactional: m.transactional, up: m.up, down: m.down },
        }),
    );
    const settings = runnerSettings(props.settings ?? {});
    const plan = migrationPlan(props.service, props.ownerRole, props.migrations);
    const manifest = manifestText(plan, props.migrations);
    const expected = checksumOf(manifest);
    // Content hashes given, so cdktf need not hash the same files again for every stack.
    const manifestAsset = new TerraformAsset(this, 'manifest', { path: contentFile(props.service, manifest), type: AssetType.FILE, assetHash: expected.slice(0, 32) });
    const runner = new TerraformAsset(this, 'runner', { path: runnerBundle(), type: AssetType.FILE, assetHash: runnerBundleHash().slice(0, 32) });
    const head = props.migrations[props.migrations.length - 1]?.id ?? 'none';
    const chain = createHash('sha256')
      .update(props.migrations.map((m) => `${m.id} ${m.checksum}\n`).join(''))
      .digest('hex');
    const command = [
      'node',
      runner.path,
      '--manifest',
      manifestAsset.path,
      '--expect',
      expected,
      ...(props.allowDowngrades ? ['--allow-downgrades'] : []),
      ...formatRunnerFlags(settings),
    ].join(' ');
    this.head = new TerraformData(this, 'head', {
      // Replaced whenever the chain changes, which runs the runner (create-time only).
      triggersReplace: { service: props.service, head, chain, manifest: expected },
      // The settings show in the plan; changing them alone updates this record without a run.
      input: { service: props.service, head, migrations: props.migrations.length, settings, ...waitsFor(plan) },
      provisioners: [{ type: 'local-exec', command }],
    });
    // Plain addresses rather than tokens: cdktf captures a stack trace per token.
    this.head.dependsOn = [...records, ...(props.dependsOn ?? [])].map((r) => `${r.terraformResourceType}.${r.friendlyUniqueId}`);
  }
}


/**
 * The releases of other services this plan's adopts wait for (`<service> <migration>`), shown in
 * the plan: the runner refuses an adopt until its release is applied (run-transfer-step.ts).
 */
function waitsFor(plan: MigrationPlan): { waitsFor?: string[] } {
  const waits = plan.migrations.flatMap((m) => m.upSteps.flatMap((s) => (s.transfer?.after !== undefined ? [`${s.transfer.other} ${s.transfer.after}`] : [])));
  return waits.length > 0 ? { waitsFor: waits } : {};
}
