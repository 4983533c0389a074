// Which service owns which legacy table, as the user says: the seed's "Table Ownership Registry"
// (a Markdown table whose first two columns are the table and its owner service) pasted into a
// file, or a list of tables on the command line. Service names are matched the way the seed
// writes them: `DataHubService` is datahub, `DecisionEngineService` is decision_engine.
import { ServiceRegistry } from '../services/service-registry';
import { identifierError } from '../sql/identifier';

/** Legacy table name -> owning service. */
export type LegacyOwnership = ReadonlyMap<string, string>;

export class OwnershipError extends Error {}

/** `DataHubService` -> `datahub`; `decision_engine` -> `decisionengine`. */
const comparable = (name: string): string =>
  name
    .toLowerCase()
    .replace(/service$/, '')
    .replace(/[^a-z0-9]/g, '');

function serviceNamed(registry: ServiceRegistry, written: string, where: string): string {
  const found = registry.names.find((name) => comparable(name) === comparable(written));
  if (!found) throw new OwnershipError(`${where}: "${written}" is not a registered service (${registry.names.join(', ')}): write one of those names, or register the service in stacks/services.ts`);
  return found;
}

const cells = (line: string): string[] =>
  line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim().replace(/^`(.*)`$/, '$1'));

/**
 * Reads a Markdown ownership table: the rows after a header whose first cell is `Table Name`
 * (or `Table`) and whose second is `Owner Service` (or `Owner`, `Service`). Rows of other tables
 * in the file (the seed's shared-write table, `| Table | Primary Owner | ...`) are not read.
 */
export function ownershipFromMarkdown(text: string, file: string, registry: ServiceRegistry): LegacyOwnership {
  const owners = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  let inTable = false;
  lines.forEach((line, index) => {
    const where = `${file} line ${index + 1}`;
    if (!line.trim().startsWith('|')) {
      inTable = false;
      return;
    }
    const [first = '', second = ''] = cells(line);
    // `| Table Name | Owner Service |`, not the shared-write table's `| Table | Primary Owner |`.
    if (/^table( name)?$/i.test(first) && /^(owner|owner service|service|owning service)$/i.test(second)) {
      inTable = true;
      return;
    }
    if (!inTable || /^:?-+:?$/.test(first)) return;
    const problem = identifierError(first);
    if (problem) throw new OwnershipError(`${where}: table "${first}": ${problem}`);
    const service = serviceNamed(registry, second, where);
    const earlier = owners.get(first);
    if (earlier !== undefined && earlier !== service) throw new OwnershipError(`${where}: table ${first} is given to ${service} here and to ${earlier} above: a table has exactly one owner`);
    owners.set(first, service);
  });
  if (owners.size === 0) throw new OwnershipError(`${file}: no ownership table found: expected a Markdown table whose header is "| Table Name | Owner Service | ... |", as in the seed's Table Ownership Registry`);
  return owners;
}

/** `--tables klines,chain_data` for one service. */
export function ownershipFromList(list: string, service: string): LegacyOwnership {
  const tables = list
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (tables.length === 0) throw new OwnershipError(`--tables: give the legacy tables ${service} owns, comma-separated, e.g. --tables klines,chain_data`);
  for (const table of tables) {
    const problem = identifierError(table);
    if (problem) throw new OwnershipError(`--tables: "${table}": ${problem}`);
  }
  return new Map(tables.map((table) => [table, service]));
}

/** The tables `service` owns, in the order they were given. */
export function tablesOwnedBy(ownership: LegacyOwnership, service: string): string[] {
  return [...ownership].filter(([, owner]) => owner === service).map(([table]) => table);
}
