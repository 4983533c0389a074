// What each planned step destroys, decided with PostgreSQL's parser where the plan is built (at
// synth, or by the CLI) so the runner, which carries no parser, knows what to copy first. The
// statements are read by down-data-loss.ts's droppedBy (DROP TABLE, TRUNCATE, DROP COLUMN) and
// the lint's ALTER TABLE reader (ALTER COLUMN ... TYPE): no second reading of SQL.
// Not imported by the runner's entry (main.ts): the bundle stays free of the parser.
import { parseScript } from '../sql/parser';
import { alterCommands } from '../lint/statement-facts';
import { droppedBy } from './down-data-loss';
import { BackupReason, BackupTarget, StepWithBackups } from './backup-target';
import { MigrationPlan, PlannedMigration, PlannedStep } from './planned-migration';

/**
 * The tables and columns `sql` (one step) drops, truncates or retypes, unqualified names in
 * `schema`. Dropping a schema or running a DO block is not copied: a migration may do neither
 * without an acknowledgement (BEDROCK-S4, S3), and what a DO block touches cannot be seen.
 * A type change is copied whether or not it rewrites: a USING expression, or a narrower type
 * through an explicit cast, changes values without failing.
 */
export function backupTargets(sql: string, schema: string): BackupTarget[] {
  const found: BackupTarget[] = [];
  for (const what of droppedBy(sql, schema)) {
    if (what.kind === 'table') found.push({ schema: what.schema, table: what.table, reasons: [what.how === 'drops' ? 'drop table' : 'truncate'] });
    if (what.kind === 'column') found.push({ schema: what.schema, table: what.table, columns: [what.column], reasons: ['drop column'] });
  }
  for (const raw of parseScript(sql).stmts ?? []) {
    const alter = (raw.stmt as { AlterTableStmt?: Record<string, unknown> }).AlterTableStmt;
    if (!alter || alter.objtype !== 'OBJECT_TABLE') continue;
    const relation = alter.relation as { schemaname?: string; relname: string };
    for (const command of alterCommands(alter)) {
      if (command.subtype === 'AT_AlterColumnType' && typeof command.name === 'string') {
        found.push({ schema: relation.schemaname ?? schema, table: relation.relname, columns: [command.name], reasons: ['type change'] });
      }
    }
  }
  return merged(found);
}

/** One target per table: the whole table when any entry is, else the columns together. */
function merged(targets: readonly BackupTarget[]): BackupTarget[] {
  const byTable = new Map<string, BackupTarget>();
  for (const target of targets) {
    const key = JSON.stringify([target.schema, target.table]);
    const before = byTable.get(key);
    if (!before) {
      byTable.set(key, target);
      continue;
    }
    const reasons: BackupReason[] = [...new Set([...before.reasons, ...target.reasons])];
    const columns = before.columns && target.columns ? [...new Set([...before.columns, ...target.columns])] : undefined;
    byTable.set(key, { schema: target.schema, table: target.table, ...(columns ? { columns } : {}), reasons });
  }
  return [...byTable.values()];
}

/** `steps` with what each destroys (a step that destroys nothing carries no `backups`). */
export function withBackupTargets(steps: readonly PlannedStep[], schema: string): StepWithBackups[] {
  return steps.map((step) => {
    const { backups: _old, ...plain } = step as StepWithBackups;
    const targets = backupTargets(step.sql, schema);
    return targets.length > 0 ? { ...plain, backups: targets } : plain;
  });
}

/** A planned migration whose up and down steps say what they destroy. */
export function migrationWithBackups(migration: PlannedMigration, schema: string): PlannedMigration {
  return { ...migration, upSteps: withBackupTargets(migration.upSteps, schema), downSteps: withBackupTargets(migration.downSteps, schema) };
}

/** `plan` with every step saying what it destroys. The parser must be loaded (loadSqlParser). */
export function planWithBackups(plan: MigrationPlan): MigrationPlan {
  const schema = plan.schema ?? plan.service;
  return { ...plan, migrations: plan.migrations.map((m) => migrationWithBackups(m, schema)) };
}
