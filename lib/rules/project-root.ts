// The project's folder as the rule pack sees it: where the files a construct links to (decision
// records in docs/adr/) are looked up.
//
// The choice: an app says where its project is with the construct context key
// `bedrock:projectRoot` on its App (`new App({ context: { 'bedrock:projectRoot': dir } })`, or
// `"context"` in cdktf.json); the command line's scratch app sets it from BedrockProject.root.
// Without it, the working directory: `cdktf synth` runs the app in the folder of cdktf.json
// and `npm run` runs scripts in the folder of package.json, which is the project's folder, as
// the relative migrations folders of stacks/project.ts already assume. An app built from
// another folder (a library used by a project elsewhere, a test) sets the key.
import * as path from 'node:path';
import { IConstruct } from 'constructs';

/** The construct context key holding the project's folder (absolute, or relative to the working directory). */
export const PROJECT_ROOT_CONTEXT = 'bedrock:projectRoot';

/** The project's folder for `construct`: the context key when its app sets one, else the working directory. */
export function projectRootOf(construct: IConstruct): string {
  const value: unknown = construct.node.tryGetContext(PROJECT_ROOT_CONTEXT);
  return typeof value === 'string' && value.trim() !== '' ? path.resolve(value) : process.cwd();
}
