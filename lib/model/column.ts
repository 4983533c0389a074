// The column builder: a type plus the per-column settings (nullability, default, comment,
// identity). Builders are chainable, like drizzle's: `bigint().notNull().default(0)`.
import { ColumnType, describeValue } from './column-type';
import { ArrayType } from './columns/array';
import { ColumnDefault, resolveDefault } from './column-default';
import { columnSqlType } from './column-type-check';
import { nulCharacterProblem } from '../sql/hidden-characters';
import { identifierError } from '../sql/identifier';
import { ColumnModel, IDENTITY_GENERATIONS, IdentityGeneration, SqlType } from '../schema/schema-model';

export type { ColumnDefault } from './column-default';
export type { ColumnModel, IdentityGeneration } from '../schema/schema-model';

/** A column of a Table, built with the functions in columns/ (integer(), text(), ...). */
export class Column {
  private isNotNull = false;
  private defaultValue?: ColumnDefault;
  private commentText?: string;
  private previousName?: string;
  protected identityGeneration?: IdentityGeneration;

  constructor(public readonly type: ColumnType) {}

  /** Rejects NULL. Columns are nullable unless this is called (as in SQL). */
  notNull(): this {
    this.isNotNull = true;
    return this;
  }

  /**
   * A literal default, checked against the column's type and quoted safely.
   * For an SQL expression such as `now()` use `defaultSql`.
   */
  default(value: unknown): this {
    this.defaultValue = { kind: 'literal', value };
    return this;
  }

  /** A default written as an SQL expression, e.g. `now()` or `gen_random_uuid()`. */
  defaultSql(expression: string): this {
    this.defaultValue = { kind: 'expression', sql: expression };
    return this;
  }

  /** A comment stored in the catalog (COMMENT ON COLUMN). */
  comment(text: string): this {
    this.commentText = text;
    return this;
  }

  /**
   * Declares that this column was called `previousName`: the next generated migration renames
   * it (keeping its data) instead of dropping one column and adding another.
   */
  renamedFrom(previousName: string): this {
    this.previousName = previousName;
    return this;
  }

  /** An array of this column's type, e.g. `text().array()` is `text[]`. */
  array(): Column {
    if (this.identityGeneration || this.type.isSerial) throw new Error('An identity or serial column cannot be an array');
    const column = new Column(new ArrayType(this.type));
    column.isNotNull = this.isNotNull;
    column.defaultValue = this.defaultValue;
    column.commentText = this.commentText;
    column.previousName = this.previousName;
    return column;
  }

  /**
   * Resolves the column under `name`, returning its model and every problem found (each a
   * sentence that says how to fix it). The Table prefixes the construct path.
   */
  resolve(name: string, schema: string): { model: ColumnModel; problems: string[] } {
    const type = columnSqlType(this.type, schema);
    const typeProblem = 'problem' in type ? type.problem : undefined;
    const resolved = this.defaultValue && !typeProblem ? resolveDefault(this.defaultValue, this.type, schema) : { problems: [] };
    const rendered = resolved.value;
    const problems = [...(typeProblem ? [typeProblem] : []), ...resolved.problems, ...this.settingProblems(name)];
    const serialType = !('problem' in type) && type.kind === 'builtin' && (type.name === 'serial' || type.name === 'bigserial');
    if (this.type?.isSerial && !serialType && !typeProblem) problems.push(`its type ${this.type.sql} says isSerial, which only serial and bigserial are: remove isSerial`);
    const model: ColumnModel = {
      name,
      // A refused type never reaches SQL: the problem stops the table's construction.
      type: 'problem' in type ? ({ kind: 'named', names: ['unknown'] } satisfies SqlType) : type,
      // Identity and serial columns are NOT NULL in PostgreSQL whether or not it is written.
      notNull: this.isNotNull || this.identityGeneration !== undefined || this.type?.isSerial === true,
      ...(rendered !== undefined ? { default: rendered } : {}),
      ...(this.identityGeneration ? { identity: this.identityGeneration } : {}),
      ...(this.commentText !== undefined ? { comment: this.commentText } : {}),
      ...(this.type?.isSerial ? { serial: true } : {}),
      ...(this.previousName !== undefined ? { renamedFrom: this.previousName } : {}),
    };
    return { model, problems };
  }

  /** Problems of the settings made with the chained methods (any value may come from JavaScript). */
  private settingProblems(name: string): string[] {
    const problems: string[] = [];
    if (this.defaultValue && (this.identityGeneration || this.type?.isSerial)) {
      problems.push('an identity or serial column gets its values from its sequence: remove the default');
    }
    if (this.identityGeneration !== undefined && !IDENTITY_GENERATIONS.includes(this.identityGeneration)) {
      problems.push(`identity ${describeValue(this.identityGeneration)} is not allowed: use generatedAlwaysAsIdentity() or generatedByDefaultAsIdentity()`);
    }
    if (this.previousName !== undefined) {
      if (typeof this.previousName !== 'string') problems.push(`renamedFrom: expected the previous name as a string, got ${describeValue(this.previousName)}`);
      else if (identifierError(this.previousName)) problems.push(`renamedFrom(${describeValue(this.previousName)}): that is not a valid column name`);
      else if (this.previousName === name) problems.push(`renamedFrom("${name}") names the column itself: remove renamedFrom`);
    }
    problems.push(...commentProblems(this.commentText));
    return problems;
  }
}

function commentProblems(comment: unknown): string[] {
  if (comment === undefined) return [];
  if (typeof comment !== 'string') return [`comment: expected a string, got ${describeValue(comment)}`];
  if (comment.trim() === '') return ['the comment is empty: write what the column holds, or remove .comment()'];
  const nul = nulCharacterProblem(comment);
  return nul ? [`comment: ${nul}`] : [];
}
