// The base of Bedrock's stacks. They never reference each other's resources (they share
// names, not outputs, so each stack folder deploys alone), which lets synth skip cdktf's
// preparing pass: a full resolve of every element done only to discover cross-stack
// references, about a quarter of the app's synth time.
import { TerraformStack } from '../cdk';

export abstract class BedrockStack extends TerraformStack {
  prepareStack(): void {
    this.ensureBackendExists();
  }
}
