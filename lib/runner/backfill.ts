// Runs a batched data section (`-- +data batched <schema>.<table> key <column> size <n>`): its one
// UPDATE or DELETE, batch after batch in the order of the key, each batch in a short transaction
// of its own that commits, so no lock is held beyond one batch and a failure or a kill loses at
// most the batch in flight. Resumable: the caller persists the last committed key (in `onBatch`,
// inside the batch's transaction, so the key and the rows commit together) and passes it back
// as `from`. What `strong_migrations` and Flyway users do by hand, with the bookkeeping done.
//
// Standalone, with a narrow interface, for the runner (and its ledger) to call. It carries no SQL
// parser (the runner bundle has none): the statement comes rendered with its batch bounds
// (lib/sql/batched-statement.ts, at synth or in the CLI); its own queries use quoted names only,
// and the keys travel as parameters, in PostgreSQL's text for them.
//
// The contract with the caller (the ledger integration must keep it):
// - `onBatch(progress, client)` runs inside the batch's transaction, after the batch's statement,
//   after RESET ROLE and with search_path = pg_catalog, pg_temp (as the runner writes its ledger):
//   whatever it writes with `client` commits with the batch or not at all. It must persist
//   `progress.lastKey` there (the ledger row of the step), and nothing it does may commit or
//   roll back. Throwing rolls the batch back and ends the run with that error.
// - Resume with `from` = the persisted key: rows with a key above it run, none below it again.
//   After a lost connection, read the persisted key again before resuming: a COMMIT in flight
//   may or may not have happened, and the ledger says which.
// - Each batch takes the next `size` keys above the last one, then runs the statement for
//   `key > last AND key <= upper`: a row inserted later with a key below the position is not
//   visited (identity and sequence keys only grow), so the application must write the new
//   values itself before the backfill starts (expand, then backfill, then contract).
// - A batch that times out waiting for a lock (lock_timeout, 55P03) is rolled back and tried
//   again after a backoff; any other error ends the run (BackfillError) with the batches before
//   it committed.
import type { ClientBase, QueryConfig, QueryResult } from 'pg';
import type { BatchedStatement } from '../sql/batched-statement';
import { qualifiedName, quoteIdentifier } from '../sql/identifier';
import { quoteLiteral } from '../sql/literal';
import type { LockRetries } from './converge-options';
import { destroyConnection, isReadTimeout } from './answer-bound';
import { backoffMs, isLockTimeout } from './lock-retry';
import { describe } from './runner-error';
import { isConnectionLost, migrationSearchPath, RUNNER_SEARCH_PATH } from './session';

/** What to backfill. */
export interface Backfill {
  /** The declared table. */
  readonly table: { readonly schema: string; readonly name: string };
  /** Its unique NOT NULL key column: batches follow its order. */
  readonly key: string;
  /** Rows per batch (the keys of `size` rows). */
  readonly size: number;
  /** The statement with its batch bounds, rendered where the parser is (batchedStatement()), for this table and key. */
  readonly statement: Pick<BatchedStatement, 'target' | 'first' | 'next'>;
  /** The last committed key of an earlier run (PostgreSQL's text for it): resume after it. @default from the first key */
  readonly from?: string;
}

/** Where a backfill stands after a committed batch. */
export interface BackfillProgress {
  /** `schema.table`. */
  readonly table: string;
  /** The batch's number in this run, from 1. */
  readonly batch: number;
  /** The key of the batch's last row (PostgreSQL's text for it): persist it, and resume from it. */
  readonly lastKey: string;
  /** Rows walked so far, with an estimate of those before `from` on a resumed run. */
  readonly rowsDone: number;
  /** Rows the statement changed in this run (its row count summed). */
  readonly rowsChanged: number;
  /** Rows walked in this batch. */
  readonly batchRows: number;
  /** The rows of the table, estimated (planner's estimate at the start, raised by what was walked). */
  readonly rowsEstimated: number;
  /** Rows walked per second in this run. */
  readonly rowsPerSecond: number;
  /** The time left at that rate, for the rows estimated to remain. */
  readonly etaMs: number;
  /** How long this batch took, from BEGIN to its statement's end (retries included). */
  readonly batchMs: number;
  readonly elapsedMs: number;
}

export interface BackfillOptions {
  /** Prefixes the lines (`datahub: backfill ...`). */
  readonly service: string;
  /** Runs in each batch's transaction before it commits: see the contract above. */
  onBatch?(progress: BackfillProgress, client: ClientBase): Promise<void> | void;
  /** Asked before each batch: true ends the run after the last committed batch (done: false). */
  shouldStop?(): boolean;
  /** Progress lines. */
  log?(line: string): void;
  /** A progress line at most once per this many ms (and at the start and the end). 0: every batch. @default 10000 */
  readonly progressIntervalMs?: number;
  /** Each batch runs as this role (SET LOCAL ROLE), as the runner runs migrations: the service's owner role. @default the session's */
  readonly role?: string;
  /** SET LOCAL lock_timeout for each batch. @default the session's (the runner pins it) */
  readonly lockTimeoutMs?: number;
  /**
   * SET LOCAL statement_timeout for each batch. Its queries are also given twice that for the
   * server's answer (a silent network delivers no server timeout): past it the connection is
   * closed and the run ends as a lost connection. @default the session's, and no bound of its own
   */
  readonly statementTimeoutMs?: number;
  /** Lock timeouts retried per batch. @default 5 retries, 200 ms doubling to 5 s */
  readonly lockRetries?: LockRetries;
}

export interface BackfillResult {
  /** False when `shouldStop` ended it early. */
  readonly done: boolean;
  readonly batches: number;
  /** The last committed key; undefined when no batch ran (and no `from`). */
  readonly lastKey?: string;
  readonly rowsDone: number;
  readonly rowsChanged: number;
  readonly elapsedMs: number;
}

/** A backfill that stopped at a batch: the batches before it are committed. */
export class BackfillError extends Error {
  constructor(
    message: string,
    /** The last committed key (resume after it), or undefined when none. */
    readonly lastKey: string | undefined,
    readonly cause: unknown,
  ) {
    super(message);
  }
}

const DEFAULT_RETRIES: LockRetries = { retries: 5, backoffMs: 200, maxBackoffMs: 5_000 };
const DEFAULT_PROGRESS_MS = 10_000;

/** Node-postgres parses nothing: keys and counts stay PostgreSQL's text. */
const AS_TEXT = { getTypeParser: () => (value: string) => value };

export async function runBackfill(client: ClientBase, backfill: Backfill, options: BackfillOptions): Promise<BackfillResult> {
  const run = new BackfillRun(client, backfill, options);
  return run.run();
}

class BackfillRun {
  private readonly label: string;
  private readonly table: string;
  private readonly key: string;
  private lastKey: string | undefined;
  private batches = 0;
  private walked = 0;
  private changed = 0;
  private rowsBefore = 0;
  private remainingAtStart = 0;
  private readonly started = Date.now();
  private lastLine = 0;

  constructor(
    private readonly client: ClientBase,
    private readonly backfill: Backfill,
    private readonly options: BackfillOptions,
  ) {
    const { table, key, size, statement } = backfill;
    const target = statement.target;
    if (target.schema !== table.schema || target.table !== table.name || target.key !== key) {
      throw new Error(`backfill ${table.schema}.${table.name} key ${key}: the statement was rendered for ${target.schema}.${target.table} key ${target.key}`);
    }
    if (!Number.isInteger(size) || size < 1) throw new Error(`backfill ${table.schema}.${table.name}: size ${size}: give a whole number of rows above 0`);
    this.label = `${table.schema}.${table.name}`;
    this.table = qualifiedName(table.schema, table.name);
    this.key = quoteIdentifier(key);
    this.lastKey = backfill.from;
  }

  async run(): Promise<BackfillResult> {
    await this.estimate();
    const { service, log } = this.options;
    const from = this.lastKey === undefined ? '' : `, resuming after ${this.backfill.key} ${this.lastKey}`;
    log?.(`${service}: backfill ${this.label} started: ~${count(this.rowsBefore + this.remainingAtStart)} rows in batches of ${count(this.backfill.size)} by ${this.backfill.key}${from}`);
    for (;;) {
      if (this.options.shouldStop?.()) {
        log?.(`${service}: backfill ${this.label} stopped after ${count(this.batches)} batch(es) of this run${this.lastKey !== undefined ? `, at ${this.backfill.key} ${this.lastKey}` : ''}: the next run resumes there`);
        return this.result(false);
      }
      const progress = await this.nextBatch();
      if (!progress) break;
      this.report(progress);
    }
    const elapsed = Date.now() - this.started;
    log?.(`${service}: backfill ${this.label} done: ${count(this.rowsBefore + this.walked)} rows (${count(this.changed)} changed in this run) in ${count(this.batches)} batch(es), ${seconds(elapsed)}`);
    return this.result(true);
  }

  private result(done: boolean): BackfillResult {
    return { done, batches: this.batches, ...(this.lastKey !== undefined ? { lastKey: this.lastKey } : {}), rowsDone: this.rowsBefore + this.walked, rowsChanged: this.changed, elapsedMs: Date.now() - this.started };
  }

  /**
   * The rows at or below `from` and above it, estimated: what the progress lines count against.
   * The table's size is pg_class.reltuples (as of its last ANALYZE or VACUUM); the planner's
   * estimate of the whole table stands in when there is none (never analyzed). The part above
   * `from` is the planner's fraction (its histogram of the key): its row counts themselves scale
   * with the table's pages, which a half-done backfill has grown with the old row versions.
   */
  private async estimate(): Promise<void> {
    const rows = async (where: string, values: unknown[]): Promise<number> => {
      const result = await this.query(`EXPLAIN (FORMAT JSON) SELECT 1 FROM ${this.table}${where}`, values);
      const plan = JSON.parse(String(Object.values(result.rows[0] as Record<string, unknown>)[0])) as { Plan: { 'Plan Rows': number } }[];
      return Math.max(0, plan[0].Plan['Plan Rows']);
    };
    await this.inTransaction(async () => {
      const whole = await rows('', []);
      const stats = await this.query('SELECT reltuples::text AS n FROM pg_catalog.pg_class WHERE oid = $1::text::pg_catalog.regclass', [this.table]);
      const reltuples = Number((stats.rows[0] as { n: string } | undefined)?.n ?? -1);
      const total = reltuples > 0 ? reltuples : whole;
      const above = this.lastKey === undefined || whole === 0 ? 1 : Math.min(1, (await rows(` WHERE ${this.key} > $1`, [this.lastKey])) / whole);
      this.remainingAtStart = Math.round(total * above);
      this.rowsBefore = Math.round(total - this.remainingAtStart);
    });
  }

  /** One batch, committed; undefined when no row is left above the last key. */
  private async nextBatch(): Promise<BackfillProgress | undefined> {
    const retries = this.options.lockRetries ?? DEFAULT_RETRIES;
    const batchStarted = Date.now();
    for (let retry = 1; ; retry++) {
      try {
        return await this.tryBatch(batchStarted);
      } catch (error) {
        if (isLockTimeout(error) && retry <= retries.retries) {
          const waitMs = backoffMs(retries, retry);
          this.options.log?.(`${this.options.service}: backfill ${this.label}: batch ${this.batches + 1} timed out waiting for a lock; retry ${retry} of ${retries.retries} in ${waitMs} ms`);
          await new Promise((resolve) => setTimeout(resolve, waitMs));
          continue;
        }
        throw this.failure(error);
      }
    }
  }

  private async tryBatch(batchStarted: number): Promise<BackfillProgress | undefined> {
    const { size, statement } = this.backfill;
    return this.inTransaction(async (commit) => {
      const after = this.lastKey;
      const bound =
        after === undefined
          ? await this.query(`SELECT max(k)::text AS upper, count(*)::text AS n FROM (SELECT ${this.key} AS k FROM ${this.table} ORDER BY ${this.key} LIMIT $1) AS batch`, [size])
          : await this.query(`SELECT max(k)::text AS upper, count(*)::text AS n FROM (SELECT ${this.key} AS k FROM ${this.table} WHERE ${this.key} > $1 ORDER BY ${this.key} LIMIT $2) AS batch`, [after, size]);
      const upper = (bound.rows[0] as { upper: string | null }).upper;
      const rows = Number((bound.rows[0] as { n: string }).n);
      if (upper === null) return undefined;
      const ran = after === undefined ? await this.query(statement.first, [upper]) : await this.query(statement.next, [after, upper]);
      // Deferred checks fire at COMMIT as the current user: checked now, as the owner (as step-transaction.ts does).
      await this.query(['SET CONSTRAINTS ALL IMMEDIATE', ...(this.options.role !== undefined ? ['RESET ROLE'] : []), `SET LOCAL search_path = ${RUNNER_SEARCH_PATH}`].join(';\n'));
      const progress = this.progress(upper, rows, ran.rowCount ?? 0, Date.now() - batchStarted);
      await this.options.onBatch?.(progress, this.client);
      await commit();
      this.lastKey = upper;
      this.batches = progress.batch;
      this.walked += rows;
      this.changed += ran.rowCount ?? 0;
      return progress;
    });
  }

  /** Runs `work` in a transaction as the batch role with the batch settings; rolls back unless `work` committed. */
  private async inTransaction<T>(work: (commit: () => Promise<void>) => Promise<T>): Promise<T> {
    const { role, lockTimeoutMs, statementTimeoutMs } = this.options;
    await this.query(
      [
        'BEGIN',
        ...(lockTimeoutMs !== undefined ? [`SET LOCAL lock_timeout = ${quoteLiteral(`${lockTimeoutMs}ms`)}`] : []),
        ...(statementTimeoutMs !== undefined ? [`SET LOCAL statement_timeout = ${quoteLiteral(`${statementTimeoutMs}ms`)}`] : []),
        ...(role !== undefined ? [`SET LOCAL ROLE ${quoteIdentifier(role)}`] : []),
        `SET LOCAL search_path = ${migrationSearchPath(this.backfill.table.schema)}`,
      ].join(';\n'),
    );
    let committed = false;
    try {
      const result = await work(async () => {
        await this.query('COMMIT');
        committed = true;
      });
      if (!committed) await this.query('ROLLBACK');
      return result;
    } catch (error) {
      if (!committed && !isConnectionLost(error) && !isReadTimeout(error)) await this.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /**
   * One query: results as PostgreSQL's text, and (with a statement timeout) a bound on the wait
   * for the answer, past which the connection is closed: the server then rolls back whatever was
   * not committed, and the run ends as a lost connection.
   */
  private async query(text: string, values: readonly unknown[] = []): Promise<QueryResult> {
    const { statementTimeoutMs } = this.options;
    const config = { text, values: [...values], types: AS_TEXT, ...(statementTimeoutMs !== undefined ? { query_timeout: 2 * statementTimeoutMs } : {}) };
    try {
      return await this.client.query(config as QueryConfig);
    } catch (error) {
      if (isReadTimeout(error)) destroyConnection(this.client);
      throw error;
    }
  }

  private progress(upper: string, rows: number, changed: number, batchMs: number): BackfillProgress {
    const elapsedMs = Date.now() - this.started;
    const walked = this.walked + rows;
    const rowsPerSecond = elapsedMs > 0 ? (walked * 1000) / elapsedMs : 0;
    const remaining = Math.max(0, this.remainingAtStart - walked);
    return {
      table: this.label,
      batch: this.batches + 1,
      lastKey: upper,
      rowsDone: this.rowsBefore + walked,
      rowsChanged: this.changed + changed,
      batchRows: rows,
      rowsEstimated: this.rowsBefore + walked + remaining,
      rowsPerSecond,
      etaMs: rowsPerSecond > 0 ? (remaining * 1000) / rowsPerSecond : 0,
      batchMs,
      elapsedMs,
    };
  }

  private report(progress: BackfillProgress): void {
    const interval = this.options.progressIntervalMs ?? DEFAULT_PROGRESS_MS;
    const now = Date.now();
    if (progress.batch > 1 && now - this.lastLine < interval) return;
    this.lastLine = now;
    this.options.log?.(progressLine(this.options.service, progress));
  }

  private failure(error: unknown): unknown {
    const at = this.lastKey === undefined ? 'from the first key' : `after ${this.backfill.key} ${this.lastKey}`;
    const done = this.lastKey === undefined ? 'No batch is committed' : `Batches up to ${this.backfill.key} ${this.lastKey} are committed; the next run resumes after it`;
    if (isConnectionLost(error) || isReadTimeout(error)) {
      return new BackfillError(`${this.options.service}: backfill ${this.label}: the connection was lost in batch ${this.batches + 1} (${at}): ${describe(error)}. Whether that batch committed, the key persisted in its transaction says`, this.lastKey, error);
    }
    return new BackfillError(`${this.options.service}: backfill ${this.label} failed in batch ${this.batches + 1} (${at}): ${describe(error)}. ${done}`, this.lastKey, error);
  }
}

/** `datahub: backfill datahub.klines: 250,000 of ~1,000,000 rows (25%), 41,200 rows/s, ~18 s left` */
export function progressLine(service: string, progress: BackfillProgress): string {
  const percent = progress.rowsEstimated > 0 ? Math.min(99, Math.floor((progress.rowsDone * 100) / progress.rowsEstimated)) : 0;
  return `${service}: backfill ${progress.table}: ${count(progress.rowsDone)} of ~${count(progress.rowsEstimated)} rows (${percent}%), ${count(Number(progress.rowsPerSecond.toPrecision(3)))} rows/s, ${timeLeft(progress.etaMs)} left`;
}

const count = (n: number): string => Math.round(n).toLocaleString('en-US');

function timeLeft(ms: number): string {
  if (ms < 1000) return '<1 s';
  if (ms < 100_000) return `~${Math.round(ms / 1000)} s`;
  if (ms < 6_000_000) return `~${Math.round(ms / 60_000)} min`;
  return `~${Math.round(ms / 3_600_000)} h`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
