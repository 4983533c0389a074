// What Terraform runs when a change of the code adds or removes resources of a stack: the plan
// between two synthesized stacks, and the SQL the postgresql provider (cyrilgdn, v1.26.0) runs to
// delete a resource, as ../shared/PROVIDER_SQL.md records it (creation is test/support/provider-sql.ts):
// - grant_role: `REVOKE <grant_role> FROM <role>`;
// - grant: pgLockRole(<role>), then the REVOKE of its create (the listed privileges on the listed
//   objects, or ALL ... IN SCHEMA without objects), in one transaction;
// - role: pgLockRole(<role>), `REASSIGN OWNED BY <role> TO <provider user>`, `DROP OWNED BY <role>`,
//   `DROP ROLE <role>`, in one transaction.
import { ClientBase } from 'pg';
import { ProviderStep, stepsOf, transaction } from './provider-sql';

type Json = Record<string, any>;

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** A resource's configuration without its ordering (depends_on changes no resource). */
const configuration = (step: ProviderStep): string => {
  const { depends_on: _order, ...body } = step.body;
  return JSON.stringify(body);
};

/** What `terraform apply` of `after` does to a stack deployed from `before`, as resources. */
export interface StackPlan {
  /** In the order they are created. */
  readonly create: ProviderStep[];
  /** Same address, another configuration. */
  readonly change: ProviderStep[];
  /** In the order they are destroyed (the reverse of their creation). */
  readonly destroy: ProviderStep[];
}

export function planBetween(before: Json, after: Json): StackPlan {
  const was = stepsOf(before);
  const is = stepsOf(after);
  const at = (steps: ProviderStep[], address: string) => steps.find((s) => s.address === address);
  return {
    create: is.filter((s) => !at(was, s.address)),
    change: is.filter((s) => at(was, s.address) && configuration(at(was, s.address)!) !== configuration(s)),
    destroy: was.filter((s) => !at(is, s.address)).reverse(),
  };
}

async function lockRole(client: ClientBase, role: string): Promise<void> {
  await client.query('SET LOCAL statement_timeout = 0');
  await client.query('SELECT pg_advisory_xact_lock(oid::bigint) FROM pg_roles WHERE rolname = $1', [role]);
}

const TYPES: Record<string, string> = { table: 'TABLE', sequence: 'SEQUENCE' };

/** Runs what the provider runs to delete one resource (roles, memberships, table and sequence grants). */
export async function destroyStep(client: ClientBase, step: ProviderStep): Promise<void> {
  const b = step.body;
  switch (step.type) {
    case 'postgresql_grant_role':
      await client.query(`REVOKE ${ident(b.grant_role)} FROM ${ident(b.role)}`);
      return;
    case 'postgresql_grant':
      return transaction(client, async () => {
        await lockRole(client, b.role);
        const type = TYPES[b.object_type];
        if (!type) throw new Error(`destroyStep: ${step.address}: object type ${b.object_type} is not emulated`);
        const privileges = (b.privileges as string[]).join(', ') || 'ALL PRIVILEGES';
        if (b.objects) {
          await client.query(`REVOKE ${privileges} ON ${type} ${(b.objects as string[]).map((o) => `${ident(b.schema)}.${ident(o)}`).join(',')} FROM ${ident(b.role)}`);
        } else {
          await client.query(`REVOKE ALL PRIVILEGES ON ALL ${type}S IN SCHEMA ${ident(b.schema)} FROM ${ident(b.role)}`);
        }
      });
    case 'postgresql_role':
      return transaction(client, async () => {
        await lockRole(client, b.name);
        await client.query(`REASSIGN OWNED BY ${ident(b.name)} TO CURRENT_USER`);
        await client.query(`DROP OWNED BY ${ident(b.name)}`);
        await client.query(`DROP ROLE ${ident(b.name)}`);
      });
    default:
      throw new Error(`destroyStep: ${step.address}: ${step.type} is not emulated`);
  }
}
