// Creating the cdktf App: the SQL parser that validates names and expressions is loaded first.
import { App, AppConfig } from './cdk';
import { loadSqlParser } from './sql/parser';

/** A cdktf App, ready for tables to be defined in it. */
export async function createApp(config?: AppConfig): Promise<App> {
  await loadSqlParser();
  return new App(config);
}
