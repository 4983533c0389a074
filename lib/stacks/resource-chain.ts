// Makes resources run one after another. Grants on the same catalog row must never run in
// parallel (cyrilgdn/terraform-provider-postgresql#178, "tuple concurrently updated").
import { TerraformResource } from '../cdk';

export class ResourceChain {
  private last?: TerraformResource;

  /** A chain whose first resource waits for `first` (e.g. the migrations' head). */
  constructor(first?: TerraformResource) {
    this.last = first;
  }

  /** The last resource of the chain. */
  get tail(): TerraformResource | undefined {
    return this.last;
  }

  /** Makes `resource` depend on the previously added one (same stack), and returns it. */
  add<R extends TerraformResource>(resource: R): R {
    if (this.last) {
      // The plain address, not a token: cdktf captures a full stack trace per token, which
      // made chains of hundreds of grants a visible part of synth time.
      resource.dependsOn = [...(resource.dependsOn ?? []), `${this.last.terraformResourceType}.${this.last.friendlyUniqueId}`];
    }
    this.last = resource;
    return resource;
  }
}
