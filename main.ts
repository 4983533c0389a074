// The cdktf app: Project Bedrock's environments (stacks/environments.ts), each a platform
// stack and a stack per service.
import { createApp, writeReviews } from './lib';
import { bedrockProject, defineBedrock } from './stacks';

async function main(): Promise<void> {
  const app = await createApp();
  defineBedrock(app);
  app.synth();
  // What a reviewer reads beside the plan: cdktf.out/review/<environment>.md.
  writeReviews(bedrockProject, app.outdir);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
