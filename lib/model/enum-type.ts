// An enum type owned by a service: `new EnumType(stack, 'order_side', { values: ['buy', 'sell'] })`.
import { Construct } from 'constructs';
import { Column } from './column';
import { ColumnType, describeValue, EnumTypeReference } from './column-type';
import { EnumModel } from './table-model';
import { findSchemaScope } from './schema-scope';
import { identifierProblem, qualifiedName } from '../sql/identifier';
import { quoteLiteral } from '../sql/literal';
import { ModelError } from './model-error';
import { nulCharacterProblem } from '../sql/hidden-characters';
import { arrayOf, object, optional, shapeProblems, string } from './shape';

// Checked at runtime too: synth does not type-check, and plain JavaScript callers exist.
const ENUM_PROPS = object({ values: arrayOf(string), name: optional(string), comment: optional(string) });

export interface EnumTypeProps {
  /** The labels, in sort order. */
  readonly values: readonly string[];
  /**
   * The type's name in PostgreSQL.
   * @default the construct id
   */
  readonly name?: string;
  /** A comment stored in the catalog. */
  readonly comment?: string;
}

/** A PostgreSQL enum type in the owning service's schema. */
export class EnumType extends Construct {
  /** The enum's name in PostgreSQL. */
  readonly name: string;
  /** The schema it lives in (the owning service's). */
  readonly schema: string;
  /** The owning service. */
  readonly service: string;
  readonly values: readonly string[];
  readonly comment?: string;

  constructor(scope: Construct, id: string, props: EnumTypeProps) {
    super(scope, id);
    const owner = findSchemaScope(this);
    if (!owner) throw new ModelError(this, ['an EnumType must be defined inside a ServiceStack (the service that owns it)']);
    ModelError.throwIfAny(this, shapeProblems('', props, ENUM_PROPS));
    this.name = props.name ?? id;
    this.values = [...props.values];
    this.comment = props.comment;
    this.schema = owner.schemaName;
    this.service = owner.service;
    ModelError.throwIfAny(this, this.problems());
  }

  /** A column of this enum type. */
  column(): Column {
    return new Column(new EnumColumnType(this));
  }

  /** The serializable description of the type. */
  toModel(): EnumModel {
    return { schema: this.schema, name: this.name, values: this.values, ...(this.comment ? { comment: this.comment } : {}) };
  }

  private problems(): string[] {
    const problems: string[] = [];
    const nameProblem = identifierProblem(this.name);
    if (nameProblem) problems.push(`enum name: ${nameProblem}`);
    if (this.values.length === 0) problems.push('an enum needs at least one value');
    const seen = new Set<string>();
    for (const value of this.values) {
      const nul = nulCharacterProblem(value);
      if (value.length === 0) problems.push('enum values must be non-empty strings');
      else if (nul) problems.push(`enum value ${describeValue(value)}: ${nul}`);
      else if (Buffer.byteLength(value) > 63) problems.push(`enum value "${value}" is longer than 63 bytes`);
      else if (seen.has(value)) problems.push(`enum value "${value}" is listed twice`);
      seen.add(value);
    }
    const commentNul = this.comment === undefined ? undefined : nulCharacterProblem(this.comment);
    if (commentNul) problems.push(`comment: ${commentNul}`);
    return problems;
  }
}

class EnumColumnType implements ColumnType {
  readonly sql: string;
  readonly enumType: EnumTypeReference;

  constructor(private readonly type: EnumType) {
    this.sql = qualifiedName(type.schema, type.name);
    this.enumType = { schema: type.schema, name: type.name, service: type.service, stack: findSchemaScope(type)!.node.path };
  }

  literal(value: unknown): string {
    if (typeof value !== 'string' || !this.type.values.includes(value)) {
      throw new Error(`expected one of ${this.type.values.map((v) => JSON.stringify(v)).join(', ')}`);
    }
    return `${quoteLiteral(value)}::${this.sql}`;
  }
}
