// The differences between what a schema should hold and what it holds, one sentence each,
// for `drift` and `baseline`. Column order is not compared: PostgreSQL only appends columns.
import { LiveColumn, LiveTable } from './read-schema';
import { LiveSchema, LiveSequence } from './live-schema';

type Named = { readonly name: string };

function byName<T extends Named>(list: readonly T[]): Map<string, T> {
  return new Map(list.map((item) => [item.name, item]));
}

const show = (value: unknown): string => (value === undefined ? 'none' : typeof value === 'string' ? value : JSON.stringify(value));

function compareNamed<T extends Named>(what: string, expected: readonly T[], actual: readonly T[], out: string[], detail?: (a: T, b: T) => string[]): void {
  const live = byName(actual);
  const wanted = byName(expected);
  for (const [name, item] of wanted) {
    const found = live.get(name);
    if (!found) out.push(`${what} ${name} is missing from the database`);
    else if (detail) out.push(...detail(item, found));
    else if (JSON.stringify(item) !== JSON.stringify(found)) out.push(`${what} ${name} differs: model ${show(item)}, database ${show(found)}`);
  }
  for (const name of live.keys()) if (!wanted.has(name)) out.push(`${what} ${name} is in the database but not in the model`);
}

function columnDifferences(table: string) {
  return (model: LiveColumn, live: LiveColumn): string[] => {
    const fields: (keyof LiveColumn)[] = ['type', 'notNull', 'default', 'identity', 'serial', 'comment'];
    return fields
      .filter((field) => JSON.stringify(model[field]) !== JSON.stringify(live[field]))
      .map((field) => `column ${table}.${model.name}: ${field} is ${show(model[field])} in the model, ${show(live[field])} in the database`);
  };
}

function tableDifferences(schema: string) {
  return (model: LiveTable, live: LiveTable): string[] => {
    const out: string[] = [];
    const name = `${schema}.${model.name}`;
    compareNamed(`column of ${name}:`, model.columns, live.columns, out, columnDifferences(name));
    if (JSON.stringify(model.primaryKey) !== JSON.stringify(live.primaryKey)) out.push(`table ${name}: primary key is ${show(model.primaryKey)} in the model, ${show(live.primaryKey)} in the database`);
    compareNamed(`unique constraint of ${name}:`, model.uniques, live.uniques, out);
    compareNamed(`check constraint of ${name}:`, model.checks, live.checks, out);
    compareNamed(`index of ${name}:`, model.indexes, live.indexes, out);
    compareNamed(`foreign key of ${name}:`, model.foreignKeys, live.foreignKeys, out);
    if (model.comment !== live.comment) out.push(`table ${name}: comment is ${show(model.comment)} in the model, ${show(live.comment)} in the database`);
    return out;
  };
}

function sequenceDifferences(model: LiveSequence, live: LiveSequence): string[] {
  return model.definition === live.definition ? [] : [`sequence ${model.name}: makes ${model.definition} in the model, ${live.definition} in the database`];
}

/** Every difference, or none when the database holds exactly the model. */
export function schemaDifferences(schema: string, expected: LiveSchema, actual: LiveSchema): string[] {
  const out: string[] = [];
  compareNamed('enum', expected.enums, actual.enums, out);
  compareNamed('table', expected.tables, actual.tables, out, tableDifferences(schema));
  if (expected.sequenceDefinitions && actual.sequenceDefinitions) compareNamed('sequence', expected.sequenceDefinitions, actual.sequenceDefinitions, out, sequenceDifferences);
  else compareNamed('sequence', expected.sequences.map((name) => ({ name })), actual.sequences.map((name) => ({ name })), out);
  return out.map((line) => line.replace(/^(enum|table|sequence) (\S+)/, (_m, kind, name) => `${kind} ${name.includes('.') ? name : `${schema}.${name}`}`));
}
