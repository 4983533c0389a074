// The runner's connection: DATABASE_URL when set, else the standard PG* variables (the same
// ones the postgresql provider reads). Nothing about it is ever printed.
import { Client } from 'pg';

export async function connect(): Promise<Client> {
  const url = process.env.DATABASE_URL;
  const client = new Client(url ? { connectionString: url } : {});
  try {
    await client.connect();
  } catch (error) {
    const where = url ? 'DATABASE_URL' : 'the PG* variables (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD)';
    throw new Error(`Cannot connect to PostgreSQL with ${where}: ${(error as Error).message}`);
  }
  return client;
}
