// The 15 columns every generated benchmark table has, a realistic mix of types and defaults.
import { bigint, boolean, integer, jsonb, numeric, text, timestamptz, uuid, varchar } from '../lib';

export function benchColumns() {
  return {
    id: bigint().generatedAlwaysAsIdentity(),
    account_id: uuid().notNull(),
    symbol: varchar(32).notNull(),
    quantity: numeric(38, 18).notNull().default(0),
    price: numeric(30, 12).notNull(),
    status: text().notNull().default('open'),
    attempts: integer().notNull().default(0),
    active: boolean().notNull().default(true),
    payload: jsonb().notNull().default({}),
    note: text(),
    created_at: timestamptz().notNull().defaultSql('now()'),
    updated_at: timestamptz().notNull().defaultSql('now()'),
    closed_at: timestamptz(),
    external_id: varchar(128),
    version: integer().notNull().default(1),
  };
}
