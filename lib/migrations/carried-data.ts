// The data sections of a migration that `rebase` generates again: hand-written, so no generator
// can write them again. They are taken from the old file and put into the new one at the same
// place: after the same schema step (or first, when they were first), else where generate puts
// data (after the expand steps), and each move is said.
import { DataSectionText, Migration, StepText } from './migration-file';
import { PlacedData, SchemaPart } from './render-migration';

/** A data section taken from a migration file, with the schema step it followed. */
export interface CarriedSection {
  readonly section: 'up' | 'down';
  readonly text: DataSectionText;
  /** The SQL of the schema step right before it in its section; undefined when none came before. */
  readonly after?: string;
  /** Its marker's line in the old file. */
  readonly markerLine: number;
}

/** What a removed migration leaves for the one generated in its place. */
export interface CarriedData {
  /** The removed migration's id. */
  readonly from: string;
  readonly sections: readonly CarriedSection[];
}

/** The data sections of `migration`, each with the schema step before it. */
export function carriedData(migration: Migration): CarriedData {
  const sections = (['up', 'down'] as const).flatMap((section) => {
    const steps = section === 'up' ? migration.upSteps : migration.downSteps;
    return migration.dataSections
      .filter((d) => d.section === section)
      .map((d): CarriedSection => {
        const before = lastSchemaStep(steps.slice(0, d.step));
        return { section, text: { data: d.declaration, body: d.sql }, markerLine: d.markerLine, ...(before ? { after: before.sql } : {}) };
      });
  });
  return { from: migration.id, sections };
}

function lastSchemaStep(steps: readonly StepText[]): StepText | undefined {
  return [...steps].reverse().find((step) => step.data === undefined);
}

/** A carried section where the new migration puts it, and whether it stays after the same step. */
export interface Placement extends PlacedData {
  readonly carried: CarriedSection;
  readonly samePlace: boolean;
}

/** The places of `carried`'s sections among the new migration's steps. */
export function placeCarried(carried: CarriedData, part: SchemaPart): { up: Placement[]; down: Placement[] } {
  const place = (section: 'up' | 'down') => {
    const steps = section === 'up' ? part.upSteps : part.downSteps;
    const fallback = section === 'up' ? part.dataAt : steps.length;
    return carried.sections
      .filter((c) => c.section === section)
      .map((c): Placement => {
        if (c.after === undefined) return { at: 0, section: c.text, carried: c, samePlace: true };
        const index = steps.findIndex((step) => step.statements.join('\n') === c.after);
        return index < 0 ? { at: fallback, section: c.text, carried: c, samePlace: false } : { at: index + 1, section: c.text, carried: c, samePlace: true };
      });
  };
  return { up: place('up'), down: place('down') };
}

/** One line per carried section, naming where it was and where it is now. */
export function carriedLines(carried: CarriedData, placed: { up: readonly Placement[]; down: readonly Placement[] }, written: Migration): string[] {
  const used = new Set<number>();
  const lines = written.text.split('\n');
  return [...placed.up, ...placed.down].map((placement) => {
    const index = written.dataSections.findIndex((d, i) => !used.has(i) && d.section === placement.carried.section && d.sql === placement.section.body && JSON.stringify(d.declaration) === JSON.stringify(placement.section.data));
    used.add(index);
    const now = written.dataSections[index];
    const marker = `"${now ? lines[now.markerLine - 1] : ''}"`;
    const where = placement.samePlace
      ? placement.carried.after === undefined
        ? 'first in its section, as before'
        : 'after the same step as before'
      : placement.carried.section === 'up'
        ? 'after the expand steps, where generate puts data: the step it followed is not in the regenerated migration, check its place'
        : 'at the end of the down: the step it followed is not in the regenerated migration, check its place';
    return `carried over the ${placement.carried.section} data section ${marker} (line ${placement.carried.markerLine} of ${carried.from}.sql) to line ${now?.markerLine ?? '?'} of ${written.id}.sql, ${where}`;
  });
}
