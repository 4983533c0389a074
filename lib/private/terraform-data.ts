// terraform_data through a plain TerraformResource: cdktf's own DataResource runs
// `terraform version` once per instance at synth (slow, and fails where terraform is absent).
import { Construct } from 'constructs';
import { TerraformResource, TerraformResourceConfig } from '../cdk';

export interface TerraformDataProps extends Omit<TerraformResourceConfig, 'terraformResourceType'> {
  /** Shown in the plan; a change updates the resource in place. */
  readonly input?: unknown;
  /** A change replaces the resource (and runs its create-time provisioners again). */
  readonly triggersReplace?: unknown;
}

export class TerraformData extends TerraformResource {
  constructor(
    scope: Construct,
    id: string,
    private readonly props: TerraformDataProps,
  ) {
    super(scope, id, { ...props, terraformResourceType: 'terraform_data' });
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return {
      ...(this.props.input !== undefined ? { input: this.props.input } : {}),
      ...(this.props.triggersReplace !== undefined ? { triggers_replace: this.props.triggersReplace } : {}),
    };
  }
}
