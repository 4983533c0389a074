// The cdktf app: Project Bedrock's environments (stacks/environments.ts), each a platform
// stack and a stack per service.
import { createApp } from './lib';
import { defineBedrock } from './stacks';

async function main(): Promise<void> {
  const app = await createApp();
  defineBedrock(app);
  app.synth();
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
