// Adopting a database built another way (the old Alembic process): when its schema equals the
// model, the service's whole chain is recorded as applied (status `baselined`) without running.
import { ClientBase } from 'pg';
import { schemaDrift } from '../catalog/drift';
import { Migration } from '../migrations/migration-file';
import { ServiceSchema } from '../migrations/service-schema';
import { ensureLedger, ledgerRows, recordBaselined } from './ledger';
import { RunnerError } from './runner';
import { ownerRoleName } from '../services/service-registry';
import { lockService, unlockService } from './service-lock';

/** The objects of the schema not owned by its owner role, one sentence each with the fix. */
async function foreignOwners(client: ClientBase, schema: string, owner: string): Promise<string[]> {
  const { rows } = await client.query<{ kind: string; name: string; owner: string }>(
    `SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'i' THEN 'index' ELSE 'table' END AS kind, c.relname AS name, pg_catalog.pg_get_userbyid(c.relowner) AS owner
       FROM pg_catalog.pg_class c WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1) AND c.relkind IN ('r', 'p', 'S') AND c.relowner <> pg_catalog.to_regrole($2::text)
     UNION ALL
     SELECT 'type', t.typname, pg_catalog.pg_get_userbyid(t.typowner) FROM pg_catalog.pg_type t
      WHERE t.typnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1) AND t.typtype = 'e' AND t.typowner <> pg_catalog.to_regrole($2::text)
      ORDER BY 1, 2`,
    [schema, owner],
  );
  return rows.map((r) => `${r.kind} ${schema}.${r.name} is owned by ${r.owner}, not ${owner}: migrations run as ${owner} and would fail with "must be owner"; ALTER ${r.kind === 'type' ? 'TYPE' : r.kind.toUpperCase()} ${schema}.${r.name} OWNER TO ${owner} (or take legacy tables over with \`adopt\`)`);
}

export async function baselineService(client: ClientBase, model: ServiceSchema, migrations: readonly Migration[]): Promise<void> {
  const service = model.service;
  await lockService(client, service, { waitMs: 60_000 });
  try {
    await ensureLedger(client);
    if ((await ledgerRows(client, service)).length > 0) {
      throw new RunnerError(`${service}: the ledger already records migrations for this service: baseline is only for a database that never ran them`);
    }
    // The next migration runs as the owner role: an object someone else owns makes it fail with
    // "must be owner", so it is refused now, not then.
    const differences = [...(await schemaDrift(client, model)), ...(await foreignOwners(client, model.schema, ownerRoleName(service)))];
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
