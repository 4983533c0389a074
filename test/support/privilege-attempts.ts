// The statements an access test tries as an app role, one per operation, each harmless when
// allowed (no row changes: `WHERE false`, DEFAULT VALUES rolled back by the caller).
import { Client } from 'pg';

export type Operation = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE' | 'ALTER' | 'DROP' | 'CREATE INDEX' | 'FOREIGN KEY';

/** The statement trying `operation` on `table` (schema-qualified). */
export function attempt(operation: Operation, table: string): string {
  switch (operation) {
    case 'SELECT': return `SELECT * FROM ${table} LIMIT 1`;
    case 'INSERT': return `INSERT INTO ${table} DEFAULT VALUES`;
    case 'UPDATE': return `UPDATE ${table} SET id = DEFAULT WHERE false`;
    case 'DELETE': return `DELETE FROM ${table} WHERE false`;
    case 'TRUNCATE': return `TRUNCATE ${table}`;
    case 'ALTER': return `ALTER TABLE ${table} ADD COLUMN intruder integer`;
    case 'DROP': return `DROP TABLE ${table}`;
    case 'CREATE INDEX': return `CREATE INDEX intruder_idx ON ${table} (id)`;
    case 'FOREIGN KEY': return `CREATE TABLE ${table.split('.')[0]}.intruder (id bigint REFERENCES ${table} (id))`;
  }
}

/** A session of the database at `url` as `role` with `password`, connected. */
export async function connectAs(url: string, role: string, password: string): Promise<Client> {
  const as = new URL(url);
  as.username = role;
  as.password = password;
  const client = new Client({ connectionString: as.toString() });
  await client.connect();
  return client;
}
