// What the runner says when its connection died or went silent during a migration: rolled
// back, committed, or unresolved, in one line, never a guess.
import { ConvergeOptions, runnerSettings, sessionSettings } from './converge-options';
import { describe, RunnerError } from './runner-error';
import { MigrationPlan } from './planned-migration';
import { lockService, unlockService } from './service-lock';
import { pinSession } from './session';

/** A query on a new connection whose one row's `committed` says whether the step committed (see step-ledger.ts). */
export interface CommitProbe {
  readonly text: string;
  readonly values: readonly unknown[];
}

/** The server did not answer within the bound (see answer-bound.ts). `id`: the migration, or `<id> step k of n`. */
export function silentServer(plan: MigrationPlan, id: string, doing: 'applying' | 'rolling back', boundMs: number): RunnerError {
  const seconds = Math.round(boundMs / 1000);
  return new RunnerError(
    `${plan.service}: no answer from the server for ${seconds} s while ${doing} ${id} (the network went silent?): the connection was closed, and it is unresolved: ` +
      `PostgreSQL rolls it back unless its COMMIT had already run. Run \`npm run bedrock -- status --service ${plan.service}\` to see which, then deploy again`,
  );
}

/**
 * The connection died during a step's transaction. PostgreSQL rolls back a transaction whose
 * session ends before COMMIT; if the COMMIT got through first, the step and its ledger change
 * are both there. A fresh connection reads the ledger (`probe`) to say which, in one line.
 */
export async function lostConnection(plan: MigrationPlan, id: string, doing: 'applying' | 'rolling back', error: unknown, options: ConvergeOptions, probe: CommitProbe): Promise<RunnerError> {
  const lead = `${plan.service}: the connection was lost while ${doing} ${id} (${describe(error)})`;
  const committed = await ledgerHolds(plan, probe, options);
  if (committed === undefined) {
    return new RunnerError(
      `${lead}; whether it committed cannot be told (no new connection, or the old session still holds the deploy lock), so it is unresolved: ` +
        `run \`npm run bedrock -- status --service ${plan.service}\` once the old session has ended, then deploy again`,
    );
  }
  if (committed) return new RunnerError(`${lead} after it committed: it is ${doing === 'applying' ? 'applied' : 'rolled back'} and recorded; deploy again to continue`);
  return new RunnerError(`${lead}: rolled back by PostgreSQL, the database and the ledger are as they were before it; deploy again`);
}

/**
 * Whether the ledger shows the step committed, read on a new connection once the old session is
 * gone: only the client side of a connection may have died (a proxy or NAT reset), and the old
 * backend may still be running the migration towards its COMMIT. That backend holds the
 * service's deploy lock until it ends, so the answer is read only after taking the lock; when
 * it is not free within the deploy-lock wait, the outcome is unknown (undefined).
 */
async function ledgerHolds(plan: MigrationPlan, probe: CommitProbe, options: ConvergeOptions): Promise<boolean | undefined> {
  if (!options.reconnect) return undefined;
  const client = await options.reconnect();
  try {
    const settings = runnerSettings(options);
    await pinSession(client, sessionSettings(plan, settings));
    await lockService(client, plan.service, { waitMs: Math.min(settings.lockWaitMs, 60_000) });
    try {
      const { rows } = await client.query<{ committed: boolean }>(probe.text, [...probe.values]);
      return rows[0].committed;
    } finally {
      await unlockService(client, plan.service).catch(() => undefined);
    }
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}
