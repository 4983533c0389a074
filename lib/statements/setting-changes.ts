// What BEDROCK-S2 says about SET and RESET. The runner opens each migration's transaction with
// SET LOCAL lock_timeout and statement_timeout, and pins search_path and the role. A migration
// may only SET LOCAL a short allowlist: a plain SET or a RESET changes the session, so it
// outlives the migration's transaction and holds for every later migration of the deploy
// (RESET lock_timeout even lifts the runner's bound). The timeouts are never turned off.
import { StatementContext } from './statement-context';
import { ParsedStatement } from './statement-rule';
import { isNode, SyntaxNode, unwrap } from './syntax-tree';

/** Settings a migration may change with SET LOCAL: limits and memory for its own statements. */
export const ALLOWED_SETTINGS: readonly string[] = [
  'lock_timeout',
  'statement_timeout',
  'idle_in_transaction_session_timeout',
  'maintenance_work_mem',
  'work_mem',
  'max_parallel_maintenance_workers',
  'client_min_messages',
];

/** Settings the runner pins, which name resolution and literal quoting rely on. */
const PINNED_SETTINGS = new Set(['search_path', 'standard_conforming_strings']);

/** Limits on waiting, in milliseconds, where 0 means no limit at all. */
const BOUNDED_SETTINGS = new Set(['lock_timeout', 'statement_timeout', 'idle_in_transaction_session_timeout']);

const GIVE_A_LIMIT = "every wait stays bounded: give a limit, e.g. SET LOCAL statement_timeout = '30min'";

/**
 * What is wrong with a SET or RESET statement. `roleSwitch` explains SET ROLE and SET SESSION
 * AUTHORIZATION, which BEDROCK-S2 words the same wherever they come from.
 */
export function settingProblems(statement: ParsedStatement, context: StatementContext, roleSwitch: string): string[] {
  const { node, label } = statement;
  const name = String(node.name ?? '').toLowerCase();
  if (node.kind === 'VAR_RESET_ALL') return [`${label} resets the role and the settings the runner pinned; remove it`];
  if (name === 'role' || name === 'session_authorization') return [roleSwitch];
  if (PINNED_SETTINGS.has(name)) {
    return [
      `${label} ${name} changes a setting the runner pins (search_path to pg_catalog, ${context.schema}, public; standard_conforming_strings on), which name resolution and quoting rely on: remove it (qualify names with ${context.schema} where needed)`,
    ];
  }
  if (node.kind === 'VAR_SET_MULTI' || !ALLOWED_SETTINGS.includes(name)) {
    return [`${label} ${name}: a migration may set only ${ALLOWED_SETTINGS.join(', ')}; remove it (or open an issue if a migration needs it)`];
  }
  const session =
    node.is_local === true
      ? []
      : [
          `${label} ${name} changes the session, so it lasts past the migration's transaction and holds for every later migration of the deploy (RESET also undoes the limits the runner set): use SET LOCAL: it ends with the migration's transaction`,
        ];
  return [...session, ...boundProblems(node, `${label} ${name}`)];
}

/**
 * A routine's own `SET lock_timeout = 0` (CREATE/ALTER FUNCTION ... SET) lifts the limit
 * while it runs: the timeouts stay bounded there too. (Its RESET or DEFAULT only removes the
 * routine's own setting, so the limit in force where it is called holds.)
 */
export function routineSettingProblems(node: SyntaxNode, label: string): string[] {
  const name = String(node.name ?? '').toLowerCase();
  return node.kind === 'VAR_SET_VALUE' ? boundProblems(node, `${label} ... SET ${name}`) : [];
}

/** A timeout set to 0 (no limit), under 1 ms, negative, to its default, or to something unreadable. */
function boundProblems(node: SyntaxNode, shown: string): string[] {
  const name = String(node.name ?? '').toLowerCase();
  if (!BOUNDED_SETTINGS.has(name)) return [];
  if (node.kind === 'VAR_SET_DEFAULT' || node.kind === 'VAR_RESET') {
    return [`${shown} returns it to the server's default, which is no limit unless the server sets one; ${GIVE_A_LIMIT}`];
  }
  if (node.kind !== 'VAR_SET_VALUE') return []; // FROM CURRENT keeps the limit in force
  const args = (node.args as unknown[]) ?? [];
  const value = args.length === 1 ? constantText(args[0]) : undefined;
  if (value === undefined) return [`${shown} is not set to one limit the statement rules can read (a number of milliseconds, or a number with a unit: us, ms, s, min, h, d); ${GIVE_A_LIMIT}`];
  const ms = milliseconds(value.text);
  if (ms === undefined) return [`${shown} = ${value.shown} is not a limit the statement rules can read (a number of milliseconds, or a number with a unit: us, ms, s, min, h, d); ${GIVE_A_LIMIT}`];
  if (ms < 1) return [`${shown} = ${value.shown} turns the limit off (PostgreSQL reads 0, and anything under 1ms, as no limit); ${GIVE_A_LIMIT}`];
  return [];
}

/** The text of a constant (`0`, `'5s'`, `0.5`) and how messages show it; undefined for anything else. */
function constantText(arg: unknown): { text: string; shown: string } | undefined {
  const constant = unwrap(arg, 'A_Const');
  if (!constant) return undefined;
  // libpg-query leaves out fields that hold their default: `ival: {}` is 0.
  if (isNode(constant.ival)) return { text: String(constant.ival.ival ?? 0), shown: String(constant.ival.ival ?? 0) };
  if (isNode(constant.fval)) return { text: String(constant.fval.fval), shown: String(constant.fval.fval) };
  if (isNode(constant.sval)) return { text: String(constant.sval.sval ?? ''), shown: `'${String(constant.sval.sval ?? '')}'` };
  return undefined;
}

const UNIT_MS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** A time setting's value in milliseconds, read as PostgreSQL reads it (unit ms when none); undefined when unreadable. */
function milliseconds(text: string): number | undefined {
  const match = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([a-z]*)\s*$/.exec(text);
  if (!match) return undefined;
  const factor = match[2] === '' ? 1 : UNIT_MS[match[2]];
  return factor === undefined ? undefined : Number(match[1]) * factor;
}
