// A steady write load for tests and benchmarks: N connections, each writing in a loop (an
// INSERT of a new row, or an UPDATE of a row it inserted recently), every write a statement of
// its own (autocommit: one short transaction) timed from send to answer. What a migration does
// to the writers of a table shows up as the latencies of these writes.
//   const load = startWriteLoad(connect, { connections: 4, insert: (n) => ({ text: 'INSERT ... RETURNING id', values: [n] }) });
//   ... run the migration ...
//   const report = await load.stop(); // writes, errors by SQLSTATE, max and p99 latency, longest stall
import { Client } from 'pg';

/** One write: a single statement, sent with its parameters. */
export interface WriteStatement {
  readonly text: string;
  readonly values?: readonly unknown[];
}

export interface WriteLoadOptions {
  /** How many connections write at once, each in its own loop. */
  readonly connections: number;
  /**
   * The statement of the n-th insert (n counts all connections' inserts). When it returns a
   * row (`RETURNING id`), that row's first column is remembered as the connection's most
   * recent row, for `update`.
   */
  readonly insert: (n: number) => WriteStatement;
  /** The statement updating the connection's most recent row, given its id. @default inserts only */
  readonly update?: (id: unknown, n: number) => WriteStatement;
  /** One write in this many is an update (when `update` is given and a row is known). @default 2 */
  readonly updateEvery?: number;
  /** A pause between two writes of one connection, so the load is steady rather than saturating. @default 0 */
  readonly pauseMs?: number;
}

/** Errors by SQLSTATE ('no SQLSTATE' for errors without one, e.g. a lost connection). */
export interface WriteErrors {
  readonly count: number;
  readonly bySqlState: Readonly<Record<string, number>>;
  /** The first message of each SQLSTATE (a few at most), as PostgreSQL gave it. */
  readonly samples: readonly string[];
}

/** The slowest write: how long it took, and when it started (ms after the load started). */
export interface WriteStall {
  readonly ms: number;
  readonly at: number;
  readonly kind: 'insert' | 'update';
}

export interface WriteLoadReport {
  /** Writes that succeeded. */
  readonly writes: number;
  readonly inserts: number;
  readonly updates: number;
  readonly errors: WriteErrors;
  /** Latencies count every attempt, failed ones too: a write that waited and then failed stalled as long. */
  readonly maxLatencyMs: number;
  readonly p99LatencyMs: number;
  readonly longestStall: WriteStall;
  /** From start to stop. */
  readonly durationMs: number;
}

export interface WriteLoad {
  /** The figures so far; the loops go on (e.g. writes before and after a migration, subtracted). */
  report(): WriteLoadReport;
  /** Ends the loops (each finishes the write it is in), closes the connections, reports. */
  stop(): Promise<WriteLoadReport>;
}

const SAMPLE_LIMIT = 5;
/** Connection-level failures after which the connection is replaced (class 08, admin shutdown and termination). */
const BROKEN_CONNECTION = /^(08|57P0)/;

interface Timing {
  readonly startNs: bigint;
  readonly ms: number;
  readonly kind: 'insert' | 'update';
}

/** Starts the loops at once; the first writes go out as soon as each connection is open. */
export function startWriteLoad(connect: () => Promise<Client>, options: WriteLoadOptions): WriteLoad {
  const state = new LoadState(options);
  const loops = Array.from({ length: options.connections }, () => writeLoop(connect, state));
  return {
    report: () => state.report(),
    async stop() {
      state.stopping = true;
      await Promise.all(loops);
      return state.report();
    },
  };
}

class LoadState {
  stopping = false;
  inserted = 0;
  updated = 0;
  readonly started = process.hrtime.bigint();
  readonly timings: Timing[] = [];
  readonly errorCounts = new Map<string, number>();
  readonly samples: string[] = [];
  private inserts = 0;

  constructor(readonly options: WriteLoadOptions) {}

  nextInsert(): number {
    this.inserts += 1;
    return this.inserts;
  }

  recordError(error: unknown): void {
    const code = sqlStateOf(error) ?? 'no SQLSTATE';
    const seen = this.errorCounts.has(code);
    this.errorCounts.set(code, (this.errorCounts.get(code) ?? 0) + 1);
    if (!seen && this.samples.length < SAMPLE_LIMIT) this.samples.push(`${code}: ${(error as Error).message}`);
  }

  report(): WriteLoadReport {
    const latencies = this.timings.map((t) => t.ms).sort((a, b) => a - b);
    const slowest = this.timings.reduce<Timing | undefined>((worst, t) => (worst === undefined || t.ms > worst.ms ? t : worst), undefined);
    const errorCount = [...this.errorCounts.values()].reduce((sum, n) => sum + n, 0);
    return {
      writes: this.inserted + this.updated,
      inserts: this.inserted,
      updates: this.updated,
      errors: { count: errorCount, bySqlState: Object.fromEntries(this.errorCounts), samples: [...this.samples] },
      maxLatencyMs: latencies[latencies.length - 1] ?? 0,
      p99LatencyMs: latencies.length === 0 ? 0 : latencies[Math.ceil(latencies.length * 0.99) - 1],
      longestStall: slowest ? { ms: slowest.ms, at: nsToMs(slowest.startNs - this.started), kind: slowest.kind } : { ms: 0, at: 0, kind: 'insert' },
      durationMs: nsToMs(process.hrtime.bigint() - this.started),
    };
  }
}

/** One connection's loop: write, time it, pause, until stopped. */
async function writeLoop(connect: () => Promise<Client>, state: LoadState): Promise<void> {
  const { update, updateEvery = 2, pauseMs = 0 } = state.options;
  let client = await openClient(connect, state);
  let recent: unknown;
  let own = 0;
  try {
    while (!state.stopping) {
      if (client === undefined) {
        await sleep(Math.max(pauseMs, 50));
        client = await openClient(connect, state);
        continue;
      }
      own += 1;
      const isUpdate = update !== undefined && recent !== undefined && own % updateEvery === 0;
      const n = isUpdate ? own : state.nextInsert();
      const statement = isUpdate ? update(recent, n) : state.options.insert(n);
      const startNs = process.hrtime.bigint();
      try {
        const result = await client.query({ text: statement.text, values: statement.values as unknown[] | undefined });
        if (isUpdate) state.updated += 1;
        else {
          state.inserted += 1;
          const row = result.rows[0] as Record<string, unknown> | undefined;
          if (row) recent = Object.values(row)[0];
        }
      } catch (error) {
        state.recordError(error);
        if (BROKEN_CONNECTION.test(sqlStateOf(error) ?? '08')) {
          await client.end().catch(() => undefined);
          client = undefined;
        }
      } finally {
        state.timings.push({ startNs, ms: nsToMs(process.hrtime.bigint() - startNs), kind: isUpdate ? 'update' : 'insert' });
      }
      if (pauseMs > 0) await sleep(pauseMs);
    }
  } finally {
    await client?.end().catch(() => undefined);
  }
}

/** A connection of the load, or undefined when connecting failed (counted as an error; the loop tries again). */
async function openClient(connect: () => Promise<Client>, state: LoadState): Promise<Client | undefined> {
  try {
    const client = await connect();
    // A backend terminated while idle arrives as an 'error' event; the next write reports it.
    client.on('error', () => undefined);
    return client;
  } catch (error) {
    state.recordError(error);
    return undefined;
  }
}

function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

const nsToMs = (ns: bigint): number => Number(ns) / 1e6;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
