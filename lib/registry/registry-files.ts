// The generated ownership documents of a project and where they go (relative to its folder).
import * as path from 'node:path';
import { BedrockProject } from '../project';
import { renderAccess, renderCodeowners, renderOwnershipRegistry } from './ownership-registry';

export function registryFiles(project: BedrockProject): [string, string][] {
  const folder = (service: string) => path.dirname(project.migrationsDirectory(service)).split(path.sep).join('/');
  return [
    [path.join('docs', 'TABLE_OWNERSHIP.md'), renderOwnershipRegistry(project)],
    [path.join('docs', 'CODEOWNERS'), renderCodeowners(project, folder)],
    [path.join('docs', 'ACCESS.md'), renderAccess(project)],
  ];
}
