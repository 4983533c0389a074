// Makes resources run one after another. Grants on the same catalog row must never run in
// parallel (cyrilgdn/terraform-provider-postgresql#178, "tuple concurrently updated").
import { dependable, ITerraformDependable, TerraformResource } from 'cdktf';

export class ResourceChain {
  private last?: ITerraformDependable;

  constructor(first?: ITerraformDependable) {
    this.last = first;
  }

  /** Makes `resource` depend on the previously added one, and returns it. */
  add<R extends TerraformResource>(resource: R): R {
    if (this.last) resource.dependsOn = [...(resource.dependsOn ?? []), dependable(this.last)];
    this.last = resource;
    return resource;
  }

  /** The last resource added (or the one the chain started after). */
  get tail(): ITerraformDependable | undefined {
    return this.last;
  }
}
