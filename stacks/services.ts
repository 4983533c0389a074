// Project Bedrock's services: the one registry every stack, check and document reads.
// Adding a service is one line here, plus its folder under stacks/.
import { ServiceRegistry } from '../lib';

export const bedrockServices = new ServiceRegistry([
  { name: 'datahub', team: '@project-bedrock/datahub', description: 'Market and on-chain data ingestion' },
  { name: 'decision_engine', team: '@project-bedrock/decision-engine', description: 'Trading signals' },
  { name: 'portfolio', team: '@project-bedrock/portfolio', description: 'Positions and trade history' },
  { name: 'backtesting', team: '@project-bedrock/backtesting', description: 'Backtest tasks and reports' },
  { name: 'mlops', team: '@project-bedrock/mlops', description: 'Model training and the model registry' },
  { name: 'notification', team: '@project-bedrock/notification', description: 'Alerts and messages to users' },
]);
