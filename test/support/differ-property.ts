// The differ's property, one seeded case at a time: starting from an empty schema, random model
// edits; each is built with the real constructs and goes through `generate` (as a developer
// runs it, with --accept-data-loss) into a migrations folder; each written migration's up runs
// in one transaction, as the runner runs it, on a database whose tables hold rows. Then the
// catalog must equal a fresh create of the new model, rows survive, the data-loss verdict
// matches the edit, and generating again writes nothing. At the end every down is applied,
// newest first, and must restore the catalog recorded before its up.
// Used by the jest test (a fixed seed set) and scripts/differ-property.ts (long runs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ClientBase } from 'pg';
import { generateMigration, MigrationDirectory, ModelError, UnsupportedChange } from '../../lib';
import { asSteps, SqlStep } from './apply-steps';
import { ServiceSchema } from '../../lib/migrations/service-schema';
import { catalogDifferences } from './catalog-differences';
import { emptyModel, ModelDesc, schemaOfModel, SERVICE, settled } from './model-description';
import { dataLoss, lineage, requiredNewColumns } from './edit-data-loss';
import { describeEdit } from './edit-words';
import { applyEdit, Edit } from './model-edits';
import { applyKeepingWhatFits, fingerprints, firstLine, freshCatalog, lostRows, resetSchema } from './property-database';
import { EditGenerator } from './random-model-edits';
import { insertRows } from './random-rows';
import { catalogOf } from './schema-state';
import { Random } from './seeded-random';

/** Checks that read without changing anything, so a run may leave them out to look past them. */
export type OptionalCheck = 'generate again' | 'data loss verdict' | 'lint clean';

export interface PropertySetup {
  /** The database migrated step by step (its schema is dropped and made again per case). */
  readonly migrated: ClientBase;
  /** Where each new model is created from nothing, to compare with. */
  readonly fresh: ClientBase;
  /** The PostgreSQL version the models target (the server's major version). */
  readonly postgresVersion: number;
  readonly skip?: readonly OptionalCheck[];
}

export type Phase = OptionalCheck | 'model threw' | 'generate threw' | 'differ refused' | 'up' | 'fresh create' | 'catalog after up' | 'rows lost' | 'down' | 'catalog after down' | 'harness threw';

export interface Failure {
  readonly seed: number;
  /** 1-based position of the edit in the case's sequence. */
  readonly step: number;
  readonly phase: Phase;
  readonly edit: Edit;
  readonly message: string;
  readonly statement?: string;
  readonly sqlstate?: string;
  readonly details: readonly string[];
}

export interface CaseResult {
  readonly seed: number;
  /** Every edit generated, in order: replaying them reproduces the case. */
  readonly edits: readonly Edit[];
  /** Edits migrated (ups applied and checked). */
  readonly applied: number;
  /** Migrations rolled back (an edit may have written two). */
  readonly rolledBack: number;
  readonly refusedByModel: readonly string[];
  readonly refusedByDiffer: readonly string[];
  /** Migrations that met rows they cannot keep (a new check, a narrower type): rows deleted and retried. */
  readonly dataConflicts: readonly string[];
  readonly failure?: Failure;
}

/** What groups failures: the phase and the SQLSTATE. */
export const signatureOf = (f: Failure): string => `${f.phase}${f.sqlstate ? ` ${f.sqlstate}` : ''}`;

/** Runs `steps` random edits from `seed`. */
export function runCase(setup: PropertySetup, seed: number, steps: number): Promise<CaseResult> {
  const generator = new EditGenerator(new Random(seed));
  return runSequence(setup, seed, (index, model) => (index < steps ? generator.next(model) : undefined));
}

/** Runs exactly these edits (a recorded or shrunk sequence); parts that no longer apply are skipped. */
export function replayCase(setup: PropertySetup, seed: number, edits: readonly Edit[]): Promise<CaseResult> {
  return runSequence(setup, seed, (index) => edits[index]);
}

type Tally = { -readonly [K in keyof CaseResult]: CaseResult[K] extends readonly (infer T)[] ? T[] : CaseResult[K] };

/** A failure ends the case: thrown by a step, caught by runSequence. */
class CaseFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

async function runSequence(setup: PropertySetup, seed: number, nextEdit: (index: number, model: ModelDesc) => Edit | undefined): Promise<CaseResult> {
  const folder = mkdtempSync(path.join(tmpdir(), 'bedrock-differ-property-'));
  const tally: Tally = { seed, edits: [], applied: 0, rolledBack: 0, refusedByModel: [], refusedByDiffer: [], dataConflicts: [] };
  try {
    await new Case(setup, tally, new MigrationDirectory(path.join(folder, 'migrations'), SERVICE, SERVICE)).run(nextEdit);
    return tally;
  } catch (error) {
    if (error instanceof CaseFailure) return { ...tally, failure: error.failure };
    const step = tally.edits.length;
    const edit = tally.edits[step - 1] ?? { kind: '(none)', parts: [] };
    return { ...tally, failure: { seed, step, phase: 'harness threw', edit, message: String((error as Error).stack ?? error), details: [] } };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** What `generate` wrote for one edit: usually one migration, two when new enum values go first. */
interface Written {
  /** The steps as the written file holds them (what the runner would run). */
  readonly up: readonly SqlStep[];
  readonly down: readonly SqlStep[];
  readonly destructive: readonly string[];
}

/** A migration applied, kept to roll it back. */
interface Applied {
  readonly step: number;
  readonly edit: Edit;
  readonly down: readonly SqlStep[];
  readonly catalogBefore: unknown;
}

const sameCatalog = (a: unknown, b: unknown): boolean => isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));

class Case {
  private model = emptyModel();
  private catalog: unknown;
  private readonly applied: Applied[] = [];
  // A fixed clock: generate moves each id one second past its parent, so ids stay ordered.
  private readonly now = new Date(Date.UTC(2026, 0, 1));

  constructor(
    private readonly setup: PropertySetup,
    private readonly tally: Tally,
    private readonly directory: MigrationDirectory,
  ) {}

  async run(nextEdit: (index: number, model: ModelDesc) => Edit | undefined): Promise<void> {
    await this.setup.migrated.query('ROLLBACK'); // a harmless warning unless a case before left a transaction open
    await resetSchema(this.setup.migrated, SERVICE);
    this.catalog = await catalogOf(this.setup.migrated, SERVICE);
    for (let index = 0; ; index++) {
      const edit = nextEdit(index, this.model);
      if (!edit) break;
      this.tally.edits.push(edit);
      await this.step(index + 1, edit);
    }
    await this.rollBack();
  }

  private fail(step: number, edit: Edit, phase: Phase, message: string, extra: Partial<Failure> = {}): never {
    throw new CaseFailure({ seed: this.tally.seed, step, phase, edit, message, details: [], ...extra });
  }

  private checks(check: OptionalCheck): boolean {
    return !this.setup.skip?.includes(check);
  }

  private async step(step: number, edit: Edit): Promise<void> {
    const { migrated, postgresVersion } = this.setup;
    const before = this.model;
    const { model: hinted, applied: parts } = applyEdit(before, edit);
    if (parts.length === 0) return;
    const after = this.build(step, edit, hinted);
    if (!after) return;
    const written = this.generate(step, edit, before, hinted, after);
    if (!written) return;

    const lines = lineage(before, hinted);
    const rowsBefore = await fingerprints(migrated, SERVICE, lines, 'from');
    const context = written.map((w, i) => `up${written.length > 1 ? ` (migration ${i + 1} of ${written.length})` : ''}: ${stepsText(w.up)}`);
    let rowsDeleted = false;
    for (const migration of written) {
      const up = await applyKeepingWhatFits(migrated, SERVICE, migration.up, `step ${step} up`, this.tally.dataConflicts);
      if ('error' in up) this.fail(step, edit, 'up', up.error.message, { statement: up.error.statement, sqlstate: up.error.code, details: context });
      rowsDeleted ||= up.rowsDeleted;
      this.applied.push({ step, edit, down: migration.down, catalogBefore: this.catalog });
      this.catalog = await catalogOf(migrated, SERVICE);
    }

    const next = settled(hinted);
    const fresh = await freshCatalog(this.setup.fresh, schemaOfModel(next, postgresVersion));
    if ('error' in fresh) this.fail(step, edit, 'fresh create', fresh.error.message, { statement: fresh.error.statement, sqlstate: fresh.error.code });
    if (!sameCatalog(fresh.catalog, this.catalog)) {
      this.fail(step, edit, 'catalog after up', 'the migrated catalog differs from a fresh create of the new model', { details: [...catalogDifferences(fresh.catalog, this.catalog), ...context] });
    }
    if (!rowsDeleted) {
      const lost = lostRows(rowsBefore, await fingerprints(migrated, SERVICE, lines, 'to'));
      if (lost.length > 0) this.fail(step, edit, 'rows lost', 'rows or values of kept columns changed', { details: [...lost, ...context] });
    }
    const expected = dataLoss(before, hinted);
    const destructive = written.flatMap((w) => w.destructive);
    if (this.checks('data loss verdict') && expected.length > 0 !== destructive.length > 0) {
      const verdict = `the edit ${expected.length > 0 ? `loses data (${expected.join('; ')})` : 'keeps all data'}, generate says ${destructive.length > 0 ? `destructive: ${destructive.join('; ')}` : 'not destructive'}`;
      this.fail(step, edit, 'data loss verdict', verdict, { details: context });
    }

    this.tally.applied += 1;
    this.model = next;
    await insertRows(migrated, SERVICE, next, new Random(this.tally.seed, 1000 + step), 2);
  }

  /** The model the constructs build, or undefined when they refuse it (counted). */
  private build(step: number, edit: Edit, hinted: ModelDesc): ServiceSchema | undefined {
    try {
      return schemaOfModel(hinted, this.setup.postgresVersion);
    } catch (error) {
      if (!(error instanceof ModelError)) this.fail(step, edit, 'model threw', String(error));
      this.tally.refusedByModel.push(`step ${step} (${edit.kind}): ${firstLine(error.message)}`);
      return undefined;
    }
  }

  /** The migrations generate writes, or undefined when the differ refuses the edit (counted when it should). */
  private generate(step: number, edit: Edit, before: ModelDesc, hinted: ModelDesc, after: ServiceSchema): Written[] | undefined {
    const generate = (description: string) => generateMigration({ directory: this.directory, model: after, description, acceptDataLoss: true, now: this.now });
    let written: Written[];
    let unsafe: readonly string[] = [];
    try {
      const result = generate(`step_${step}`);
      // What generate writes on tables with rows is the online form: the only lint error it may
      // carry is BEDROCK-L4, the offline rewrite it marks itself (a person acknowledges it).
      unsafe = result.written ? result.toAcknowledge.filter((finding) => !finding.includes('[BEDROCK-L4]')) : [];
      written = result.written ? result.migrations.map(({ migration, change }) => ({ up: asSteps(migration.upSteps), down: asSteps(migration.downSteps), destructive: change.destructive })) : [];
    } catch (error) {
      if (!(error instanceof UnsupportedChange)) this.fail(step, edit, 'generate threw', String((error as Error).stack ?? error));
      // The one refusal a valid edit earns: a new NOT NULL column without a default on an existing table.
      if (requiredNewColumns(before, hinted).length === 0) this.fail(step, edit, 'differ refused', error.message);
      this.tally.refusedByDiffer.push(`step ${step} (${edit.kind}): ${firstLine(error.message)}`);
      return undefined;
    }
    if (unsafe.length > 0 && this.checks('lint clean')) this.fail(step, edit, 'lint clean', 'a generated migration breaks a lint rule', { details: [...unsafe] });
    if (this.checks('generate again')) {
      // The code unchanged (rename hints and all), generate has nothing more to write.
      try {
        const again = generate(`step_${step}_again`);
        if (again.written) this.fail(step, edit, 'generate again', 'generate wrote another migration for the same model', { details: again.migrations.map((m) => `up: ${m.change.up.join(' ')}`) });
      } catch (error) {
        if (error instanceof CaseFailure) throw error;
        this.fail(step, edit, 'generate again', `generating again for the same model threw: ${firstLine(String(error))}`);
      }
    }
    return written;
  }

  /** Migration by migration, newest first: each down must restore the catalog seen before its up. */
  private async rollBack(): Promise<void> {
    const { migrated } = this.setup;
    for (const { step, edit, down, catalogBefore } of [...this.applied].reverse()) {
      const outcome = await applyKeepingWhatFits(migrated, SERVICE, down, `step ${step} down`, this.tally.dataConflicts);
      if ('error' in outcome) this.fail(step, edit, 'down', outcome.error.message, { statement: outcome.error.statement, sqlstate: outcome.error.code, details: [`down: ${stepsText(down)}`] });
      const now = await catalogOf(migrated, SERVICE);
      if (!sameCatalog(catalogBefore, now)) {
        this.fail(step, edit, 'catalog after down', 'the down does not restore the catalog before the step', { details: [...catalogDifferences(catalogBefore, now), `down: ${stepsText(down)}`] });
      }
      this.tally.rolledBack += 1;
    }
  }
}

const stepsText = (steps: readonly SqlStep[]): string => steps.map((s) => `[${s.mode}] ${s.statements.join(' ')}`).join(' ');

/** A failure as a reader needs it: where, what edit, what PostgreSQL said. */
export function describeFailure(f: Failure): string[] {
  return [
    `seed ${f.seed}, step ${f.step}: ${f.phase}${f.sqlstate ? ` (SQLSTATE ${f.sqlstate})` : ''}: ${firstLine(f.message)}`,
    `  edit: ${describeEdit(f.edit)}`,
    ...(f.statement ? [`  statement: ${f.statement.replace(/\s+/g, ' ')}`] : []),
    ...f.details.map((d) => d.replace(/\s+/g, ' ')).map((d) => `  ${d.length > 400 ? `${d.slice(0, 400)}...` : d}`),
  ];
}
