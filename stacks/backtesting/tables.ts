// Backtesting owns its task queue and the reports tasks produce.
import { bigint, bytea, date, doublePrecision, EnumType, integer, jsonb, numeric, ServiceStack, smallint, Table, text, timestamptz, uuid, varchar } from '../../lib';

export function backtestingTables(stack: ServiceStack): void {
  const status = new EnumType(stack, 'backtest_status', { values: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] });

  const tasks = new Table(stack, 'backtest_tasks', {
    comment: 'Requested backtests and their progress',
    columns: {
      id: uuid().notNull().defaultSql('gen_random_uuid()'),
      name: varchar(200).notNull(),
      strategy: varchar(64).notNull(),
      symbols: text().array().notNull(),
      start_date: date().notNull(),
      end_date: date().notNull(),
      initial_capital: numeric(20, 2).notNull().default('10000.00'),
      parameters: jsonb().notNull().default({}),
      status: status.column().notNull().default('queued'),
      priority: smallint().notNull().default(0),
      requested_by: varchar(64).notNull(),
      error_message: text(),
      created_at: timestamptz().notNull().defaultSql('now()'),
      started_at: timestamptz(),
      finished_at: timestamptz(),
    },
    primaryKey: ['id'],
    checks: [
      { name: 'backtest_tasks_date_range', expression: 'end_date >= start_date' },
      { name: 'backtest_tasks_capital_positive', expression: 'initial_capital > 0' },
    ],
    indexes: [
      {
        name: 'backtest_tasks_queue_idx',
        columns: [{ column: 'priority', order: 'desc' }, 'created_at'],
        where: "status IN ('queued', 'running')",
      },
    ],
  });

  new Table(stack, 'backtest_reports', {
    comment: 'Results of finished backtests, one per task',
    columns: {
      id: bigint().generatedAlwaysAsIdentity(),
      task_id: uuid().notNull(),
      total_return: numeric(12, 6).notNull(),
      sharpe_ratio: doublePrecision(),
      max_drawdown: numeric(12, 6).notNull(),
      win_rate: numeric(5, 4),
      trade_count: integer().notNull().default(0),
      equity_curve: jsonb().notNull().default([]),
      report_html_gzip: bytea().comment('The rendered report, gzip-compressed'),
      created_at: timestamptz().notNull().defaultSql('now()'),
    },
    primaryKey: ['id'],
    uniques: [{ columns: ['task_id'] }],
    checks: [{ name: 'backtest_reports_win_rate_range', expression: 'win_rate IS NULL OR win_rate BETWEEN 0 AND 1' }],
    foreignKeys: [{ columns: ['task_id'], references: tasks.ref('id'), onDelete: 'cascade' }],
  });
}
