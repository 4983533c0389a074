// The decision engine owns trading signals. Portfolio reads them to open positions.
import { EnumType, jsonb, numeric, ServiceStack, Table, timestamptz, uuid, varchar } from '../../lib';

export function decisionEngineTables(stack: ServiceStack): void {
  const direction = new EnumType(stack, 'signal_direction', { values: ['long', 'short', 'flat'] });
  const status = new EnumType(stack, 'signal_status', { values: ['active', 'expired', 'executed', 'cancelled'] });

  new Table(stack, 'signals', {
    comment: 'Trading signals produced by strategies and models',
    columns: {
      id: uuid().notNull().defaultSql('gen_random_uuid()'),
      symbol: varchar(32).notNull(),
      strategy: varchar(64).notNull(),
      direction: direction.column().notNull(),
      strength: numeric(5, 4).notNull().comment('Signal strength from 0 to 1'),
      confidence: numeric(5, 4),
      ml_model_id: uuid().comment('The mlops model that produced the signal (application-level reference to mlops.ml_models)'),
      features: jsonb().notNull().default({}),
      status: status.column().notNull().default('active'),
      generated_at: timestamptz().notNull().defaultSql('now()'),
      expires_at: timestamptz(),
    },
    primaryKey: ['id'],
    appReferences: [{ columns: ['ml_model_id'], table: 'mlops.ml_models', targetColumns: ['id'] }],
    checks: [
      { name: 'signals_strength_range', expression: 'strength BETWEEN 0 AND 1' },
      { name: 'signals_confidence_range', expression: 'confidence IS NULL OR confidence BETWEEN 0 AND 1' },
      { name: 'signals_expiry_after_generation', expression: 'expires_at IS NULL OR expires_at > generated_at' },
    ],
    indexes: [
      { columns: ['symbol', { column: 'generated_at', order: 'desc' }] },
      { name: 'signals_active_idx', columns: ['symbol', 'strategy'], where: "status = 'active'" },
    ],
  });
}
