// Adopting a database built another way (the old Alembic process): when its schema equals the
// model, the service's whole chain is recorded as applied (status `baselined`) without running.
import { ClientBase } from 'pg';
import { schemaDrift } from '../catalog/drift';
import { Migration } from '../migrations/migration-file';
import { ServiceSchema } from '../migrations/service-schema';
import { ensureLedger, ledgerRows, recordBaselined } from './ledger';
import { RunnerError } from './runner';
import { lockService, unlockService } from './service-lock';

export async function baselineService(client: ClientBase, model: ServiceSchema, migrations: readonly Migration[]): Promise<void> {
  const service = model.service;
  await lockService(client, service, { waitMs: 60_000 });
  try {
    await ensureLedger(client);
    if ((await ledgerRows(client, service)).length > 0) {
      throw new RunnerError(`${service}: the ledger already records migrations for this service: baseline is only for a database that never ran them`);
    }
    const differences = await schemaDrift(client, model);
    if (differences.length > 0) {
      throw new RunnerError(`${service}: REFUSED: the database differs from the tables in code, so it cannot be recorded as at the head:\n${differences.map((d) => `  - ${d}`).join('\n')}`);
    }
    await client.query('BEGIN');
    try {
      for (const m of migrations) await recordBaselined(client, { service, id: m.id, checksum: m.checksum, up: m.up, down: m.down, transactional: m.transactional });
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    await unlockService(client, service);
  }
}
