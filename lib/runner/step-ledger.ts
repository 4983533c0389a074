// How the ledger follows a migration step by step: the row is written with each step (in the
// step's own transaction, or before and after a step outside a transaction), so the ledger
// always says how far an up or a down got, and the next deploy resumes there.
import { ClientBase } from 'pg';
import { quoteLiteral } from '../sql/literal';
import { LedgerEntry, LedgerStatus } from './ledger';
import { PlannedStep } from './planned-migration';
import type { CommitProbe } from './lost-connection';

/** What the runner writes to the ledger around one step. */
export interface StepLedger {
  /** The ledger change of a transactional step as SQL, for the end of its transaction. */
  committedSql(): string;
  /** Before a step outside a transaction: a crash leaves a row saying where it stopped. */
  started(client: ClientBase, retrySafe: boolean): Promise<void>;
  /** After a step outside a transaction (or one found already done when resuming). */
  finished(client: ClientBase, durationMs: number): Promise<void>;
  /** The step stopped with `error`; `final`: it is not safe to retry (recorded as failed, for `resolve`). */
  stopped(client: ClientBase, error: string, final: boolean): Promise<void>;
  /** A query on a new connection whose one row's `committed` says whether the step committed. */
  readonly probe: CommitProbe;
  /** How the ledger follows a batched step, batch by batch (an up's steps only: a down runs no batched step). */
  readonly batches?: BatchLedger;
}

/**
 * The ledger around a batched step (run-batched-step.ts): the row says the up is partial at
 * this step, with the last committed batch's key, and the next deploy resumes after that key.
 * `started`, `stopped` and `finished` of the step's StepLedger do the rest (the step is done:
 * `finished`, which sets the key back to NULL).
 */
export interface BatchLedger {
  /** The ledger change for a batch that reached `lastKey`, for the end of that batch's own transaction (run as the deploying user, search_path pg_catalog). */
  committedSql(lastKey: string): string;
  /** The key the ledger holds for this step (the last batch committed by an earlier run), or undefined: resume after it. */
  storedKey(client: ClientBase): Promise<string | undefined>;
}

/** A migration's ledger entry with what a row of steps holds. */
export interface StepsEntry extends LedgerEntry {
  readonly stepsTotal: number;
  /** Stored so that a rollback runs from the ledger, not from a later plan. */
  readonly downSteps: readonly PlannedStep[];
}

const NOW = 'applied_at = pg_catalog.clock_timestamp(), applied_by = session_user';

/** Milliseconds since the transaction began, computed by the server. */
// Functions qualified and operators resolved with pg_catalog alone on the path (the runner
// resets it before writing the ledger): nothing a migration created can stand in for them.
const ELAPSED_MS = `(pg_catalog.date_part('epoch'::text, pg_catalog.clock_timestamp() - pg_catalog.now()) * 1000)::integer`;

/**
 * The ledger around up step `step` (1-based) of `entry`. `recorded`: the row already records
 * this migration (an earlier step committed, or a resumed run).
 */
export function upStepLedger(entry: StepsEntry, step: number, recorded: boolean): StepLedger {
  const last = step === entry.stepsTotal;
  const where = `service = ${quoteLiteral(entry.service)} AND id = ${quoteLiteral(entry.id)}`;
  let touched = recorded;
  return {
    committedSql: () => upsertSql(entry, last ? 'applied' : 'partial', step, ELAPSED_MS, null),
    async started(client, retrySafe) {
      const error = retrySafe ? null : `${stepOf(step, entry.stepsTotal)}started outside a transaction and did not finish`;
      await client.query(upsertSql(entry, retrySafe ? 'partial' : 'failed', step - 1, 'NULL', error));
      touched = true;
    },
    async finished(client, durationMs) {
      await client.query(upsertSql(entry, last ? 'applied' : 'partial', step, String(Math.round(durationMs)), null));
    },
    async stopped(client, error, final) {
      if (touched) await client.query(stoppedSql(where, entry, final ? 'failed' : 'partial', error, `${stepOf(step, entry.stepsTotal)}${error}`));
    },
    probe: {
      text: `SELECT EXISTS (SELECT 1 FROM bedrock.migrations WHERE service = $1 AND id = $2 AND status IN ('applied', 'partial') AND steps_done >= $3) AS committed`,
      values: [entry.service, entry.id, step],
    },
    batches: {
      // Partial with the steps before this one done, and the key: the row exists from the first batch's commit on.
      committedSql: (lastKey) => {
        touched = true;
        return upsertSql(entry, 'partial', step - 1, 'NULL', null, lastKey);
      },
      async storedKey(client) {
        const { rows } = await client.query<{ batch_key: string | null }>(
          `SELECT batch_key FROM bedrock.migrations WHERE service = $1 AND id = $2 AND status = 'partial' AND steps_done = $3`,
          [entry.service, entry.id, step - 1],
        );
        return rows[0]?.batch_key ?? undefined;
      },
    },
  };
}

/**
 * The ledger around down step `step` (1-based) of `total` of migration `id`, begun at `since`
 * (Date.now()). `recorded`: the row already says it is rolling back (an earlier down step, or a
 * resumed run); until then it still says applied, and a failed transactional step leaves it so.
 */
export function downStepLedger(service: string, id: string, step: number, total: number, since: number, recorded: boolean): StepLedger {
  const last = step === total;
  const where = `service = ${quoteLiteral(service)} AND id = ${quoteLiteral(id)}`;
  const removed = (durationSql: string) =>
    `WITH gone AS (DELETE FROM bedrock.migrations WHERE ${where} RETURNING id)\n` +
    `INSERT INTO bedrock.migration_history (service, id, action, duration_ms) SELECT ${quoteLiteral(service)}, gone.id, 'down', ${durationSql} FROM gone`;
  const progressed = `UPDATE bedrock.migrations SET status = 'rolling_back', steps_done = ${step}, error = NULL, ${NOW} WHERE ${where}`;
  let touched = recorded;
  return {
    committedSql: () => (last ? removed(`(${Date.now() - since} + ${ELAPSED_MS})`) : progressed),
    async started(client, retrySafe) {
      const status: LedgerStatus = retrySafe ? 'rolling_back' : 'failed';
      const error = retrySafe ? 'NULL' : quoteLiteral(`rolling back: ${stepOf(step, total, 'down ')}started outside a transaction and did not finish`);
      await client.query(`UPDATE bedrock.migrations SET status = '${status}', steps_done = ${step - 1}, error = ${error}, ${NOW} WHERE ${where}`);
      touched = true;
    },
    async finished(client) {
      await client.query(last ? removed(String(Date.now() - since)) : progressed);
    },
    async stopped(client, error, final) {
      if (touched) await client.query(stoppedSql(where, { service }, final ? 'failed' : 'rolling_back', error, `rolling back: ${stepOf(step, total, 'down ')}${error}`));
    },
    probe: {
      text: last
        ? `SELECT NOT EXISTS (SELECT 1 FROM bedrock.migrations WHERE service = $1 AND id = $2) AS committed`
        : `SELECT EXISTS (SELECT 1 FROM bedrock.migrations WHERE service = $1 AND id = $2 AND status = 'rolling_back' AND steps_done >= $3) AS committed`,
      values: last ? [service, id] : [service, id, step],
    },
  };
}

/** `step 2 of 4: ` for a migration of several steps; nothing for one of one step. */
function stepOf(step: number, total: number, kind = ''): string {
  return total > 1 ? `${kind}step ${step} of ${total}: ` : '';
}

/**
 * The row of `entry` with `status` and `stepsDone`, inserted or updated; its duration grows by
 * `durationSql` (SQL: a number, NULL or ELAPSED_MS); its batch_key is `batchKey` (a batched step
 * under way), NULL otherwise. Applied: the history's `up` event, with the whole migration's
 * duration, in the same statement. Values quoted by quoteLiteral; functions qualified and
 * operators resolved with pg_catalog alone on the path.
 */
function upsertSql(entry: StepsEntry, status: LedgerStatus, stepsDone: number, durationSql: string, error: string | null, batchKey: string | null = null): string {
  const values = [entry.service, entry.id, entry.checksum, entry.up, entry.down].map(quoteLiteral).join(', ');
  const text = (value: string | null) => (value === null ? 'NULL' : quoteLiteral(value));
  const upsert =
    `INSERT INTO bedrock.migrations (service, id, checksum, up_sql, down_sql, transactional, status, duration_ms, error, steps_done, steps_total, down_steps, batch_key)\n` +
    `VALUES (${values}, ${entry.transactional}, '${status}', ${durationSql}, ${text(error)}, ${stepsDone}, ${entry.stepsTotal}, ${quoteLiteral(JSON.stringify(entry.downSteps))}::jsonb, ${text(batchKey)})\n` +
    `ON CONFLICT (service, id) DO UPDATE SET status = EXCLUDED.status, steps_done = EXCLUDED.steps_done, error = EXCLUDED.error, batch_key = EXCLUDED.batch_key, ${NOW},\n` +
    `  duration_ms = CASE WHEN EXCLUDED.duration_ms IS NULL THEN bedrock.migrations.duration_ms ELSE COALESCE(bedrock.migrations.duration_ms, 0) + EXCLUDED.duration_ms END`;
  if (status !== 'applied') return upsert;
  return (
    `WITH done AS (${upsert}\n  RETURNING id, duration_ms)\n` +
    `INSERT INTO bedrock.migration_history (service, id, action, duration_ms) SELECT ${quoteLiteral(entry.service)}, done.id, 'up', done.duration_ms FROM done`
  );
}

/**
 * The row stopped with its error, and the history's `failed` event, in one statement. The event
 * says which step (`stepError`); so does the row of a failed migration, which `status` shows
 * alone, while a row stopped part-way says it in its steps_done.
 */
function stoppedSql(where: string, entry: { readonly service: string }, status: LedgerStatus, error: string, stepError: string): string {
  return (
    `WITH stopped AS (UPDATE bedrock.migrations SET status = '${status}', error = ${quoteLiteral(status === 'failed' ? stepError : error)}, ${NOW} WHERE ${where} RETURNING id)\n` +
    `INSERT INTO bedrock.migration_history (service, id, action, error) SELECT ${quoteLiteral(entry.service)}, stopped.id, 'failed', ${quoteLiteral(stepError)} FROM stopped`
  );
}
