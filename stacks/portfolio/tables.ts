// Portfolio owns positions and the trades that fill them (a foreign key inside the service).
import { bigint, EnumType, numeric, ServiceStack, Table, text, timestamptz, uuid, varchar } from '../../lib';

export function portfolioTables(stack: ServiceStack): void {
  const side = new EnumType(stack, 'position_side', { values: ['long', 'short'] });
  const status = new EnumType(stack, 'position_status', { values: ['open', 'closed'] });
  const tradeSide = new EnumType(stack, 'trade_side', { values: ['buy', 'sell'] });

  const positions = new Table(stack, 'positions', {
    comment: 'Open and closed positions per account and symbol',
    columns: {
      id: bigint().generatedAlwaysAsIdentity(),
      account_id: uuid().notNull(),
      symbol: varchar(32).notNull(),
      side: side.column().notNull(),
      status: status.column().notNull().default('open'),
      quantity: numeric(38, 18).notNull(),
      average_entry_price: numeric(30, 12).notNull(),
      realized_pnl: numeric(30, 12).notNull().default(0),
      signal_id: uuid().comment('The signal that opened it (application-level reference to decision_engine.signals)'),
      opened_at: timestamptz().notNull().defaultSql('now()'),
      closed_at: timestamptz(),
      updated_at: timestamptz().notNull().defaultSql('now()'),
    },
    primaryKey: ['id'],
    appReferences: [{ columns: ['signal_id'], table: 'decision_engine.signals', targetColumns: ['id'] }],
    checks: [
      { name: 'positions_quantity_not_negative', expression: 'quantity >= 0' },
      { name: 'positions_closed_consistently', expression: "(status = 'closed') = (closed_at IS NOT NULL)" },
    ],
    indexes: [
      // One open position per account and symbol; closed ones accumulate.
      { name: 'positions_one_open_per_symbol', columns: ['account_id', 'symbol'], unique: true, where: "status = 'open'" },
      { columns: ['symbol', 'status'] },
    ],
  });

  new Table(stack, 'trades', {
    comment: 'Executions on the exchange, each filling part of a position',
    columns: {
      id: bigint().generatedAlwaysAsIdentity(),
      position_id: bigint().notNull(),
      exchange: varchar(32).notNull(),
      exchange_trade_id: varchar(128).notNull(),
      side: tradeSide.column().notNull(),
      price: numeric(30, 12).notNull(),
      quantity: numeric(38, 18).notNull(),
      fee: numeric(30, 12).notNull().default(0),
      fee_currency: varchar(16),
      tags: text().array().notNull().default([]),
      executed_at: timestamptz().notNull(),
      recorded_at: timestamptz().notNull().defaultSql('now()'),
    },
    primaryKey: ['id'],
    uniques: [{ columns: ['exchange', 'exchange_trade_id'] }],
    checks: [
      { name: 'trades_price_positive', expression: 'price > 0' },
      { name: 'trades_quantity_positive', expression: 'quantity > 0' },
      { name: 'trades_fee_not_negative', expression: 'fee >= 0' },
    ],
    indexes: [{ columns: ['position_id'] }, { columns: ['executed_at'], method: 'brin' }, { columns: ['tags'], method: 'gin' }],
    foreignKeys: [{ columns: ['position_id'], references: positions.ref('id'), onDelete: 'restrict' }],
  });
}
