// The adopt bench's legacy database: N tables in schema `public`, all owned by the legacy user,
// shaped like the seed's Alembic tables (test/fixtures/legacy-alembic/schema.sql): 12 columns of
// mixed types with a SERIAL or BIGSERIAL key, an enum, numeric and jsonb defaults, a unique and
// a check (Alembic's uq_/ck_ names), two indexes (ix_), a table comment, and foreign keys to the
// first table of their group. Tables come in blocks of 20 owned by one service (the blocks take
// the six services in turn), each block with its own enum type; a block is 4 groups of 5 tables,
// the last 4 of a group referencing the first. No foreign key or enum crosses services, so every
// service adopts on its own. Each block is created in one transaction, as an Alembic revision is
// (one transaction for everything would need more locks than max_locks_per_transaction allows).
import { Client } from 'pg';

export const ADOPT_SERVICES = ['datahub', 'decision_engine', 'portfolio', 'backtesting', 'mlops', 'notification'] as const;

const BLOCK = 20;
const GROUP = 5;
const ALEMBIC_REVISION = 'b3nch0000001';

export interface LegacyTableSpec {
  readonly name: string;
  readonly service: string;
  readonly enumName: string;
  /** The group's first table, which this one references (undefined for the first itself). */
  readonly references?: string;
  /** SERIAL (integer) or BIGSERIAL (bigint) keys, the same within a group. */
  readonly big: boolean;
  /** ON DELETE CASCADE on the foreign key (every other referencing table), as the seed's trades. */
  readonly cascade: boolean;
}

/** The tables, block by block, in creation order (a group's first table before the rest). */
export function legacyTableSpecs(count: number): LegacyTableSpec[] {
  const specs: LegacyTableSpec[] = [];
  for (let i = 0; i < count; i += 1) {
    const block = Math.floor(i / BLOCK);
    const group = Math.floor(i / GROUP);
    const service = ADOPT_SERVICES[block % ADOPT_SERVICES.length];
    const name = (n: number): string => `${service}_t${String(n).padStart(4, '0')}`;
    const first = group * GROUP;
    specs.push({
      name: name(i),
      service,
      enumName: `${service}_status_${String(block).padStart(3, '0')}`,
      ...(i !== first ? { references: name(first) } : {}),
      big: group % 2 === 1,
      cascade: i % 2 === 0,
    });
  }
  return specs;
}

/** The mapping the user gives `introspect`: legacy table -> service. */
export function legacyOwnership(specs: readonly LegacyTableSpec[]): Map<string, string> {
  return new Map(specs.map((s) => [s.name, s.service]));
}

function createTable(spec: LegacyTableSpec): string {
  const t = spec.name;
  const key = spec.big ? 'BIGINT' : 'INTEGER';
  return `CREATE TABLE ${t} (
    id ${spec.big ? 'BIGSERIAL' : 'SERIAL'} NOT NULL,
    root_id ${key},
    code VARCHAR(32) NOT NULL,
    status ${spec.enumName} DEFAULT 'pending' NOT NULL,
    amount NUMERIC(20, 8) DEFAULT '0' NOT NULL,
    quantity INTEGER DEFAULT '0' NOT NULL,
    ratio FLOAT,
    is_active BOOLEAN DEFAULT true NOT NULL,
    payload JSONB DEFAULT '{}'::jsonb NOT NULL,
    note TEXT,
    observed_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_${t}_code_observed_at UNIQUE (code, observed_at),
    CONSTRAINT ck_${t}_quantity_non_negative CHECK (quantity >= 0)${
      spec.references ? `,\n    FOREIGN KEY(root_id) REFERENCES ${spec.references} (id)${spec.cascade ? ' ON DELETE CASCADE' : ''}` : ''
    }
);
COMMENT ON TABLE ${t} IS '${spec.service} legacy table ${t}';
CREATE INDEX ix_${t}_observed_at ON ${t} (observed_at);
CREATE INDEX ix_${t}_root_id_created_at ON ${t} (root_id, created_at);`;
}

/** `rows` rows; a referencing table's rows point at the first table's rows 1..rows. */
function insertRows(spec: LegacyTableSpec, rows: number): string {
  return `INSERT INTO ${spec.name} (root_id, code, amount, quantity, ratio, payload, note, observed_at)
  SELECT ${spec.references ? 'n' : 'NULL'}, 'c' || n, n * 1.5, n, n / 7.0, jsonb_build_object('n', n), 'row ' || n, timestamp '2024-01-01' + n * interval '1 minute'
    FROM generate_series(1, ${rows}) n;`;
}

/** Per block (one transaction each): its enum, its tables, their rows. */
export function legacyDatabaseSql(specs: readonly LegacyTableSpec[], rows: number): string[] {
  const blocks = new Map<string, LegacyTableSpec[]>();
  for (const spec of specs) blocks.set(spec.enumName, [...(blocks.get(spec.enumName) ?? []), spec]);
  const out = [`BEGIN;\nCREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));\nINSERT INTO alembic_version (version_num) VALUES ('${ALEMBIC_REVISION}');\nCOMMIT;`];
  for (const [enumName, tables] of blocks) {
    out.push(
      [
        'BEGIN;',
        `CREATE TYPE ${enumName} AS ENUM ('pending', 'active', 'done', 'failed');`,
        ...tables.map(createTable),
        ...(rows > 0 ? tables.map((t) => insertRows(t, rows)) : []),
        'COMMIT;',
      ].join('\n'),
    );
  }
  return out;
}

/** Builds the tables in the (empty) database `url` names, connected as `url`'s user, so it owns everything. */
export async function buildLegacyDatabase(url: string, specs: readonly LegacyTableSpec[], rows: number): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (const sql of legacyDatabaseSql(specs, rows)) await client.query(sql);
  } finally {
    await client.end();
  }
}
