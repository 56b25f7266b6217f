/**
 * One line per timeline event for the #incidents thread (everything, for responders) and the
 * #releases thread (milestones only, for stakeholders). Every line starts with its UTC time so
 * the thread doubles as the incident log people paste into the postmortem.
 */
import type { TimelineEvent } from '../../domain/incident.ts';
import { TRIGGER_TITLES, type Trigger } from '../../domain/incident.ts';
import { isStepId, type Role, type StepId, stepDefinition } from '../../domain/steps.ts';
import { exhaustive, type StoredTimelineBody, storedKind } from '../../domain/timeline-events.ts';
import {
  actorMention,
  escapeMrkdwn,
  formatDurationMs,
  formatUtcTime,
  issueLink,
  mention,
  ROLE_TITLES,
  truncate,
} from './formatting.ts';
import { parseResolutionReport, renderResolutionMrkdwn } from './resolution-mrkdwn.ts';

/** A timeline event as the thread needs it (no ids): its kind and payload, where and who. */
export type ThreadEvent = StoredTimelineBody & Pick<TimelineEvent, 'stepId' | 'actor' | 'at'>;

/** Errors are often whole stack traces or API bodies; the thread gets the start of them. */
const ERROR_MAX = 1500;
/** Slack renders up to 40 000 characters of `text`, but a readable thread line is much shorter. */
const LINE_MAX = 3000;

const SLA_WORDS: Record<string, string> = { decide: 'rollback decision', restore: 'service restore' };

const DEFAULT_FAILURE_HINT =
  'fix the cause, then press *Retry* on the checklist, or *Skip…* it with a reason (captain).';

const ACTION_WORDS: Record<string, string> = {
  run: 'Run',
  retry: 'Retry',
  approve: 'Approve',
  confirm: 'Confirm',
  skip: 'Skip',
  abort: 'Abort',
  start: '/rollback',
  abort_incident: 'Abort rollback',
  correct_times: 'correct times',
  mark_critical: 'mark critical',
};

/** Database outcomes stakeholders hear about; a failure is not an outcome yet (it may be retried). */
const DATABASE_OUTCOME_STEPS: readonly StepId[] = [
  'migration_revert',
  'backup_restore',
  'backup_promote',
  'backup_abandon',
];

export function isMilestone(event: ThreadEvent): boolean {
  switch (event.kind) {
    case 'incident_started':
    case 'target_approved':
    case 'app_restored':
    case 'incident_resolved':
    case 'incident_aborted':
    case 'incident_marked_critical':
      return true;
    case 'step_succeeded':
    case 'step_skipped':
      return event.stepId !== null && DATABASE_OUTCOME_STEPS.includes(event.stepId);
    case 'step_queued':
    case 'step_started':
    case 'step_resumed':
    case 'step_progress':
    case 'step_awaiting_approval':
    case 'step_awaiting_confirmation':
    case 'step_failed':
    case 'step_retrying':
    case 'step_aborted':
    case 'approval_given':
    case 'action_refused':
    case 'sla_reminder':
    case 'sla_breached':
    case 'times_corrected':
    case 'unknown':
      return false;
    default:
      exhaustive(event);
      return false;
  }
}

/** `count`: how many identical events this line stands for (a storm of refused clicks). */
export function formatThreadLine(event: ThreadEvent, count = 1): string {
  const line = `\`${formatUtcTime(event.at)} UTC\` ${lineBody(event, count)}`;
  return truncate(line, LINE_MAX);
}

type Payload = Record<string, unknown>;

/**
 * One line per timeline event kind (domain/timeline-events.ts). Payloads are read defensively
 * (`str`, `num`): rows written by an older build may lack a field. A kind this build does not know
 * gets a generic line.
 */
function lineBody(event: ThreadEvent, count: number): string {
  const step = stepTitle(event.stepId);
  const who = actorMention(event.actor, event.payload.via);
  const p: Payload = event.payload;
  switch (event.kind) {
    case 'incident_started':
      return incidentStarted(event);
    case 'step_queued':
      return (
        autopilotLine(p, step) ??
        ((num(p, 'attempt') ?? 1) > 1
          ? `:repeat: ${step} queued again by ${who} (attempt ${num(p, 'attempt')})`
          : `:hourglass_flowing_sand: ${step} queued by ${who}`)
      );
    case 'step_started':
      return `:arrow_forward: ${step} started${(num(p, 'attempt') ?? 1) > 1 ? ` (attempt ${num(p, 'attempt')})` : ''}`;
    case 'step_progress': {
      const deployment = str(p, 'deployment');
      return `:small_blue_diamond: ${step}${deployment ? ` · \`${escapeMrkdwn(deployment)}\`` : ''}: ${text(p, 'message')}`;
    }
    case 'step_succeeded':
      return `:white_check_mark: ${step} succeeded${detail(p, 'summary')}`;
    case 'step_awaiting_approval':
      return `:raised_hand: ${step} needs approval${detail(p, 'summary')}`;
    case 'step_awaiting_confirmation':
      return `:eyes: ${step} needs a person to check and press *Confirm*${detail(p, 'summary')}`;
    case 'step_failed': {
      const hint = str(p, 'hint') ? escapeMrkdwn(str(p, 'hint') ?? '') : DEFAULT_FAILURE_HINT;
      return `:x: ${step} failed: ${escapeMrkdwn(truncate(str(p, 'error') ?? 'no reason given', ERROR_MAX))}\n*Next:* ${hint}`;
    }
    case 'step_skipped':
      return `:fast_forward: ${step} skipped by ${who}${detail(p, 'reason')}`;
    case 'step_aborted':
      return `:octagonal_sign: ${step} aborted by ${who}${detail(p, 'reason')}`;
    case 'approval_given': {
      const role = str(p, 'role');
      return `:ballot_box_with_check: ${who} approved ${step}${role && role in ROLE_TITLES ? ` as ${ROLE_TITLES[role as Role]}` : ''}`;
    }
    case 'action_refused': {
      const action = str(p, 'action') ?? 'an action';
      const on = event.stepId ? ` on ${step}` : '';
      const times = count > 1 ? ` ×${count}` : '';
      return `:no_entry: ${who} pressed *${ACTION_WORDS[action] ?? escapeMrkdwn(action)}*${on}: refused${times}, ${text(p, 'reason')}`;
    }
    case 'target_approved':
      return `:dart: Target release \`${text(p, 'targetVersion')}\` approved by ${who}`;
    case 'app_restored': {
      const skipped = Array.isArray(p.skipped) ? (p.skipped as { stepId?: string; summary?: string | null }[]) : [];
      const ttr = num(p, 'ttrMs');
      const base = `:large_green_circle: Application restored${ttr !== undefined ? ` · TTR ${formatDurationMs(ttr)}` : ''}`;
      if (skipped.length === 0) return `${base}: smoke tests, queue health and the auth check passed`;
      const list = skipped
        .map((s) => `${stepTitle(s.stepId ?? null)}${s.summary ? ` (${escapeMrkdwn(truncate(s.summary, 300))})` : ''}`)
        .join(', ');
      return `${base}: validation passed, but skipped: ${list}`;
    }
    case 'incident_resolved': {
      // The report, not the Markdown `summary`: that one is for GitHub and the export.
      const report = parseResolutionReport(p.report);
      return `:checkered_flag: Incident resolved by ${who}${metrics(p)}${report ? `\n${truncate(renderResolutionMrkdwn(report), LINE_MAX - 200)}` : ''}`;
    }
    case 'step_retrying':
      return `:warning: ${step} hit a temporary error (try ${num(p, 'try') ?? '?'} of ${num(p, 'maxTries') ?? '?'}), retrying: ${escapeMrkdwn(truncate(str(p, 'error') ?? '', ERROR_MAX))}`;
    case 'step_resumed':
      return `:arrows_counterclockwise: ${step} resumed by a worker (the previous one stopped or the step is being retried); what it already did is kept`;
    case 'sla_reminder':
      return `:alarm_clock: ${Math.round(num(p, 'percent') ?? 0)}% of the ${SLA_WORDS[str(p, 'milestone') ?? ''] ?? 'SLA'} budget is used${str(p, 'dueAt') ? ` — due ${formatUtcTime(new Date(str(p, 'dueAt') ?? ''))} UTC` : ''}`;
    case 'sla_breached': {
      const mentioned = Array.isArray(p.mention)
        ? (p.mention as unknown[])
            .filter((u): u is string => typeof u === 'string')
            .map((u) => mention(u))
            .join(' ')
        : '';
      return `:rotating_light: SLA breached: the ${SLA_WORDS[str(p, 'milestone') ?? ''] ?? 'SLA'} was due ${str(p, 'dueAt') ? `at ${formatUtcTime(new Date(str(p, 'dueAt') ?? ''))} UTC` : 'already'}${mentioned ? ` ${mentioned}` : ''}`;
    }
    case 'incident_marked_critical':
      return `:warning: ${who} marked the incident *critical*${detail(p, 'reason')}: the backup restore is offered`;
    case 'times_corrected':
      return `:pencil2: ${who} corrected *${text(p, 'field')}* from ${text(p, 'from')} to ${text(p, 'to')}`;
    case 'incident_aborted':
      return `:octagonal_sign: Rollback aborted by ${who}${detail(p, 'reason')}`;
    case 'unknown':
      break;
    default:
      exhaustive(event);
  }
  return `:grey_question: ${escapeMrkdwn(storedKind(event).replace(/_/g, ' '))}${event.stepId ? ` · ${step}` : ''} by ${who}`;
}

/** An automatic start names the click behind it, never as if that person had pressed Run. */
function autopilotLine(p: Payload, step: string): string | null {
  const auto = p.autopilot as { after?: { actor?: string; what?: string }; because?: string } | undefined;
  if (!auto || typeof auto !== 'object') return null;
  const because = typeof auto.because === 'string' ? ` (${escapeMrkdwn(auto.because)})` : '';
  const after = auto.after?.actor
    ? `, after ${mention(auto.after.actor)} ${escapeMrkdwn(auto.after.what ?? 'acted')}`
    : '';
  return `:robot_face: ${step} started by autopilot${because}${after}`;
}

function incidentStarted(event: ThreadEvent): string {
  const p: Payload = event.payload;
  const trigger = str(p, 'trigger');
  const title =
    trigger && trigger in TRIGGER_TITLES ? TRIGGER_TITLES[trigger as Trigger] : trigger && escapeMrkdwn(trigger);
  const issue = str(p, 'issueUrl');
  const drill = p.drill === true ? ':test_tube: *DRILL* — ' : '';
  const parts = [
    `${drill}:rotating_light: ${actorMention(event.actor, p.via)} started a *${text(p, 'severity')}*${drill ? ' drill' : ''} rollback of \`${text(p, 'badVersion')}\``,
  ];
  if (title) parts.push(title);
  if (issue) parts.push(issueLink(issue));
  return parts.join(' · ');
}

function metrics(p: Payload): string {
  const parts: string[] = [];
  const ttd = num(p, 'ttdMs');
  const ttr = num(p, 'ttrMs');
  if (ttd !== undefined) parts.push(`TTD ${formatDurationMs(ttd)}`);
  if (ttr !== undefined) parts.push(`TTR ${formatDurationMs(ttr)}`);
  return parts.length ? ` · ${parts.join(' · ')}` : '';
}

function stepTitle(stepId: string | null): string {
  if (!stepId) return '*the incident*';
  return isStepId(stepId) ? `*${stepDefinition(stepId).title}*` : `*${escapeMrkdwn(stepId)}*`;
}

function str(p: Payload, key: string): string | undefined {
  const v = p[key];
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

function num(p: Payload, key: string): number | undefined {
  const v = p[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function text(p: Payload, key: string): string {
  return escapeMrkdwn(str(p, key) ?? '?');
}

/** ": <value>" for an optional free-text payload field, or nothing. */
function detail(p: Payload, key: string): string {
  const v = str(p, key);
  return v ? `: ${escapeMrkdwn(truncate(v, ERROR_MAX))}` : '';
}
