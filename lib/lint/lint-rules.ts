// The lint rules, in the order `rules` lists them and the judge applies them (after the
// statement rules, BEDROCK-S*).
import { ColumnTypeChange } from './rules/column-type-change';
import { OutsideTransactionOnly } from './rules/outside-transaction-only';
import { ConstraintWithoutNotValid } from './rules/constraint-without-not-valid';
import { DropTableOrColumn } from './rules/drop-table-or-column';
import { IndexWithoutConcurrently } from './rules/index-without-concurrently';
import { KeyBuiltInPlace } from './rules/key-built-in-place';
import { LongLockWait } from './rules/long-lock-timeout';
import { OfflineRewrite } from './rules/offline-rewrite';
import { RenameTableOrColumn } from './rules/rename-table-or-column';
import { SetNotNullWithoutValidatedCheck } from './rules/set-not-null-without-check';
import { UnboundedDataChange } from './rules/unbounded-data-change';
import { ColumnFilledPerRow } from './rules/volatile-default';
import type { StatementRule } from '../statements/statement-rule';

export const LINT_RULES: readonly StatementRule[] = [
  IndexWithoutConcurrently,
  ConstraintWithoutNotValid,
  SetNotNullWithoutValidatedCheck,
  OfflineRewrite,
  ColumnTypeChange,
  ColumnFilledPerRow,
  DropTableOrColumn,
  RenameTableOrColumn,
  LongLockWait,
  KeyBuiltInPlace,
  OutsideTransactionOnly,
  UnboundedDataChange,
];
