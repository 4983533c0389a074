// What the runner must know of a transfer step (`-- +step transfer`, see
// lib/migrations/table-transfer.ts) besides its SQL: which table it expects where, and for an
// adopt, which release of the giving service must be applied first. Decided at synth, where the
// parser is; checked by the runner before the step's transaction (run-transfer-step.ts).

/** What one side of a transfer does (see lib/migrations/table-transfer.ts). */
export type TransferAction = 'release' | 'reclaim' | 'adopt' | 'return';

export const TRANSFER_ACTIONS: readonly TransferAction[] = ['release', 'reclaim', 'adopt', 'return'];

export interface StepTransfer {
  readonly action: TransferAction;
  /** The table where the step expects it when it starts. */
  readonly schema: string;
  readonly table: string;
  /** The other service of the transfer (the taker of a release, the giver of an adopt). */
  readonly other: string;
  /** For an adopt: the giver's release migration, which its ledger must hold as applied. */
  readonly after?: string;
}

/** Whether a manifest's value has the shape (the runner never trusts a file's shape). */
export function isStepTransfer(value: unknown): value is StepTransfer {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Record<string, unknown>;
  return (
    TRANSFER_ACTIONS.includes(t.action as TransferAction) &&
    typeof t.schema === 'string' &&
    typeof t.table === 'string' &&
    typeof t.other === 'string' &&
    (t.after === undefined || typeof t.after === 'string')
  );
}
