// `generate`: diff a service's model against the snapshot at its head and write one new
// migration (with its down), the snapshot after it and the new checksums.
import { MigrationDirectory, COMMAND } from './migration-directory';
import { descriptionProblem, Migration, parseMigration, timestampOf } from './migration-file';
import { diffSchemas } from './schema-diff';
import { SchemaChange } from './schema-change';
import { enumValueStep } from './enum-value-step';
import { dataTemplate, migrationText, PlacedData, schemaPart } from './render-migration';
import { CarriedData, carriedLines, placeCarried, Placement } from './carried-data';
import { retypedReadColumns } from './read-contract-check';
import { canonicalSchema, ServiceSchema } from './service-schema';
import { ServiceRegistry } from '../services/service-registry';
import { findingText, judgeMigration, StatementFinding } from '../statements/judge-migration';
import { LINT_RULES } from '../lint/lint-rules';
import { StatementContext } from '../statements/statement-context';
import { statementContext } from '../statements/statement-context';

export interface GenerateOptions {
  readonly directory: MigrationDirectory;
  /** The service's schema as the code defines it now. */
  readonly model: ServiceSchema;
  /** snake_case, e.g. add_klines_table. */
  readonly description: string;
  /** Allow changes that destroy data (dropped tables or columns, narrowed types). */
  readonly acceptDataLoss?: boolean;
  /** @default now */
  readonly now?: Date;
  /**
   * The app's services, so that a statement touching another service's schema is refused
   * naming that service.
   * @default only this service is known: other schemas are still refused, without their owner's name
   */
  readonly registry?: ServiceRegistry;
  /**
   * Write a data section (`-- +data`, commented, for a person to fill with DML) after the expand
   * steps; a new NOT NULL column without a default is then added nullable, to be filled there,
   * and made NOT NULL after it. With no change to the tables, a migration of data only. @default false
   */
  readonly data?: boolean;
  /**
   * Data sections of a migration this one replaces (`rebase`), put back at the same place.
   * @default what `directory.remove` kept of the migration it removed last, if anything
   */
  readonly carried?: CarriedData;
}

/** One written migration and what it changes. */
export interface GeneratedMigration {
  readonly migration: Migration;
  readonly change: SchemaChange;
}

/**
 * What generate wrote: usually one migration; two when the change adds enum values (they go
 * first, in a migration of their own: see enum-value-step.ts). `migration` and `change` are the last.
 */
export type GenerateResult =
  | { readonly written: false }
  | {
      readonly written: true;
      readonly migration: Migration;
      readonly change: SchemaChange;
      readonly migrations: readonly GeneratedMigration[];
      /**
       * The lint errors of what was written (a rewrite on a table that may hold rows): `check`
       * and synth fail until each is acknowledged in its file with a reason, then `rehash`.
       */
      readonly toAcknowledge: readonly string[];
      /** The lint warnings of what was written (a drop, a rename): printed. */
      readonly warnings: readonly string[];
      /**
       * What the statement rules refuse in the data sections carried over from a replaced migration
       * (`rebase`): written all the same (the data is a person's, and git is not the only copy
       * wanted), and `check` refuses it until fixed. Printed.
       */
      readonly dataProblems: readonly string[];
      /** One line per data section carried over from the migration this one replaces, saying where it went. Printed. */
      readonly carried: readonly string[];
    };

/** A refusal: nothing was written. */
export class GenerateError extends Error {}

/** True when the model and the snapshot describe the same schema. */
export function sameSchema(a: ServiceSchema, b: ServiceSchema): boolean {
  return JSON.stringify(canonicalSchema(a)) === JSON.stringify(canonicalSchema(b));
}

export function generateMigration(options: GenerateOptions): GenerateResult {
  const { directory, model, description } = options;
  const problem = descriptionProblem(description);
  if (problem) throw new GenerateError(`${directory.service}: ${problem}`);
  const state = directory.read();
  if (state.problems.length > 0) {
    throw new GenerateError(`${directory.service}: fix the migrations folder first:\n${state.problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  const context = statementContext(directory.service, options.registry);
  refuseJudged(judged(state.migrations, context).refusals, `${directory.service}: fix the statements of its migrations first; nothing written`);
  const head = state.migrations[state.migrations.length - 1];
  const before = directory.snapshot(head?.id);
  // The model as its snapshot will hold it (canonical: tables and enums in name order, rename
  // hints kept): the migration is the transition between two snapshots, which `check` renders
  // again from the files to compare (schema-part-check.ts).
  const after = canonicalSchema(model, { keepRenames: true });
  const carried = options.carried ?? directory.takeRemovedData();
  const dataMode = options.data === true || (carried !== undefined && carried.sections.length > 0);
  const diff = diffSchemas(before, after, { filledByData: dataMode });
  if (diff.up.length === 0 && !dataMode) return { written: false };
  const retyped = options.registry ? retypedReadColumns(options.registry, before, after) : [];
  if (retyped.length > 0) throw new GenerateError(`${directory.service}: this change breaks another service's read contract; nothing written:\n${retyped.map((p) => `  - ${p}`).join('\n')}`);
  const destructive = diff.up.flatMap((c) => (c.dataLoss ? [c.dataLoss] : []));
  if (destructive.length > 0 && !options.acceptDataLoss) {
    throw new GenerateError(
      `${directory.service}: this change destroys data:\n${destructive.map((d) => `  - ${d}`).join('\n')}\n` +
        `If that is intended, run again with --accept-data-loss (\`${COMMAND} generate ${directory.service} ${description}${options.data ? ' --data' : ''} --accept-data-loss\`).`,
    );
  }
  const between = enumValueStep(before, after, diff);
  const steps = between
    ? [
        { from: before, schema: between, description: enumValuesDescription(description), dataMode: false },
        { from: between, schema: after, description, dataMode },
      ]
    : [{ from: before, schema: after, description, dataMode }];
  const written: GeneratedMigration[] = [];
  const placements: { up: Placement[]; down: Placement[] }[] = [];
  let parent = head?.id;
  for (const step of steps) {
    const id = `${nextTimestamp(options.now ?? new Date(), parent)}_${directory.service}_${step.description}`;
    const part = schemaPart(step.from, step.schema, step.dataMode);
    const placed = step.dataMode ? placeData(part, carried, directory, step.schema) : { up: [], down: [] };
    const text = migrationText({ id, service: directory.service, parent, part, dataMode: step.dataMode, data: placed });
    written.push({ migration: parseMigration(`${id}.sql`, text), change: part.change });
    placements.push({ up: placed.up.filter(isPlacement), down: placed.down.filter(isPlacement) });
    parent = id;
  }
  // What the model holds (check and default expressions) reaches the SQL: judge it too, all
  // of it before anything is written.
  const source = head ? `, or (if a hand edited it) restore the snapshot ${directory.snapshotFile(head.id)} it was diffed against from git` : '';
  const lint = judged(written.map((w) => w.migration), context, true);
  refuseJudged(lint.refusals, `${directory.service}: the new migration breaks the statement rules; nothing written. Change the model${source}`);
  const chain = [...state.migrations];
  written.forEach(({ migration }, i) => {
    directory.add(migration, steps[i].schema, chain);
    chain.push(migration);
  });
  const last = written[written.length - 1];
  const carriedText = carried ? carriedLines(carried, placements[placements.length - 1], last.migration) : [];
  return { written: true, migration: last.migration, change: last.change, migrations: written, toAcknowledge: lint.toAcknowledge, warnings: lint.warnings, dataProblems: lint.dataProblems, carried: carriedText };
}

/** The data sections of a new migration: the carried ones at their places, or the template after the expand steps. */
function placeData(part: ReturnType<typeof schemaPart>, carried: CarriedData | undefined, directory: MigrationDirectory, after: ServiceSchema): { up: PlacedData[]; down: PlacedData[] } {
  if (carried && carried.sections.length > 0) return placeCarried(carried, part);
  return { up: [{ at: part.dataAt, section: dataTemplate(directory.service, directory.schema, after, part) }], down: [] };
}

const isPlacement = (placed: PlacedData): placed is Placement => 'carried' in placed;

/** The first migration's description when new enum values go first. */
function enumValuesDescription(description: string): string {
  const prefixed = `${description}_enum_values`;
  return prefixed.length <= 100 ? prefixed : 'add_enum_values';
}

const LINT_IDS = new Set(LINT_RULES.map((rule) => rule.id));

/**
 * The judge's findings in four: what refuses the migration (a statement rule: an object of
 * another service, a privilege change...), the lint errors a person must acknowledge before
 * check and synth pass (a risk generate cannot avoid, e.g. a rewrite), the warnings, and, in
 * the data sections of what generate `written` (carried over by rebase), the errors to fix.
 */
function judged(migrations: readonly Migration[], context: StatementContext, written = false): { refusals: string[]; toAcknowledge: string[]; warnings: string[]; dataProblems: string[] } {
  // In what generate writes, a data section is a person's (carried over by rebase): reported, never a reason to write nothing.
  const findings = migrations.flatMap((migration) => judgeMigration(migration, context).map((finding) => ({ finding, inData: written && inDataSection(migration, finding.line) })));
  const texts = (keep: (f: StatementFinding, inData: boolean) => boolean) => findings.filter(({ finding, inData }) => keep(finding, inData)).map(({ finding }) => findingText(finding));
  return {
    refusals: texts((f, inData) => f.severity === 'error' && !LINT_IDS.has(f.rule) && !inData),
    toAcknowledge: texts((f, inData) => f.severity === 'error' && LINT_IDS.has(f.rule) && !inData),
    warnings: texts((f) => f.severity === 'warning'),
    dataProblems: texts((f, inData) => f.severity === 'error' && inData),
  };
}

/** Whether a file line lies in one of the migration's data sections (hand-written: generate never refuses over them). */
function inDataSection(migration: Migration, line: number): boolean {
  return migration.dataSections.some((d) => line >= d.markerLine && line <= d.endLine);
}

function refuseJudged(problems: readonly string[], heading: string): void {
  if (problems.length > 0) throw new GenerateError(`${heading}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

/** Now in UTC, or one second after the head when the clock says otherwise: ids stay ordered. */
function nextTimestamp(now: Date, head: string | undefined): string {
  const stamp = timestampOf(now);
  const headStamp = head?.slice(0, 15);
  if (headStamp === undefined || stamp > headStamp) return stamp;
  const [day, time] = headStamp.split('_');
  const headDate = new Date(`${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}T${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4, 6)}Z`);
  return timestampOf(new Date(headDate.getTime() + 1000));
}
