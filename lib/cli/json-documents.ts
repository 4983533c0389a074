// What `--json` prints: one document per run on stdout and nothing else there, so CI can pipe it
// to jq. Every document says its shape version (`bedrock`) and its command; a field is never
// removed or changes meaning within a version. The README's command table links here.
import { HistoryRow } from '../runner/ledger';
import { ServiceStatus } from '../runner/status';
import { Rule } from '../rules/rule';
import { StatementRule } from '../statements/statement-rule';

/** The shape version of every document. */
export const JSON_VERSION = 1;

interface Document<C extends string> {
  readonly bedrock: typeof JSON_VERSION;
  readonly command: C;
}

/** `status --json`; exit code: the worst service state (README: exit codes). */
export interface StatusDocument extends Document<'status'> {
  /** The environment given with --env; null without one. */
  readonly environment: string | null;
  readonly services: readonly ServiceStatus[];
}

/** One row of `history --json`, oldest first. */
export interface HistoryEntry {
  /** ISO 8601, UTC. */
  readonly at: string;
  readonly action: HistoryRow['action'];
  readonly id: string;
  /** The database role that ran it. */
  readonly by: string;
  readonly durationMs: number | null;
  readonly error: string | null;
  /** e.g. where an adopted database came from. */
  readonly note: string | null;
}

/** `history <service> --json`. */
export interface HistoryDocument extends Document<'history'> {
  readonly service: string;
  readonly entries: readonly HistoryEntry[];
}

/** `check --json`; exit code 8 when any service has a problem. */
export interface CheckDocument extends Document<'check'> {
  /** No problem in any service (warnings do not count). */
  readonly ok: boolean;
  readonly services: readonly {
    readonly service: string;
    /** What `check` and synth refuse, one sentence each with its fix. */
    readonly problems: readonly string[];
    /** Lint warnings: printed, never refused. */
    readonly warnings: readonly string[];
  }[];
}

/** One rule of `rules --json`. */
export interface RuleEntry {
  /** e.g. BEDROCK-O3, BEDROCK-S1, BEDROCK-L4. */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** model: on the constructs, at synth; statement: on every migration statement; lint: on statements touching tables that may hold rows. */
  readonly kind: 'model' | 'statement' | 'lint';
  /** error: refused unless acknowledged; warning: printed. */
  readonly severity: 'error' | 'warning';
  readonly acknowledgeable: boolean;
  /** Where it is enforced when not by the rule pack (e.g. at construction); null otherwise. */
  readonly enforcedAt: string | null;
}

/** `rules --json`. */
export interface RulesDocument extends Document<'rules'> {
  readonly rules: readonly RuleEntry[];
}

export function historyEntry(row: HistoryRow): HistoryEntry {
  return { at: row.at.toISOString(), action: row.action, id: row.id, by: row.by, durationMs: row.duration_ms, error: row.error, note: row.note };
}

export function ruleEntry(rule: Rule | StatementRule, kind: RuleEntry['kind']): RuleEntry {
  const severity = 'severity' in rule && rule.severity === 'warning' ? 'warning' : 'error';
  return { id: rule.id, name: rule.name, description: rule.description, kind, severity, acknowledgeable: rule.acknowledgeable, enforcedAt: rule.enforcedAt ?? null };
}

/** The document as printed: the only thing on stdout. */
export function printed<T extends Document<string>>(document: T): string {
  return JSON.stringify(document, null, 2);
}
