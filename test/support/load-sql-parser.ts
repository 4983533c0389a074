// Every test file may define tables, which needs the SQL parser loaded.
import { loadSqlParser } from '../../lib';

beforeAll(async () => {
  await loadSqlParser();
});
