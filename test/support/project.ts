// A small project for command-line tests: two services whose table definitions a test can
// change between commands, with migrations in a temporary folder.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BedrockProject, DefineTables, runCli, ServiceDefinition, ServiceRegistry } from '../../lib';

export interface TestProject extends BedrockProject {
  readonly root: string;
  readonly tables: Record<string, DefineTables>;
  /** Runs the CLI; returns its exit code and what it printed. */
  cli(...args: string[]): Promise<{ code: number; out: string; err: string }>;
}

export function testProject(root = mkdtempSync(path.join(tmpdir(), 'bedrock-project-')), portfolioReads?: ServiceDefinition['reads']): TestProject {
  const registry = new ServiceRegistry([
    { name: 'datahub', team: '@test/datahub' },
    { name: 'portfolio', team: '@test/portfolio', ...(portfolioReads ? { reads: portfolioReads } : {}) },
  ]);
  const tables: Record<string, DefineTables> = { datahub: () => undefined, portfolio: () => undefined };
  const project: TestProject = {
    root,
    registry,
    tables,
    environments: [{ name: 'dev', connection: { database: 'db', username: 'deployer' }, services: registry.names }],
    migrationsDirectory: (service) => path.join(root, 'stacks', service, 'migrations'),
    cli: async (...args) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(project, args, { log: (l) => out.push(l), error: (l) => err.push(l) });
      return { code, out: out.join('\n'), err: err.join('\n') };
    },
  };
  return project;
}
