// The Table construct: one PostgreSQL table, owned by the service whose stack defines it.
// Column references in keys and indexes are typed: naming a column that does not exist
// does not compile.
import { Construct } from 'constructs';
import { Column } from './column';
import { ModelError } from './model-error';
import { NamingFinding, resolveTable } from './resolve-table';
import { Acknowledgement, acknowledge } from '../rules/acknowledgements';
import { findSchemaScope } from './schema-scope';
import { tablePropsProblems } from './table-props-shape';
import { IndexMethod, NullsOrder, ReferentialAction, SortOrder, TableModel } from './table-model';

/** The columns of a table, keyed by column name. */
export type Columns = Record<string, Column>;

/** The name of one of the columns `C`. */
export type ColumnName<C extends Columns> = Extract<keyof C, string>;

/** One column of an index, with its sort order and operator class when not the default. */
export interface IndexColumn<N extends string> {
  readonly column: N;
  /** @default 'asc' */
  readonly order?: SortOrder;
  /** @default 'last' for asc, 'first' for desc */
  readonly nulls?: NullsOrder;
  /** An operator class, e.g. `jsonb_path_ops` for a GIN index on jsonb. */
  readonly opclass?: string;
}

export interface IndexProps<N extends string> {
  /** @default `<table>_<columns>_idx` */
  readonly name?: string;
  readonly columns: readonly (N | IndexColumn<N>)[];
  /** @default false */
  readonly unique?: boolean;
  /** @default 'btree' */
  readonly method?: IndexMethod;
  /** A partial index's predicate, as an SQL expression, e.g. `status = 'open'`. */
  readonly where?: string;
  /** Extra columns stored in the index (INCLUDE), btree and gist only. */
  readonly include?: readonly N[];
}

export interface UniqueProps<N extends string> {
  /** @default `<table>_<columns>_key` */
  readonly name?: string;
  readonly columns: readonly N[];
  /**
   * Treat NULLs as equal (UNIQUE NULLS NOT DISTINCT). Needs PostgreSQL 15.
   * @default false
   */
  readonly nullsNotDistinct?: boolean;
}

export interface CheckProps {
  /** The constraint's name, e.g. `klines_high_gte_low`. */
  readonly name: string;
  /** An SQL boolean expression over the table's columns, e.g. `high >= low`. */
  readonly expression: string;
}

/** The target of a foreign key: made by `table.ref('column', ...)`, so it is typed too. */
export interface TableReference {
  readonly table: { readonly schema: string; readonly name: string; toModel(): TableModel };
  readonly columns: readonly string[];
}

export interface ForeignKeyProps<N extends string> {
  /** @default `<table>_<columns>_fkey` */
  readonly name?: string;
  readonly columns: readonly N[];
  /** The referenced table and columns: `positions.ref('id')`. */
  readonly references: TableReference;
  /** @default 'no action' */
  readonly onDelete?: ReferentialAction;
  /** @default 'no action' */
  readonly onUpdate?: ReferentialAction;
}

/**
 * A reference to another service's table that is not a foreign key (foreign keys never
 * cross services): documented in a column comment and the ownership registry.
 */
export interface AppReferenceProps<N extends string> {
  /** This table's columns that hold the reference. */
  readonly columns: readonly N[];
  /** The referenced table, `<service>.<table>`, e.g. `mlops.ml_models`. */
  readonly table: string;
  /** The referenced columns, e.g. ['id']. */
  readonly targetColumns: readonly string[];
}

/**
 * A shared-write exception: another service may write this table, for a stated reason and by a
 * recorded decision. Adding or removing one changes only grants (a role
 * `<writer>_writes_<table>` holding INSERT, UPDATE, DELETE), never the schema: no migration.
 */
export interface SharedWriterProps {
  /** The writing service. */
  readonly service: string;
  /** Why it must write here (the seed's "Reason" column). */
  readonly reason: string;
  /**
   * The decision record (ADR) that allowed it, relative to the project's folder:
   * `docs/adr/NNNN-<slug>.md`, e.g. `docs/adr/0001-portfolio-writes-signals.md`
   * (`npm run bedrock -- adr new "<title>"` writes one). Checked when the table is built;
   * synth fails while the file does not exist (BEDROCK-O8).
   */
  readonly decision: string;
}

export interface TableProps<C extends Columns> {
  /**
   * The table's name in PostgreSQL (snake_case, at most 63 bytes, not a reserved word).
   * @default the construct id
   */
  readonly name?: string;
  /** The columns, keyed by name, built with integer(), text(), ... */
  readonly columns: C;
  /** The primary key's columns, in key order. */
  readonly primaryKey?: readonly NoInfer<ColumnName<C>>[];
  /** @default `<table>_pkey` */
  readonly primaryKeyName?: string;
  readonly uniques?: readonly UniqueProps<NoInfer<ColumnName<C>>>[];
  readonly checks?: readonly CheckProps[];
  readonly indexes?: readonly IndexProps<NoInfer<ColumnName<C>>>[];
  readonly foreignKeys?: readonly ForeignKeyProps<NoInfer<ColumnName<C>>>[];
  /** What the table holds (COMMENT ON TABLE). */
  readonly comment?: string;
  /**
   * The table's previous name: the next generated migration renames the table (and the keys,
   * indexes and sequences named after it) instead of dropping it and creating another.
   */
  readonly renamedFrom?: string;
  /** References to other services' tables, kept by the application, with no constraint. */
  readonly appReferences?: readonly AppReferenceProps<NoInfer<ColumnName<C>>>[];
  /** Services other than the owner that may write this table (INSERT, UPDATE, DELETE), each with a reason and a decision record. */
  readonly sharedWriters?: readonly SharedWriterProps[];
  /**
   * The service this table moves from, with its rows: declare the table here with this, and
   * remove it from that service. `generate` writes that service's release and this one's adopt
   * (ALTER TABLE ... SET SCHEMA); keep it after the transfer, as renamedFrom is kept.
   */
  readonly transferredFrom?: TransferredFromProps;
  /** Rules this table knowingly breaks, each with a written reason. */
  readonly acknowledgements?: readonly Acknowledgement[];
}

/** A table's previous owner, why it moved, and the decision record (ADR) that moved it. */
export interface TransferredFromProps {
  /** The service that owned the table before. */
  readonly service: string;
  /** Why the table changes owner. */
  readonly reason: string;
  /** The decision record, `docs/adr/NNNN-<slug>.md` (see SharedWriterProps.decision). */
  readonly decision: string;
}

/** A PostgreSQL table owned by the service of the ServiceStack it is defined in. */
export class Table<C extends Columns = Columns> extends Construct {
  /** The table's name in PostgreSQL. */
  readonly name: string;
  /** The PostgreSQL schema (the owning service's). */
  readonly schema: string;
  /** The owning service. */
  readonly service: string;
  /** The column builders, by name. */
  readonly columns: C;
  private readonly model: TableModel;
  /** Names off the convention, for the rule pack (which reports them unless acknowledged). */
  readonly namingFindings: readonly NamingFinding[];
  /** Application-level references to other services' tables. */
  readonly appReferences: readonly AppReferenceProps<string>[];
  /** Declared shared-write exceptions. */
  readonly sharedWriters: readonly SharedWriterProps[];
  /** The service it was transferred from, when it was. */
  readonly transferredFrom?: TransferredFromProps;

  constructor(scope: Construct, id: string, props: TableProps<C>) {
    super(scope, id);
    const owner = findSchemaScope(this);
    if (!owner) throw new ModelError(this, ['a Table must be defined inside a ServiceStack (the service that owns it)']);
    // Types vanish at runtime (synth does not type-check; plain JavaScript exists): the props'
    // shapes are checked first, so everything after may rely on them.
    ModelError.throwIfAny(this, tablePropsProblems(props));
    this.name = props.name ?? id;
    this.columns = props.columns;
    this.schema = owner.schemaName;
    this.service = owner.service;
    const { model, problems, naming } = resolveTable(this.name, owner, props as unknown as TableProps<Columns>);
    ModelError.throwIfAny(this, problems);
    this.model = model;
    this.namingFindings = naming;
    this.appReferences = [...(props.appReferences ?? [])];
    this.sharedWriters = [...(props.sharedWriters ?? [])];
    if (props.transferredFrom !== undefined) this.transferredFrom = { ...props.transferredFrom };
    for (const { rule, reason } of props.acknowledgements ?? []) acknowledge(this, rule, reason);
  }

  /** `schema.table`, e.g. `portfolio.trades`. */
  get qualifiedName(): string {
    return `${this.schema}.${this.name}`;
  }

  /** A typed reference to columns of this table, for a foreign key: `positions.ref('id')`. */
  ref(...columns: ColumnName<C>[]): TableReference {
    return { table: this, columns };
  }

  /** The resolved model of the table (validated at construction). */
  toModel(): TableModel {
    return this.model;
  }
}
