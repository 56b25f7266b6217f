/**
 * The incident summary `resolve` posts (thread, both channels, the GitHub issue): times and
 * durations as PRODUCT.md defines them, each SLA met or missed, the steps with who ran and who
 * approved them, the images before and after, and how long deploys were paused. Pure: the
 * snapshot, the skip reasons and `now` come in; Markdown goes out for GitHub and the export, and
 * a markup-free report (resolutionReport) for Slack, which renders it as mrkdwn itself: Slack
 * shows Markdown's ###, tables and **bold** as they are typed.
 */
import type { Incident, StepRecord, TimelineEvent } from '../../../domain/incident.ts';
import { RUNBOOK, type StepId } from '../../../domain/steps.ts';
import { ofKind } from '../../../domain/timeline-events.ts';
import {
  type Durations,
  durationsOf,
  formatDurationMs,
  MILESTONE_TITLES,
  type SlaBudgets,
  type SlaVerdict,
  slaVerdicts,
} from '../../../domain/times.ts';
import { mentionsAsText } from '../../../domain/user-text.ts';
import type { IncidentSnapshot } from '../../ports.ts';
import { ROLE_TITLES } from '../../refuse.ts';
import { readOutput } from '../_shared/step-output.ts';
import { forwardFixApprovedAt } from '../migration_revert/forward-fix.ts';
import { pauseDeploysOutputSchema } from '../pause_deploys/output.ts';
import { resumeDeploysOutputSchema } from '../resume_deploys/output.ts';
import { revertImagesOutputSchema } from '../revert_images/output.ts';

export interface StepLine {
  stepId: StepId;
  title: string;
  state: StepRecord['state'];
  /**
   * Who pressed Run (or Retry) for the attempt that counts; `rollback-commander` or `autopilot` for
   * automatic starts; null when a person's Approve was the run (then they are in `approvedBy`).
   */
  ranBy: string | null;
  approvedBy: { userId: string; role: string }[];
  /** Who confirmed a manual check, or skipped the step. */
  doneBy: string | null;
  note: string | null;
}

export interface ResolutionFigures {
  durations: Durations;
  sla: SlaVerdict[];
  /** pause_deploys → resume_deploys; null when the bot did not pause (or never resumed). */
  pausedMs: number | null;
  pause: 'resumed' | 'still_paused' | 'not_paused';
  images: { deployment: string; before: string | null; after: string | null }[];
  steps: StepLine[];
}

export function resolutionFigures(
  snap: IncidentSnapshot,
  timeline: readonly TimelineEvent[],
  budgets: SlaBudgets,
  now: Date,
): ResolutionFigures {
  const i = snap.incident;
  const out = (id: StepId) => snap.steps.get(id)?.output;
  // Only the fields the summary shows are read, so a record it does not show can't fail resolve.
  const pausedAt =
    snap.steps.get('pause_deploys')?.state === 'succeeded'
      ? readOutput('pause_deploys', pauseDeploysOutputSchema.pick({ pausedAt: true }), out('pause_deploys')).pausedAt
      : undefined;
  const resumed = snap.steps.get('resume_deploys');
  const resumedAt =
    resumed?.state === 'succeeded'
      ? (readOutput('resume_deploys', resumeDeploysOutputSchema.pick({ resumedAt: true }), out('resume_deploys'))
          .resumedAt ?? resumed.finishedAt?.toISOString())
      : undefined;
  const images = readOutput(
    'revert_images',
    revertImagesOutputSchema.pick({ before: true, after: true }),
    out('revert_images'),
  );
  const before = images.before ?? {};
  const after = snap.steps.get('revert_images')?.state === 'succeeded' ? (images.after ?? {}) : {};
  return {
    durations: durationsOf(i),
    sla: slaVerdicts(i, budgets, forwardFixApprovedAt(snap.steps, snap.approvals), now),
    pausedMs: pausedAt && resumedAt ? new Date(resumedAt).getTime() - new Date(pausedAt).getTime() : null,
    pause: !pausedAt ? 'not_paused' : resumedAt ? 'resumed' : 'still_paused',
    images: Object.keys({ ...before, ...after }).map((deployment) => ({
      deployment,
      before: before[deployment] ?? null,
      after: after[deployment] ?? null,
    })),
    steps: RUNBOOK.filter((d) => snap.steps.has(d.id)).map((d) => stepLine(snap, timeline, d.id, d.title)),
  };
}

const approver = (e: Extract<TimelineEvent, { kind: 'approval_given' }>) => ({
  userId: e.actor,
  role: String(e.payload.role ?? 'release_captain'),
});
/** A queueing that runs the step (not one that applies an approved plan). */
const isRun = (e: TimelineEvent) => ofKind('step_queued')(e) && e.payload.apply !== true;

/**
 * Under autopilot a before-run approval is the run (domain/autopilot.ts): when autopilot queued
 * the step on an approval of this very step, the approvers ran it, not autopilot.
 */
function approvalsThatRan(events: readonly TimelineEvent[], queuedAt: number): StepLine['approvedBy'] | null {
  const queued = events[queuedAt];
  const mandate = queued?.kind === 'step_queued' ? queued.payload.autopilot?.after : undefined;
  if (!mandate) return null;
  const since = events.slice(0, queuedAt).findLastIndex(isRun) + 1;
  const gate = events.slice(since, queuedAt).filter(ofKind('approval_given')).map(approver);
  return gate.some((a) => a.userId === mandate.actor) ? gate : null;
}

/** Who did what to one step, from the timeline (the record only keeps the last actor). */
function stepLine(snap: IncidentSnapshot, timeline: readonly TimelineEvent[], stepId: StepId, title: string): StepLine {
  const rec = snap.steps.get(stepId)!;
  const events = timeline.filter((e) => e.stepId === stepId);
  const queuedAt = events.findLastIndex(isRun);
  const ranByApproval = approvalsThatRan(events, queuedAt);
  const ranBy = queuedAt >= 0 && !ranByApproval ? events[queuedAt]!.actor : null;
  // Approval rows exist for planned and before-run steps; an after-run approval (the target release) is an event only.
  const rows = snap.approvals
    .filter((a) => a.stepId === stepId && a.attempt === rec.attempt)
    .map((a) => ({ userId: a.userId, role: a.role as string }));
  const approvedBy = rows.length
    ? rows
    : (ranByApproval ??
      events
        .slice(queuedAt + 1)
        .filter(ofKind('approval_given'))
        .map(approver));
  const skipped = rec.state === 'skipped' ? events.findLast(ofKind('step_skipped')) : undefined;
  const confirmed =
    rec.state === 'succeeded'
      ? events.filter(ofKind('step_succeeded')).findLast((e) => e.payload.confirmed === true)
      : undefined;
  const note = skipped
    ? String(skipped.payload.reason ?? 'no reason recorded')
    : rec.state === 'failed'
      ? rec.error
      : null;
  return { stepId, title, state: rec.state, ranBy, approvedBy, doneBy: (skipped ?? confirmed)?.actor ?? null, note };
}

const iso = (d: Date | null) => (d ? d.toISOString().replace('.000Z', 'Z') : '—');
const dur = (ms: number | null) => (ms === null ? '—' : formatDurationMs(ms));

const STATE_MARKS: Record<StepRecord['state'], string> = {
  succeeded: '✅',
  skipped: '⏭️',
  failed: '❌',
  aborted: '⛔',
  pending: '▫️',
  queued: '⏳',
  running: '⏳',
  awaiting_approval: '✋',
  awaiting_confirmation: '👀',
};

/** The summary as data, for the chat renderer (the `incident_resolved` event's `report`). JSON-safe. */
export interface ResolutionReport {
  incident: Pick<
    Incident,
    'id' | 'environment' | 'badVersion' | 'targetVersion' | 'severity' | 'critical' | 'issueUrl'
  >;
  times: Record<'impactStartedAt' | 'detectedAt' | 'decidedAt' | 'restoredAt' | 'resolvedAt', string | null>;
  durations: Durations;
  sla: SlaLine[];
  pausedMs: number | null;
  pause: ResolutionFigures['pause'];
  images: ResolutionFigures['images'];
  steps: StepLine[];
}

export interface SlaLine {
  milestone: SlaVerdict['milestone'];
  budgetMs: number;
  verdict: SlaVerdict['verdict'];
  tookMs: number;
  reached: boolean;
}

export function resolutionReport(i: Incident, f: ResolutionFigures): ResolutionReport {
  const at = (d: Date | null) => d?.toISOString() ?? null;
  return {
    incident: {
      id: i.id,
      environment: i.environment,
      badVersion: i.badVersion,
      targetVersion: i.targetVersion,
      severity: i.severity,
      critical: i.critical,
      issueUrl: i.issueUrl,
    },
    times: {
      impactStartedAt: at(i.impactStartedAt),
      detectedAt: at(i.detectedAt),
      decidedAt: at(i.decidedAt),
      restoredAt: at(i.restoredAt),
      resolvedAt: at(i.resolvedAt),
    },
    durations: f.durations,
    sla: f.sla.map((s) => ({
      milestone: s.milestone,
      budgetMs: s.budgetMs,
      verdict: s.verdict,
      tookMs: s.tookMs,
      reached: s.metAt !== null,
    })),
    pausedMs: f.pausedMs,
    pause: f.pause,
    images: f.images,
    steps: f.steps,
  };
}

/** `user` renders a Slack user id; GitHub gets plain text. */
export function renderSummary(i: Incident, f: ResolutionFigures, user: (id: string) => string): string {
  const d = f.durations;
  const lines = [
    `### Rollback ${i.badVersion} → ${i.targetVersion ?? '(no target)'} in ${i.environment}: resolved`,
    `${i.severity}${i.critical ? ' (critical)' : ''} · incident ${i.id}${i.issueUrl ? ` · ${i.issueUrl}` : ''}`,
    '',
    '| Impact started | Detected | Decided | Restored | Resolved |',
    '|---|---|---|---|---|',
    `| ${iso(i.impactStartedAt)} | ${iso(i.detectedAt)} | ${iso(i.decidedAt)} | ${iso(i.restoredAt)} | ${iso(i.resolvedAt)} |`,
    '',
    `**TTD** ${dur(d.ttdMs)} · **Time to decide** ${dur(d.decideMs)} · **TTR** ${dur(d.ttrMs)} · **Impact** ${dur(d.impactMs)}`,
    '',
    '**SLAs**',
    ...f.sla.map((s) => `- ${slaLine({ ...s, reached: s.metAt !== null })}`),
  ];
  const skipped = skippedValidation(f.steps, (t) => t);
  if (skipped) lines.push(`- ${skipped}`);
  if (f.images.length) {
    lines.push(
      '',
      '**Images**',
      '| Deployment | Before | After |',
      '|---|---|---|',
      ...f.images.map((m) => `| ${m.deployment} | ${m.before ?? '—'} | ${m.after ?? 'not reverted'} |`),
    );
  }
  lines.push('', `**Deploys paused** ${pausedWords(f)}`, '', '**Steps**');
  for (const s of f.steps) lines.push(`- ${STATE_MARKS[s.state]} ${s.title} — ${stepWords(s, user, (t) => t)}`);
  return mentionsAsText(lines.join('\n'));
}

export function pausedWords(f: Pick<ResolutionFigures, 'pausedMs' | 'pause'>): string {
  const words = {
    resumed: `${formatDurationMs(f.pausedMs ?? 0)} (pause_deploys → resume_deploys)`,
    still_paused: 'still paused: resume_deploys did not run',
    not_paused: 'not paused by the bot',
  };
  return words[f.pause];
}

export function slaLine(s: SlaLine): string {
  return `${MILESTONE_TITLES[s.milestone]} within ${formatDurationMs(s.budgetMs)}: ${slaWords(s)}`;
}

function slaWords(s: SlaLine): string {
  if (s.verdict === 'met') return `met (${formatDurationMs(s.tookMs)})`;
  if (!s.reached) return `missed (not reached; ${formatDurationMs(s.tookMs)} until close)`;
  return `missed (${formatDurationMs(s.tookMs)}, ${formatDurationMs(s.tookMs - s.budgetMs)} over)`;
}

/** "Restored counts smoke_tests as skipped (reason)", or null; `text` renders what people typed. */
export function skippedValidation(steps: readonly StepLine[], text: (t: string) => string): string | null {
  const skipped = steps.filter(
    (s) => ['smoke_tests', 'queue_health', 'auth_check'].includes(s.stepId) && s.state === 'skipped',
  );
  if (!skipped.length) return null;
  return `Restored counts ${skipped.map((s) => `${s.stepId} as skipped (${text(s.note ?? 'no reason')})`).join(', ')}`;
}

export function stepMark(s: StepLine): string {
  return STATE_MARKS[s.state];
}

/** `user` renders a person, `text` what people or tools wrote (a skip reason, an error). */
export function stepWords(s: StepLine, user: (id: string) => string, text: (t: string) => string): string {
  if (s.state === 'pending') return 'not run';
  if (s.state === 'skipped')
    return `skipped${s.doneBy ? ` by ${user(s.doneBy)}` : ''}: ${text(s.note ?? 'no reason recorded')}`;
  const parts = [s.state.replace('_', ' ')];
  if (s.ranBy) parts.push(`run by ${user(s.ranBy)}`);
  if (s.approvedBy.length)
    parts.push(
      `approved by ${s.approvedBy.map((a) => `${user(a.userId)} (${ROLE_TITLES[a.role as keyof typeof ROLE_TITLES] ?? text(a.role)})`).join(', ')}`,
    );
  if (s.doneBy) parts.push(`confirmed by ${user(s.doneBy)}`);
  if (s.state === 'failed' && s.note) parts.push(text(s.note.split('\n')[0] ?? ''));
  return parts.join(' · ');
}
