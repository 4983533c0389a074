// Each Bedrock service's table definitions, by service name.
import { DefineTables } from '../lib';
import { backtestingTables } from './backtesting/tables';
import { datahubTables } from './datahub/tables';
import { decisionEngineTables } from './decision_engine/tables';
import { mlopsTables } from './mlops/tables';
import { notificationTables } from './notification/tables';
import { portfolioTables } from './portfolio/tables';

export const bedrockTables: Readonly<Record<string, DefineTables>> = {
  datahub: datahubTables,
  decision_engine: decisionEngineTables,
  portfolio: portfolioTables,
  backtesting: backtestingTables,
  mlops: mlopsTables,
  notification: notificationTables,
};
