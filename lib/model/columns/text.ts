// text, varchar(n) and char(n).
import { Column } from '../column';
import { ColumnType } from '../column-type';
import { quoteLiteral } from '../../sql/literal';
import { nulCharacterProblem } from '../../sql/hidden-characters';

const MAX_LENGTH = 10485760;

class TextType implements ColumnType {
  readonly sql: string;
  readonly problem?: string;
  constructor(
    kind: 'text' | 'character varying' | 'character',
    private readonly length?: number,
  ) {
    this.sql = length === undefined ? kind : `${kind}(${length})`;
    if (length !== undefined && (!Number.isInteger(length) || length < 1 || length > MAX_LENGTH)) {
      this.problem = `${this.sql}: the length must be a whole number from 1 to ${MAX_LENGTH}`;
    }
  }

  literal(value: unknown): string {
    if (typeof value !== 'string') throw new Error('expected a string');
    const nul = nulCharacterProblem(value);
    if (nul) throw new Error(nul);
    // PostgreSQL counts characters, not bytes.
    const characters = [...value].length;
    if (this.length !== undefined && characters > this.length) {
      throw new Error(`it has ${characters} characters and ${this.sql} holds ${this.length}`);
    }
    return `${quoteLiteral(value)}::${this.sql}`;
  }
}

/** text: a string of any length (the usual choice). */
export function text(): Column {
  return new Column(new TextType('text'));
}

/** varchar(length): a string of at most `length` characters. */
export function varchar(length: number): Column {
  return new Column(new TextType('character varying', length));
}

/** char(length): a blank-padded string of exactly `length` characters. */
export function char(length: number): Column {
  return new Column(new TextType('character', length));
}
