// The runtime shape of TableProps: what TypeScript promises, checked again when the Table is
// built, because synth does not type-check and plain JavaScript callers exist. A value outside
// its union (an index column's `order: 'desc); DROP TABLE x; --'`) would reach SQL unchecked.
import { anything, arrayOf, boolean, object, oneOf, optional, record, Shape, shapeProblems, string, stringOr } from './shape';
import { decisionRecordProblem } from './decision-record';
import { identifierError } from '../sql/identifier';
import { INDEX_METHODS, NULLS_ORDERS, REFERENTIAL_ACTIONS, SORT_ORDERS } from './table-model';

const names = arrayOf(string);

const indexColumn = stringOr(
  object({ column: string, order: optional(oneOf(SORT_ORDERS)), nulls: optional(oneOf(NULLS_ORDERS)), opclass: optional(string) }),
  "a column name or { column: 'name', order, nulls, opclass }",
);

const TABLE_PROPS: Shape = object({
  name: optional(string),
  columns: record,
  primaryKey: optional(names),
  primaryKeyName: optional(string),
  uniques: optional(arrayOf(object({ name: optional(string), columns: names, nullsNotDistinct: optional(boolean) }))),
  checks: optional(arrayOf(object({ name: string, expression: string }))),
  indexes: optional(
    arrayOf(
      object({
        name: optional(string),
        columns: arrayOf(indexColumn),
        unique: optional(boolean),
        method: optional(oneOf(INDEX_METHODS)),
        where: optional(string),
        include: optional(names),
      }),
    ),
  ),
  foreignKeys: optional(
    arrayOf(
      object({
        name: optional(string),
        columns: names,
        // The table is checked by the resolver (it must come from table.ref()).
        references: object({ table: anything, columns: names }),
        onDelete: optional(oneOf(REFERENTIAL_ACTIONS)),
        onUpdate: optional(oneOf(REFERENTIAL_ACTIONS)),
      }),
    ),
  ),
  comment: optional(string),
  renamedFrom: optional(string),
  appReferences: optional(arrayOf(object({ columns: names, table: string, targetColumns: names }))),
  sharedWriters: optional(arrayOf(object({ service: string, reason: string, decision: string }))),
  transferredFrom: optional(object({ service: string, reason: string, decision: string })),
  acknowledgements: optional(arrayOf(object({ rule: string, reason: string }))),
});

/**
 * Every prop of a Table whose JavaScript type is not the one its TypeScript type promises,
 * each naming the prop (e.g. `indexes[0].columns[1].order`) and what it must be.
 */
export function tablePropsProblems(props: unknown): string[] {
  const shape = shapeProblems('', props, TABLE_PROPS);
  if (shape.length > 0) return shape;
  // The shapes hold: each shared writer's decision is a string; is it a decision record's path?
  const { sharedWriters = [], transferredFrom } = props as { sharedWriters?: readonly { decision: string }[]; transferredFrom?: { service: string; reason: string; decision: string } };
  const problems = sharedWriters.flatMap(({ decision }, i) => {
    const problem = decisionRecordProblem(decision);
    return problem ? [`sharedWriters[${i}].decision: ${problem}`] : [];
  });
  if (transferredFrom) problems.push(...transferProblems(transferredFrom));
  return problems;
}

const SERVICE_NAME = /^[a-z][a-z0-9_]*$/;

/** What is wrong with a `transferredFrom`, its service's name and reason checked here; whether that service exists, at synth (BEDROCK-O9). */
function transferProblems(from: { service: string; reason: string; decision: string }): string[] {
  const problems: string[] = [];
  // A service's name as the registry takes it: it becomes a schema and role names in SQL.
  if (!SERVICE_NAME.test(from.service) || identifierError(from.service)) problems.push(`transferredFrom.service ${JSON.stringify(from.service.slice(0, 64))} is not a service's name (lower-case letters, digits and underscores): name the service that owned the table`);
  if (from.reason.trim() === '') problems.push('transferredFrom.reason is empty: say why the table changes owner (the decision record says more)');
  const decision = decisionRecordProblem(from.decision);
  if (decision) problems.push(`transferredFrom.decision: ${decision}`);
  return problems;
}
