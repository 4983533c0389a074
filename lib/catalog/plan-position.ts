// Where a service's schema stands against its plan (the migrations folder, each migration with
// the snapshot of the schema after it). Pending: the schema equals the state after the last
// migration the ledger records, and the folder goes further (`migrate` applies the rest).
// Drift: the schema equals no state the ledger explains: not the recorded one, and when it
// equals a later one, nobody recorded running it.
import { ClientBase } from 'pg';
import { COMMAND, MigrationDirectory } from '../migrations/migration-directory';
import { Migration } from '../migrations/migration-file';
import { LedgerRow, ledgerRows } from '../runner/ledger';
import { schemaDrift } from './drift';
import { DriftFinding } from './drift-finding';
import { shown } from './catalog-text';

/** ok: the database holds the plan's head; pending: an earlier state of the plan; drift: no state of it. */
export type ServiceState = 'ok' | 'pending' | 'drift';

export interface PlanPosition {
  readonly state: ServiceState;
  /** The last migration the ledger records as applied, in the folder's order; null: none. */
  readonly appliedThrough: string | null;
  /** The folder's last migration; null: the folder has none. */
  readonly head: string | null;
  /** The folder's migrations the ledger does not record as applied, in order. */
  readonly pending: readonly string[];
  readonly findings: readonly DriftFinding[];
  /** The migrations the ledger records as applied, in order: what made the schema. */
  readonly applied: readonly Migration[];
}

const DONE = new Set(['applied', 'baselined']);

/** `--env dev` for commands, or nothing. */
const envOption = (environment: string | undefined): string => (environment ? ` --env ${environment}` : '');

export async function planPosition(client: ClientBase, directory: MigrationDirectory, environment?: string): Promise<PlanPosition> {
  const service = directory.service;
  const migrations = directory.read().migrations;
  const rows = await ledgerRows(client, service);
  const done = new Set(rows.filter((r) => DONE.has(r.status)).map((r) => r.id));
  let count = 0;
  while (count < migrations.length && done.has(migrations[count].id)) count++;
  const applied = migrations.slice(0, count);
  const position = {
    appliedThrough: applied[applied.length - 1]?.id ?? null,
    head: migrations[migrations.length - 1]?.id ?? null,
    pending: migrations.filter((m) => !done.has(m.id)).map((m) => m.id),
    applied,
  };
  const pendingFindings = position.pending.map((id): DriftFinding => ({
    kind: 'pending-migration',
    object: `migration ${id}`,
    message: `${id} is not applied yet: the database is behind the plan`,
    fix: `\`${COMMAND} migrate --service ${service}${envOption(environment)}\` (or deploy the service's stack)`,
  }));

  // The ledger itself says the schema is in no state of this plan: nothing to compare.
  const ledger = ledgerFindings(service, migrations, rows, done, count, environment);
  if (ledger.length > 0) {
    // A migration stopped at a step resumes on the next run: the database is behind, not off the plan.
    const resumable = ledger.every((f) => f.kind === 'interrupted-migration') && !rows.some((r) => r.status === 'failed');
    return { ...position, state: resumable ? 'pending' : 'drift', findings: [...ledger, ...pendingFindings.filter((f) => !ledger.some((l) => l.object === f.object))] };
  }

  const differences = await schemaDrift(client, directory.snapshot(position.appliedThrough ?? undefined));
  if (differences.length === 0) return { ...position, state: position.pending.length > 0 ? 'pending' : 'ok', findings: pendingFindings };

  const findings: DriftFinding[] = differences.map((difference) => ({
    kind: 'schema',
    object: objectOf(shown(difference)),
    message: `${shown(difference)} (compared with the state after ${position.appliedThrough ?? 'no migration'}, which the ledger records)`,
    fix: `undo the hand change so the schema equals the plan; if the change is wanted, make it in stacks/${service}/tables.ts, \`${COMMAND} generate ${service} <description>\`, undo the hand change and migrate`,
  }));
  if (position.head !== null && position.head !== position.appliedThrough && (await schemaDrift(client, directory.snapshot(position.head))).length === 0) {
    return { ...position, state: 'drift', findings: [unrecorded(service, position.head, position.appliedThrough, environment)] };
  }
  return { ...position, state: 'drift', findings: [...findings, ...pendingFindings] };
}

/**
 * The object a sentence of schema-differences.ts is about: `column of s.t: c is missing ...` is
 * `column s.t.c`, `index of s.t: i ...` is `index i on s.t`, `table s.x is ...` is `table s.x`.
 */
function objectOf(difference: string): string {
  const member = /^(\w+(?: \w+)?) of (\S+): (\S+) /.exec(difference);
  if (member) return member[1] === 'column' ? `column ${member[2]}.${member[3]}` : `${member[1]} ${member[3]} on ${member[2]}`;
  const named = /^(\w+) (\S+?):? /.exec(difference);
  return named ? `${named[1]} ${named[2]}` : difference;
}

/** The schema is at the head, but the ledger does not say so: it was built or changed without the runner. */
function unrecorded(service: string, head: string, appliedThrough: string | null, environment: string | undefined): DriftFinding {
  return {
    kind: 'unrecorded-schema',
    object: `schema of ${service}`,
    message: `the schema equals the state after ${head}, but the ledger records ${appliedThrough ?? 'no migration'}: it was built or migrated without the runner`,
    fix:
      appliedThrough === null
        ? `\`${COMMAND} baseline --service ${service}${envOption(environment)}\` records the chain as applied without running it`
        : `undo the changes made by hand after ${appliedThrough}, then \`${COMMAND} migrate --service ${service}${envOption(environment)}\``,
  };
}

/** Ledger rows that place the schema outside the plan: unknown, out of order, or stopped part-way. */
function ledgerFindings(service: string, migrations: readonly Migration[], rows: readonly LedgerRow[], done: ReadonlySet<string>, count: number, environment: string | undefined): DriftFinding[] {
  const inFolder = new Set(migrations.map((m) => m.id));
  const findings: DriftFinding[] = [];
  for (const row of rows) {
    if (DONE.has(row.status) && !inFolder.has(row.id)) {
      findings.push({
        kind: 'unknown-migration',
        object: `migration ${row.id}`,
        message: `the ledger records ${row.id} as applied, but the migrations folder has no such migration: the database is ahead of this checkout`,
        fix: `check out the revision that has it (\`git log --all -- '*${row.id}.sql'\`), or roll it back where downgrades are allowed (\`${COMMAND} down --service ${service} --env <environment>\`)`,
      });
    }
  }
  for (const later of migrations.slice(count + 1).filter((m) => done.has(m.id))) {
    findings.push({
      kind: 'unknown-migration',
      object: `migration ${later.id}`,
      message: `${later.id} is applied, but ${migrations[count].id} before it in the folder is not: the chain was changed after it was applied`,
      fix: `restore the chain the database ran (\`git log\` of the migrations folder), or roll back to ${migrations[count - 1]?.id ?? 'base'} where downgrades are allowed and migrate`,
    });
  }
  for (const row of rows.filter((r) => !DONE.has(r.status))) {
    const step = (row.steps_done ?? 0) + 1;
    const [what, fix] =
      row.status === 'partial'
        ? [`stopped at step ${step} of ${row.steps_total ?? '?'}`, `\`${COMMAND} migrate --service ${service}${envOption(environment)}\` resumes it`]
        : row.status === 'rolling_back'
          ? [`stopped rolling back at down step ${step}`, `\`${COMMAND} down --service ${service}${envOption(environment) || ' --env <environment>'}\` resumes the rollback`]
          : [`FAILED`, `inspect it (\`${COMMAND} status --service ${service}\`), then \`${COMMAND} resolve --service ${service} ${row.id} --applied|--rolled-back\``];
    findings.push({
      kind: 'interrupted-migration',
      object: `migration ${row.id}`,
      message: `${row.id} ${what}${row.error ? `: ${shown(JSON.stringify(row.error))}` : ''}; the schema is between two states of the plan, so it is not compared`,
      fix,
    });
  }
  return findings;
}
