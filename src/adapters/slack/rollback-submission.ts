/**
 * The confirm modal's submission → a typed rollback request, or errors shown under the fields.
 */
import { isCriticalTrigger, TRIGGERS, type Severity, type Trigger } from '../../domain/incident.ts';
import { ROLLBACK_FIELDS as F } from './action-ids.ts';
import { targetProblem, versionProblem } from './release-versions.ts';
import { dateTime, fieldErrors, selected, text, ticked, type Submission, type ViewStateValues } from './view-state.ts';

export interface RollbackSubmission {
  badVersion: string;
  /** null: take the worker's proposal. */
  targetVersion: string | null;
  severity: Severity;
  trigger: Trigger;
  critical: boolean;
  issueUrl: string | null;
  impactStartedAt: Date | null;
  detectedAt: Date;
  /** false: the responder unticked autopilot for this incident. */
  autopilot: boolean;
}

/** Clocks on laptops drift; a minute in the future is still "now". */
const CLOCK_SKEW_MS = 60_000;

export function parseRollbackSubmission(values: ViewStateValues | undefined, options: { now: Date }): Submission<RollbackSubmission> {
  const errors: Record<string, string> = {};
  const bad = text(values, F.badVersion);
  const target = text(values, F.targetVersion);
  const severity = selected(values, F.severity);
  const trigger = selected(values, F.trigger);
  const issueUrl = text(values, F.issueUrl);
  const impact = dateTime(values, F.impactStartedAt);
  const detected = dateTime(values, F.detectedAt);
  const latest = options.now.getTime() + CLOCK_SKEW_MS;

  const badProblem = bad ? versionProblem(bad, 'the bad release') : 'Name the bad release, like v1.2.3.';
  if (badProblem) errors[F.badVersion] = badProblem;
  const tp = target && targetProblem(target, bad ?? '');
  if (tp) errors[F.targetVersion] = tp;
  if (severity !== 'P1' && severity !== 'P2') errors[F.severity] = 'Pick P1 or P2.';
  if (!trigger || !(TRIGGERS as readonly string[]).includes(trigger)) errors[F.trigger] = 'Pick what triggered the rollback.';
  if (issueUrl && !isHttpUrl(issueUrl)) errors[F.issueUrl] = 'Paste the issue’s full https:// address, or leave it empty.';
  if (!detected) errors[F.detectedAt] = 'When was the problem detected? Now is fine.';
  else if (detected.getTime() > latest) errors[F.detectedAt] = 'Detection can’t be in the future.';
  if (impact && impact.getTime() > latest) errors[F.impactStartedAt] = 'The first bad request can’t be in the future.';
  else if (impact && detected && impact > detected) errors[F.impactStartedAt] = 'The first bad request must be before the detection time.';

  if (Object.keys(errors).length > 0 || !bad || !detected) return { ok: false, response: fieldErrors(errors) };
  return {
    ok: true,
    value: {
      badVersion: bad,
      targetVersion: target,
      severity: severity as Severity,
      trigger: trigger as Trigger,
      critical: isCriticalTrigger(trigger as Trigger),
      issueUrl,
      impactStartedAt: impact,
      detectedAt: detected,
      // An unticked box arrives as an empty list; no box at all (autopilot off in rollback.yml) means on.
      autopilot: ticked(values, F.autopilot, 'on') ?? true,
    },
  };
}

function isHttpUrl(value: string): boolean {
  return URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
}
