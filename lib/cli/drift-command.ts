// `drift [--service s] [--posture] [--json] [--env e]`: the database against the plan, per
// service (lib/catalog/drift-report.ts), and with --posture the whole-database checks. Prints one
// block per service (or, with --json, only the JSON document) and exits 0 when everything
// matches, 3 when services are only behind the plan, 7 on any drift or posture finding.
import { ClientBase } from 'pg';
import { BedrockProject } from '../project';
import { DriftDocument, driftReport, ServiceDrift } from '../catalog/drift-report';
import { DriftFinding } from '../catalog/drift-finding';
import { CliFailure, environmentNamed, Output, servicesOf } from './command-support';
import { EXIT, ExitCode, worstExit } from './exit-codes';

export interface DriftCommandOptions {
  /** Only this service. */
  readonly service?: string;
  /** Also check the whole database (PUBLIC, schema owners, roles). */
  readonly posture?: boolean;
  /** Print only the JSON document (DriftDocument). */
  readonly json?: boolean;
  /** Compare with this environment's services and access model (stacks/environments.ts). */
  readonly env?: string;
}

export async function driftCommand(client: ClientBase, project: BedrockProject, options: DriftCommandOptions, output: Output): Promise<void> {
  const environment = environmentNamed(project, options.env);
  const services = servicesOf(project, options.service, environment);
  const report = await driftReport(client, project, { services, environment, posture: options.posture });
  if (options.json) output.log(JSON.stringify(report, null, 2));
  else for (const line of driftLines(report)) output.log(line);
  const code = driftExit(report);
  if (code !== EXIT.ok) throw new CliFailure(driftSummary(report), code);
}

/** 0 when everything matches; 3 (pending) when services are only behind the plan; 7 (drift) on any drift or posture finding. */
export function driftExit(report: DriftDocument): ExitCode {
  const codes: ExitCode[] = report.services.map((s) => (s.state === 'drift' ? EXIT.drift : s.state === 'pending' ? EXIT.pending : EXIT.ok));
  if ((report.posture ?? []).length > 0) codes.push(EXIT.drift);
  return worstExit(codes);
}

/** The human form: a line per service, then its findings, each with its fix; then the posture. */
export function driftLines(report: DriftDocument): string[] {
  const lines = report.services.flatMap((service) => [headline(service), ...service.findings.flatMap((f) => findingLines(f.kind, f))]);
  if (report.posture !== null) {
    lines.push(report.posture.length === 0 ? 'posture: ok: PUBLIC, schema owners and the platform\'s roles are as the stacks make them' : `posture: ${report.posture.length} finding(s):`);
    for (const finding of report.posture) lines.push(...findingLines(finding.check, finding));
  }
  return lines;
}

function headline(service: ServiceDrift): string {
  const at = service.appliedThrough ?? 'no migration';
  if (service.state === 'ok') return `${service.service}: ok: the database holds the plan's head (${at}), with the owners and privileges of the access model`;
  if (service.state === 'pending') return `${service.service}: pending: ${service.pending.length} migration(s) to apply ${service.appliedThrough ? `after ${service.appliedThrough}` : '(none applied yet)'}; no drift`;
  return `${service.service}: DRIFT: ${service.findings.filter((f) => f.kind !== 'pending-migration').length} difference(s) from the plan${service.pending.length > 0 ? ` (and ${service.pending.length} migration(s) pending)` : ''}:`;
}

/** `  - [kind] message` and `    fix: ...`. */
function findingLines(label: string, finding: DriftFinding): string[] {
  return [`  - [${label}] ${finding.message}`, `    fix: ${finding.fix}`];
}

function driftSummary(report: DriftDocument): string {
  const drifted = report.services.filter((s) => s.state === 'drift').map((s) => s.service);
  const pending = report.services.filter((s) => s.state === 'pending').map((s) => s.service);
  const parts = [
    ...(drifted.length > 0 ? [`${drifted.length} service(s) differ from their plan (${drifted.join(', ')})`] : []),
    ...(pending.length > 0 ? [`${pending.length} service(s) behind their plan (${pending.join(', ')}): migrations to apply`] : []),
    ...((report.posture ?? []).length > 0 ? [`${report.posture!.length} posture finding(s)`] : []),
  ];
  return `drift: ${parts.join('; ')}`;
}
