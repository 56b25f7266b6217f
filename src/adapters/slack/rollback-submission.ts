/**
 * The confirm modal's submission → a typed rollback request, or errors shown under the fields.
 */
import { isCriticalTrigger, type Severity, TRIGGERS, type Trigger } from '../../domain/incident.ts';
import { checkIssueLink } from '../../domain/issue-links.ts';
import { parseRelease, targetProblem } from '../../domain/versions.ts';
import { ROLLBACK_FIELDS as F } from './action-ids.ts';
import { dateTime, fieldErrors, type Submission, selected, text, ticked, type ViewStateValues } from './view-state.ts';

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
  /** The responder ticked "This is a drill". */
  drill: boolean;
}

/** Clocks on laptops drift; a minute in the future is still "now". */
const CLOCK_SKEW_MS = 60_000;

/** `tagPattern` and `githubWebHost` as for /rollback (command-parser.ts CommandRules): one rule for both. */
export function parseRollbackSubmission(
  values: ViewStateValues | undefined,
  options: { now: Date; tagPattern: string; githubWebHost: string },
): Submission<RollbackSubmission> {
  const errors: Record<string, string> = {};
  const badInput = text(values, F.badVersion);
  const targetInput = text(values, F.targetVersion);
  const severity = selected(values, F.severity);
  const trigger = selected(values, F.trigger);
  const issueInput = text(values, F.issueUrl);
  const impact = dateTime(values, F.impactStartedAt);
  const detected = dateTime(values, F.detectedAt);
  const latest = options.now.getTime() + CLOCK_SKEW_MS;

  const badParse = badInput ? parseRelease(badInput, options.tagPattern, 'the bad release') : null;
  const bad = badParse?.ok ? badParse.tag : null;
  if (!badParse) errors[F.badVersion] = 'Name the bad release, like v1.2.3.';
  else if (!badParse.ok) errors[F.badVersion] = badParse.problem;
  const targetParse = targetInput ? parseRelease(targetInput, options.tagPattern, 'the target') : null;
  const target = targetParse?.ok ? targetParse.tag : null;
  const tp = targetParse && (targetParse.ok ? targetProblem(targetParse.tag, bad ?? '') : targetParse.problem);
  if (tp) errors[F.targetVersion] = tp;
  const issue = issueInput ? checkIssueLink(issueInput, options.githubWebHost) : null;
  if (issue && !issue.ok) errors[F.issueUrl] = issue.problem;
  if (severity !== 'P1' && severity !== 'P2') errors[F.severity] = 'Pick P1 or P2.';
  if (!trigger || !(TRIGGERS as readonly string[]).includes(trigger))
    errors[F.trigger] = 'Pick what triggered the rollback.';
  if (!detected) errors[F.detectedAt] = 'When was the problem detected? Now is fine.';
  else if (detected.getTime() > latest) errors[F.detectedAt] = 'Detection can’t be in the future.';
  if (impact && impact.getTime() > latest) errors[F.impactStartedAt] = 'The first bad request can’t be in the future.';
  else if (impact && detected && impact > detected)
    errors[F.impactStartedAt] = 'The first bad request must be before the detection time.';

  if (Object.keys(errors).length > 0 || !bad || !detected) return { ok: false, response: fieldErrors(errors) };
  return {
    ok: true,
    value: {
      badVersion: bad,
      targetVersion: target,
      severity: severity as Severity,
      trigger: trigger as Trigger,
      critical: isCriticalTrigger(trigger as Trigger),
      issueUrl: issue?.ok ? issue.url : null,
      impactStartedAt: impact,
      detectedAt: detected,
      // An unticked box arrives as an empty list; no box at all (autopilot off in rollback.yml) means on.
      autopilot: ticked(values, F.autopilot, 'on') ?? true,
      drill: ticked(values, F.drill, 'drill') ?? false,
    },
  };
}
