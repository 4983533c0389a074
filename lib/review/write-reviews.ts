// The review page on every synth: cdktf.out/review/<environment>.md (and .json), one per
// environment with that environment's services, against BEDROCK_REVIEW_BASE (default HEAD: what
// the working tree changes). Outside a git clone (a deploy machine with the synthesized folder
// only) there is no base: said in one line, nothing written.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { BedrockProject } from '../project';
import { GitBase } from './git-base';
import { reviewMarkdown } from './review-markdown';
import { reviewPage } from './review-page';

export function writeReviews(project: BedrockProject, outdir: string, log: (line: string) => void = console.log): string[] {
  const ref = process.env.BEDROCK_REVIEW_BASE ?? 'HEAD';
  let base: GitBase;
  try {
    base = new GitBase(project.root ?? process.cwd(), ref);
  } catch (error) {
    log(`review pages not written: ${(error as Error).message}`);
    return [];
  }
  const folder = path.join(outdir, 'review');
  mkdirSync(folder, { recursive: true });
  // Built once for every service (a model build and a judge of each pending migration), then cut per environment.
  const whole = reviewPage(project, base);
  return project.environments.map((environment) => {
    const page = { ...whole, services: whole.services.filter((s) => environment.services.includes(s.service)) };
    const file = path.join(folder, `${environment.name}.md`);
    writeFileSync(file, reviewMarkdown(page));
    writeFileSync(path.join(folder, `${environment.name}.json`), `${JSON.stringify(page, null, 2)}\n`);
    return file;
  });
}
