// What the platform stack's postgresql provider would have done before migrations run, as
// plain SQL on the test database: an owner role per service owning the service's schema.
// Roles are cluster-wide, so they are created once and shared by the run's databases.
import { ownerRoleName, quoteIdentifier } from '../../lib';
import { TestDatabase } from './database';

export async function prepareServices(db: TestDatabase, services: readonly string[]): Promise<void> {
  for (const service of services) {
    const owner = quoteIdentifier(ownerRoleName(service));
    // CREATE ROLE has no IF NOT EXISTS; another test file may have made the role already.
    const exists = await db.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [ownerRoleName(service)]);
    if (exists.rowCount === 0) await db.query(`CREATE ROLE ${owner} NOLOGIN`);
    await db.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(service)} AUTHORIZATION ${owner}`);
  }
}
