// A table changing owner (`transferredFrom`), as the differ sees it: four typed changes, two per
// service. The giving service's release (its app role stops writing; the table stays where it
// is, rows and all) and, rolled back, its reclaim; the taking service's adopt (the table, its
// sequences, indexes and enums move into its schema and to its owner role; its app role writes)
// and, rolled back, its return. SQL is written by lib/sql/transfer-statements.ts.

import type { TransferAction } from '../runner/step-transfer';

export type { TransferAction };

export interface TableTransfer {
  readonly action: TransferAction;
  /** The service whose migration this is. */
  readonly service: string;
  /** The table's name (the same in both schemas: a transfer renames nothing). */
  readonly table: string;
  /** The schema the table is in when the step starts. */
  readonly fromSchema: string;
  /** The schema it is in when the step ends (the same as fromSchema for release and reclaim). */
  readonly toSchema: string;
  /** The other service: the taker of a release or reclaim, the giver of an adopt or return. */
  readonly other: { readonly service: string; readonly schema: string };
  /** The enums that move with it (adopt, return), by name. */
  readonly types: readonly string[];
  /** The sequences its identity and serial columns own (they move with it), by name. */
  readonly sequences: readonly string[];
  /** For an adopt: the giver's release migration, which must be applied first. */
  readonly after?: string;
}

/** The owner role and the app role after the step: who owns the table, who writes it. */
export function transferDescription(t: TableTransfer): string {
  switch (t.action) {
    case 'release':
      return `release table ${t.fromSchema}.${t.table} to ${t.other.service} (its rows stay; ${t.service} stops writing it, ${t.other.service}'s adopt moves it)`;
    case 'reclaim':
      return `take back table ${t.fromSchema}.${t.table} from ${t.other.service} (${t.service} writes it again)`;
    case 'adopt':
      return `adopt table ${t.fromSchema}.${t.table} from ${t.other.service} as ${t.toSchema}.${t.table}, with its rows${t.types.length > 0 ? ` and enum${t.types.length > 1 ? 's' : ''} ${t.types.join(', ')}` : ''}`;
    case 'return':
      return `return table ${t.fromSchema}.${t.table} to ${t.other.service} as ${t.toSchema}.${t.table}, with its rows`;
  }
}
