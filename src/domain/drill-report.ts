/**
 * The drill report (issue 9 §3): the team's rehearsal score, computed from the timeline alone.
 * TTD/TTR and the SLA verdicts use the same definitions as the checklist (times.ts); on top, the
 * incident's wall-clock time is split by who it waited on:
 * - rollouts: a step that waits on Kubernetes rollouts was running (revert_images, backup_promote);
 * - the bot: some other step was queued or running (the bot, GitHub, the database were working);
 * - humans: nothing was queued or running — the next move was a person's (approve, confirm, run).
 * Pure: every time (and `now`) comes in as an argument.
 */
import type { StepId } from './steps.ts';
import { exhaustive, type StoredTimelineBody } from './timeline-events.ts';
import {
  type Durations,
  durationsOf,
  formatDurationMs,
  type IncidentTimes,
  MILESTONE_TITLES,
  type SlaBudgets,
  type SlaVerdict,
  slaVerdicts,
} from './times.ts';

/** Steps whose running time is mostly a Kubernetes rollout. */
export const ROLLOUT_STEPS: readonly StepId[] = ['revert_images', 'backup_promote'];

export interface ReportEvent {
  kind: StoredTimelineBody['kind'];
  stepId: StepId | null;
  at: Date;
}

export interface DrillReportInput {
  incident: IncidentTimes & { createdAt: Date };
  events: readonly ReportEvent[];
  budgets: SlaBudgets;
  forwardFixAt: Date | null;
  now: Date;
}

export interface DrillReport {
  durations: Durations;
  /** From the incident's start to its close (or now, while open). */
  totalMs: number;
  waiting: { humansMs: number; botMs: number; rolloutsMs: number };
  sla: SlaVerdict[];
  /** Every SLA met: the rehearsal passed; pending while an SLA can still be met. */
  verdict: 'passed' | 'failed' | 'pending';
  finished: boolean;
}

/**
 * What an event means for the split: it closes the incident, puts its step to work (queued, or
 * running in a worker), settles its step (done, or waiting on a person), or changes neither.
 */
type Effect = 'closing' | 'queued' | 'running' | 'settled' | 'none';

function effectOf(kind: ReportEvent['kind']): Effect {
  switch (kind) {
    case 'incident_resolved':
    case 'incident_aborted':
      return 'closing';
    case 'step_queued':
      return 'queued';
    case 'step_started':
    case 'step_resumed':
    case 'step_retrying':
      return 'running';
    case 'step_succeeded':
    case 'step_failed':
    case 'step_awaiting_approval':
    case 'step_awaiting_confirmation':
    case 'step_skipped':
    case 'step_aborted':
      return 'settled';
    // Progress happens while running; approvals, refusals and notices move no step by themselves.
    case 'incident_started':
    case 'step_progress':
    case 'approval_given':
    case 'action_refused':
    case 'target_approved':
    case 'app_restored':
    case 'incident_marked_critical':
    case 'sla_reminder':
    case 'sla_breached':
    case 'times_corrected':
    case 'unknown':
      return 'none';
    default:
      exhaustive(kind);
      return 'none';
  }
}

type Who = 'humans' | 'bot' | 'rollouts';

function whoWorks(active: ReadonlyMap<StepId, 'queued' | 'running'>): Who {
  if ([...active].some(([id, state]) => state === 'running' && ROLLOUT_STEPS.includes(id))) return 'rollouts';
  return active.size > 0 ? 'bot' : 'humans';
}

export function drillReport(input: DrillReportInput): DrillReport {
  const { incident, now } = input;
  const events = [...input.events].sort((a, b) => a.at.getTime() - b.at.getTime());
  const start = incident.createdAt.getTime();
  const closing = events.find((e) => effectOf(e.kind) === 'closing');
  const end = closing ? closing.at.getTime() : (incident.resolvedAt ?? now).getTime();
  const waiting = { humansMs: 0, botMs: 0, rolloutsMs: 0 };
  const active = new Map<StepId, 'queued' | 'running'>();
  let cursor = start;
  const spend = (until: number) => {
    const upTo = Math.min(until, end);
    if (upTo <= cursor) return;
    waiting[`${whoWorks(active)}Ms`] += upTo - cursor;
    cursor = upTo;
  };
  for (const e of events) {
    spend(e.at.getTime());
    if (!e.stepId) continue;
    const effect = effectOf(e.kind);
    if (effect === 'queued' || effect === 'running') active.set(e.stepId, effect);
    else if (effect === 'settled') active.delete(e.stepId);
  }
  spend(end);
  const sla = slaVerdicts(incident, input.budgets, input.forwardFixAt, now);
  const verdict = sla.some((s) => s.verdict === 'missed')
    ? 'failed'
    : sla.every((s) => s.verdict === 'met')
      ? 'passed'
      : 'pending';
  return {
    durations: durationsOf(incident),
    totalMs: Math.max(0, end - start),
    waiting,
    sla,
    verdict,
    finished: incident.state !== 'open',
  };
}

const dur = (ms: number | null) => (ms === null ? '—' : formatDurationMs(ms));
const share = (ms: number, total: number) => (total > 0 ? ` (${Math.round((ms / total) * 100)}%)` : '');

/** The report as Markdown: what the console shows and `rollback-commander drill` prints at the end. */
export function renderDrillReport(r: DrillReport): string {
  const { humansMs, botMs, rolloutsMs } = r.waiting;
  const title =
    r.verdict === 'passed'
      ? 'passed: every SLA met'
      : r.verdict === 'failed'
        ? 'failed: an SLA was missed'
        : 'in progress';
  return [
    `## Drill report — ${title}`,
    '',
    `- **TTD** ${dur(r.durations.ttdMs)} · **time to decide** ${dur(r.durations.decideMs)} · **TTR** ${dur(r.durations.ttrMs)} · **impact** ${dur(r.durations.impactMs)}`,
    `- **Total** ${dur(r.totalMs)}: waiting on humans ${dur(humansMs)}${share(humansMs, r.totalMs)} · on the bot ${dur(botMs)}${share(botMs, r.totalMs)} · on rollouts ${dur(rolloutsMs)}${share(rolloutsMs, r.totalMs)}`,
    ...r.sla.map(
      (s) =>
        `- ${MILESTONE_TITLES[s.milestone]} within ${formatDurationMs(s.budgetMs)}: **${s.verdict}** (${formatDurationMs(s.tookMs)})`,
    ),
  ].join('\n');
}
