// Where a stack keeps its Terraform state, from the environment's backend setting.
import * as path from 'node:path';
import { Construct } from 'constructs';
import { LocalBackend, TerraformBackend, TerraformRemoteState, TerraformStack } from '../cdk';
import { BackendConfig } from './environment';

/**
 * Terraform's pg backend without `conn_str`: Terraform then reads PG_CONN_STR (or the PG*
 * variables), so the plan carries no credentials. cdktf's PgBackend requires conn_str.
 */
class PgStateBackend extends TerraformBackend {
  constructor(
    scope: Construct,
    private readonly schemaName: string,
  ) {
    super(scope, 'backend', 'pg');
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    return { schema_name: this.schemaName };
  }

  getRemoteStateDataSource(): TerraformRemoteState {
    throw new Error('Stacks of Bedrock do not read each other\'s state: they share names, not outputs');
  }
}

/** Sets the backend of `stack` (whose id is e.g. `prod-datahub`). */
export function configureBackend(stack: TerraformStack, stackId: string, backend: BackendConfig): void {
  if (backend.type === 'pg') {
    // Each stack needs a schema of its own: the pg backend keeps one state per schema and workspace.
    new PgStateBackend(stack, `${backend.schemaPrefix ?? 'terraform'}_${stackId.replace(/-/g, '_')}`);
    return;
  }
  // Relative to the stack's folder (cdktf.out/stacks/<id>/): state stays in the project
  // folder, survives re-synthesis, and the plan holds no absolute path of this machine.
  new LocalBackend(stack, { path: path.posix.join('..', '..', '..', `terraform.${stackId}.tfstate`) });
}
