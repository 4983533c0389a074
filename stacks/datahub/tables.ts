// DataHub owns market data (klines) and on-chain data. Every other service reads them.
import { bigint, EnumType, integer, jsonb, numeric, ServiceStack, Table, timestamptz, varchar } from '../../lib';

export function datahubTables(stack: ServiceStack): void {
  const klineInterval = new EnumType(stack, 'kline_interval', {
    values: ['1m', '5m', '15m', '1h', '4h', '1d', '1w'],
    comment: 'Candle widths the exchanges publish',
  });

  new Table(stack, 'klines', {
    comment: 'OHLCV candles per symbol and interval, as published by the exchange',
    columns: {
      id: bigint().generatedAlwaysAsIdentity(),
      symbol: varchar(32).notNull().comment('Exchange symbol, e.g. BTCUSDT'),
      interval: klineInterval.column().notNull(),
      open_time: timestamptz().notNull(),
      close_time: timestamptz().notNull(),
      open: numeric(30, 12).notNull(),
      high: numeric(30, 12).notNull(),
      low: numeric(30, 12).notNull(),
      close: numeric(30, 12).notNull(),
      volume: numeric(38, 18).notNull().comment('Base asset volume'),
      quote_volume: numeric(38, 18).notNull().default(0),
      trade_count: integer().notNull().default(0),
      taker_buy_base_volume: numeric(38, 18),
      taker_buy_quote_volume: numeric(38, 18),
      source: varchar(32).notNull().default('binance'),
      ingested_at: timestamptz().notNull().defaultSql('now()'),
    },
    primaryKey: ['id'],
    uniques: [{ columns: ['symbol', 'interval', 'open_time'] }],
    checks: [
      { name: 'klines_high_gte_low', expression: 'high >= low' },
      { name: 'klines_close_after_open', expression: 'close_time > open_time' },
      { name: 'klines_volume_not_negative', expression: 'volume >= 0 AND quote_volume >= 0 AND trade_count >= 0' },
    ],
    indexes: [
      // Time-ordered appends: a BRIN index is tiny and serves range scans over open_time.
      { columns: ['open_time'], method: 'brin' },
      { name: 'klines_symbol_recent_idx', columns: ['symbol', { column: 'open_time', order: 'desc' }] },
    ],
  });

  new Table(stack, 'chain_data', {
    comment: 'On-chain metrics per block',
    columns: {
      id: bigint().generatedAlwaysAsIdentity(),
      chain: varchar(32).notNull().comment('Chain name, e.g. ethereum'),
      block_number: bigint().notNull(),
      block_time: timestamptz().notNull(),
      metric: varchar(64).notNull(),
      value: numeric().notNull(),
      payload: jsonb().notNull().default({}),
      source: varchar(32).notNull(),
      ingested_at: timestamptz().notNull().defaultSql('now()'),
    },
    primaryKey: ['id'],
    uniques: [{ columns: ['chain', 'block_number', 'metric'] }],
    checks: [{ name: 'chain_data_block_number_not_negative', expression: 'block_number >= 0' }],
    indexes: [
      { columns: ['metric', 'block_time'] },
      { columns: [{ column: 'payload', opclass: 'jsonb_path_ops' }], method: 'gin' },
    ],
  });
}
