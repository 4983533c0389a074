// The text of a generated migration for the transition between two snapshots: what `generate`
// writes and what `check` renders again to compare (schema-part-check.ts). One function for
// both, so a file `generate` wrote is by construction what `check` expects.
import { RenderedStep, renderSteps } from '../sql/render-steps';
import { ServiceSchema, TableModel } from '../schema/schema-model';
import { aroundData } from './data-phases';
import { DATA, DataSectionText, formatMigration, RENDERER, SectionItem } from './migration-file';
import { diffSchemas } from './schema-diff';
import { SchemaChange, schemaChange } from './schema-change';

/** A migration's schema part: the differ's changes and their steps, and where data sections go. */
export interface SchemaPart {
  readonly change: SchemaChange;
  /** The up's steps; with data, those before the data sections' place, then those after it. */
  readonly upSteps: readonly RenderedStep[];
  readonly downSteps: readonly RenderedStep[];
  /** The index among `upSteps` before which the data sections go (after the expand steps). */
  readonly dataAt: number;
}

/**
 * The schema part of the transition `before` -> `after`. With data (`dataMode`), the up is split
 * around the data sections (data-phases.ts) and a new NOT NULL column without a default is added
 * nullable and made NOT NULL after them; throws UnsupportedChange as the differ does.
 */
export function schemaPart(before: ServiceSchema, after: ServiceSchema, dataMode: boolean): SchemaPart {
  const diff = diffSchemas(before, after, { filledByData: dataMode });
  const change = schemaChange(diff);
  if (!dataMode) return { change, upSteps: change.upSteps, downSteps: change.downSteps, dataAt: change.upSteps.length };
  const around = aroundData(diff.up);
  const expand = renderSteps(around.before);
  return { change, upSteps: [...expand, ...renderSteps(around.after)], downSteps: change.downSteps, dataAt: expand.length };
}

/** A data section and its place: before the schema step of that index in its section (its count of steps when last). */
export interface PlacedData {
  readonly at: number;
  readonly section: DataSectionText;
}

export interface MigrationToWrite {
  readonly id: string;
  readonly service: string;
  readonly parent?: string;
  readonly part: SchemaPart;
  /** A migration with data sections (even when `data` holds none: check compares without them). */
  readonly dataMode: boolean;
  readonly data?: { readonly up: readonly PlacedData[]; readonly down: readonly PlacedData[] };
}

/** The summary line of a migration that changes no table (`generate --data` on an unchanged model). */
export const DATA_ONLY_SUMMARY = 'no schema change: data only';

/** The file's text. Deterministic: same snapshots and data sections, same bytes. */
export function migrationText(migration: MigrationToWrite): string {
  const { part } = migration;
  const { change } = part;
  return formatMigration({
    id: migration.id,
    service: migration.service,
    parent: migration.parent,
    renderer: RENDERER,
    dataMode: migration.dataMode,
    summary: change.summary.length > 0 ? change.summary : [DATA_ONLY_SUMMARY],
    destructive: change.destructive,
    offline: change.offline,
    offlineDown: change.offlineDown,
    up: interleave(part.upSteps, migration.data?.up ?? []),
    down: interleave(part.downSteps, migration.data?.down ?? []),
  });
}

/** The steps with each data section before the step of its index (in their given order). */
function interleave(steps: readonly RenderedStep[], data: readonly PlacedData[]): SectionItem[] {
  const items: SectionItem[] = [];
  for (let index = 0; index <= steps.length; index++) {
    for (const placed of data) if (Math.min(placed.at, steps.length) === index) items.push(placed.section);
    if (index < steps.length) items.push(steps[index]);
  }
  return items;
}

/**
 * The data section `generate --data` writes for a person to fill: comments only (`check`
 * refuses it until it holds a statement). A column the migration adds NOT NULL is named with
 * a batched UPDATE to start from, keyed by its table's primary key.
 */
export function dataTemplate(service: string, schema: string, after: ServiceSchema, part: SchemaPart): DataSectionText {
  const filled = part.change.changes.flatMap((c) => (c.kind === 'SetNotNull' && part.change.changes.some((a) => a.kind === 'AddColumn' && a.column.name === c.column && a.table.name === c.table.name) ? [c] : []));
  const lines = [
    `-- Hand-written DML (INSERT, UPDATE, DELETE, SELECT on ${service}'s tables), in one transaction. For one`,
    '-- UPDATE or DELETE on a big table, run it in batches of rows in the order of a unique NOT NULL key',
    `-- instead: replace the line "${DATA}" with "${DATA} batched ${schema}.<table> key <column> size 10000".`,
  ];
  for (const change of filled) {
    const table = after.tables.find((t) => t.name === change.table.name);
    const key = table ? batchKeyOf(table) : undefined;
    lines.push(
      `-- ${change.table.schema}.${change.table.name}.${change.column} is added nullable and made NOT NULL after this section: fill it, e.g.`,
      `--   ${DATA} batched ${change.table.schema}.${change.table.name} key ${key ?? '<a unique NOT NULL column>'} size 10000`,
      `--   UPDATE ${change.table.schema}.${change.table.name} SET ${change.column} = <expression> WHERE ${change.column} IS NULL;`,
    );
  }
  lines.push(`-- Then \`npm run bedrock -- rehash ${service}\` and \`npm run bedrock -- check\` (it refuses this section while it holds no statement).`);
  return { data: { kind: 'transaction' }, body: lines.join('\n') };
}

/** A table's single-column primary key, the natural batch key. */
function batchKeyOf(table: TableModel): string | undefined {
  return table.primaryKey?.columns.length === 1 ? table.primaryKey.columns[0] : undefined;
}
