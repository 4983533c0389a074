// Arrays of any non-array type: `text().array()` is text[].
import { ColumnType, describeValue } from '../column-type';

export class ArrayType implements ColumnType {
  readonly sql: string;
  readonly problem?: string;
  readonly enumType?: ColumnType['enumType'];

  constructor(private readonly element: ColumnType) {
    this.sql = `${element.sql}[]`;
    this.enumType = element.enumType;
    this.problem = element instanceof ArrayType ? 'arrays of arrays are not supported: use one array() per column' : element.problem;
  }

  literal(value: unknown): string {
    if (!Array.isArray(value)) throw new Error('expected an array');
    if (value.length === 0) return `'{}'::${this.sql}`;
    const elements = value.map((element, index) => {
      if (element === null) return 'NULL';
      try {
        return this.element.literal(element);
      } catch (error) {
        throw new Error(`element ${index} (${describeValue(element)}): ${(error as Error).message}`);
      }
    });
    return `ARRAY[${elements.join(', ')}]::${this.sql}`;
  }
}
