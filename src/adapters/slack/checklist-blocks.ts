/**
 * The live checklist posted in #incidents and #releases: the header, then the runbook's phases
 * with each step's state, who ran or approved it, and the buttons the step allows now. Pure:
 * same view in, same blocks out (the golden files depend on it).
 */
import type { AutopilotStatus } from '../../domain/autopilot.ts';
import type { Approval, Incident, StepRecord, StepState } from '../../domain/incident.ts';
import { availableActions, owedApprovals, unmetPrerequisite, type StepAction } from '../../domain/step-actions.ts';
import { isDone } from '../../domain/step-machine.ts';
import { PHASE_TITLES, PHASES, RUNBOOK, stepDefinition, type Role, type StepDefinition, type StepId } from '../../domain/steps.ts';
import { encodeButtonValue, STEP_ACTION_IDS, stepActionsBlockId, stepBlockId } from './action-ids.ts';
import type { Button, KnownBlock } from './block-kit.ts';
import { mrkdwn, plain } from './block-kit.ts';
import { fitBlocks } from './block-limits.ts';
import { renderHeader, headline, type ChecklistEnvironment, type ChecklistSla } from './checklist-header.ts';
import { actorMention, escapeMrkdwn, formatDurationMs, formatUtcTime, ROLE_TITLES, truncate } from './formatting.ts';

export interface ChecklistView {
  incident: Incident;
  /** A list, or the store's IncidentSnapshot.steps map as it is. */
  steps: readonly StepRecord[] | ReadonlyMap<StepId, StepRecord>;
  approvals: readonly Approval[];
  /** Slack user ids per role: configured users plus user-group members. */
  roles: Record<Role, string[]>;
  environment: ChecklistEnvironment;
  sla: ChecklistSla;
  now: Date;
  autopilot?: AutopilotStatus;
}

/** A summary or error longer than this is cut in the checklist; the thread line carries more. */
const DETAIL_MAX = 600;

export const STATE_LABELS: Record<StepState, { emoji: string; word: string }> = {
  pending: { emoji: ':white_circle:', word: 'to do' },
  queued: { emoji: ':hourglass_flowing_sand:', word: 'queued' },
  running: { emoji: ':arrows_counterclockwise:', word: 'running' },
  awaiting_approval: { emoji: ':raised_hand:', word: 'awaiting approval' },
  awaiting_confirmation: { emoji: ':eyes:', word: 'awaiting confirmation' },
  succeeded: { emoji: ':white_check_mark:', word: 'done' },
  failed: { emoji: ':x:', word: 'failed' },
  skipped: { emoji: ':fast_forward:', word: 'skipped' },
  aborted: { emoji: ':octagonal_sign:', word: 'aborted' },
};

const BUTTONS: Record<StepAction, { label: string; style?: 'primary' | 'danger' }> = {
  run: { label: 'Run', style: 'primary' },
  approve: { label: 'Approve', style: 'primary' },
  confirm: { label: 'Confirm' },
  retry: { label: 'Retry' },
  skip: { label: 'Skip…' },
  abort: { label: 'Abort', style: 'danger' },
};

export function renderChecklist(view: ChecklistView): KnownBlock[] {
  const records = byStepId(view.steps);
  const blocks: KnownBlock[] = [...renderHeader(view), { type: 'divider' }];
  for (const phase of PHASES) {
    blocks.push({ type: 'section', text: mrkdwn(`*${PHASE_TITLES[phase]}*`) });
    const defs = RUNBOOK.filter((d) => d.phase === phase);
    const notOffered = defs.filter((d) => d.criticalOnly && !view.incident.critical);
    for (const def of defs) {
      if (notOffered[0] === def) blocks.push(notOfferedBlock(notOffered));
      else if (!notOffered.includes(def)) blocks.push(...renderStep(view, def, records));
    }
  }
  const closing = closingLine(view.incident);
  if (closing) blocks.push({ type: 'divider' }, { type: 'context', elements: [mrkdwn(closing)] });
  return fitBlocks(blocks);
}

function renderStep(view: ChecklistView, def: StepDefinition, records: ReadonlyMap<StepId, StepRecord>): KnownBlock[] {
  const record = records.get(def.id);
  if (!record) {
    return [{ type: 'section', block_id: stepBlockId(def.id), text: mrkdwn(`:grey_question: *${def.title}* — no record yet`) }];
  }
  const approvals = view.approvals.filter((a) => a.stepId === def.id && a.attempt === record.attempt);
  const situation = { def, record, incident: view.incident, steps: records, approvals };
  const label = STATE_LABELS[record.state];
  const attempt = record.attempt > 1 ? ` (attempt ${record.attempt})` : '';
  const lines = [`${label.emoji} *${def.title}* — ${label.word}${attempt}`];
  const ready = unmetPrerequisite(situation) === null;
  const meta = [whoAndWhen(def, record, view.now), ...approvalNotes(def, record, approvals, view.now, ready)];
  if (record.state === 'pending') meta.push(waitingFor(situation, records));
  const metaText = meta.filter(Boolean).join(' · ');
  if (metaText) lines.push(metaText);
  const detail = record.state === 'failed' ? record.error && `Error: ${record.error}` : record.summary;
  if (detail) lines.push(`> ${escapeMrkdwn(truncate(detail, DETAIL_MAX)).replace(/\n/g, '\n> ')}`);
  const blocks: KnownBlock[] = [{ type: 'section', block_id: stepBlockId(def.id), text: mrkdwn(lines.join('\n')) }];
  const actions = availableActions(situation);
  if (actions.length > 0) {
    blocks.push({ type: 'actions', block_id: stepActionsBlockId(def.id), elements: actions.map((a) => button(a, view.incident.id, record, def)) });
  }
  return blocks;
}

function byStepId(steps: ChecklistView['steps']): ReadonlyMap<StepId, StepRecord> {
  return isRecordList(steps) ? new Map(steps.map((s) => [s.stepId, s])) : steps;
}

function isRecordList(steps: ChecklistView['steps']): steps is readonly StepRecord[] {
  return Array.isArray(steps);
}

/** The critical-only steps of a phase share one line: the same reason three times is noise. */
function notOfferedBlock(defs: readonly StepDefinition[]): KnownBlock {
  const titles = defs.map((d) => `*${d.title}*`).join(', ');
  const text = `:heavy_minus_sign: ${titles} — not offered\n_only for critical incidents (security exposure or data corruption)_`;
  return { type: 'section', block_id: stepBlockId(defs[0]?.id ?? 'backup_restore'), text: mrkdwn(text) };
}

function whoAndWhen(def: StepDefinition, record: StepRecord, now: Date): string {
  const who = record.actor ? actorMention(record.actor, record.actorVia) : null;
  const t = (d: Date | null) => (d ? formatUtcTime(d, now) : '');
  switch (record.state) {
    case 'pending':
      return '';
    case 'queued':
      return `queued${who ? ` by ${who}` : ''} at ${t(record.updatedAt)}`;
    case 'skipped':
      return `skipped${who ? ` by ${who}` : ''} at ${t(record.finishedAt ?? record.updatedAt)}`;
    case 'awaiting_approval': {
      const verb = def.approval?.when === 'plan' ? 'planned' : 'proposed';
      return `${verb}${who ? ` by ${who}` : ''} at ${t(record.startedAt ?? record.updatedAt)}`;
    }
    default: {
      const verb = record.finishedAt ? 'run' : 'started';
      const started = record.startedAt ? ` at ${t(record.startedAt)}` : '';
      const ms = record.startedAt && record.finishedAt ? record.finishedAt.getTime() - record.startedAt.getTime() : 0;
      const took = ms >= 1000 ? ` (took ${formatDurationMs(ms)})` : '';
      return `${verb}${who ? ` by ${who}` : ''}${started}${took}`;
    }
  }
}

/** `ready`: prerequisites met, so a missing approval is what holds the step up (shown in bold). */
function approvalNotes(def: StepDefinition, record: StepRecord, approvals: readonly Approval[], now: Date, ready: boolean): string[] {
  const notes = approvals.map((a) => `approved by ${actorMention(a.userId, a.via)} (${ROLE_TITLES[a.role]}) at ${formatUtcTime(a.at, now)}`);
  const rule = def.approval;
  if (!rule) return notes;
  const who = (roles: readonly Role[]) => roles.map((r) => ROLE_TITLES[r]).join(' + ');
  // A planned step shows its plan first; say up front whose approval it will need.
  if (rule.when === 'plan' && record.state === 'pending') return [...notes, `Run shows the plan, then it needs approval: ${who(rule.approvers)}`];
  const missing = owedApprovals(def, record, approvals);
  if (missing.length > 0) notes.push(ready ? `*needs approval: ${who(missing)}*` : `needs approval: ${who(missing)}`);
  return notes;
}

function waitingFor(situation: Parameters<typeof unmetPrerequisite>[0], records: ReadonlyMap<StepId, StepRecord>): string {
  const open = situation.def.needs.filter((id) => !isDone(records.get(id)?.state ?? 'pending'));
  if (open.length > 0) return `waits for ${open.map((id) => `_${stepDefinition(id).title}_`).join(', ')}`;
  const reason = unmetPrerequisite(situation);
  return reason ? `_${escapeMrkdwn(reason)}_` : '';
}

function button(action: StepAction, incidentId: string, record: StepRecord, def: StepDefinition): Button {
  const { label, style } = BUTTONS[action];
  const b: Button = {
    type: 'button',
    action_id: STEP_ACTION_IDS[action],
    text: plain(label),
    value: encodeButtonValue({ incidentId, stepId: record.stepId, version: record.version }),
    ...(style ? { style } : {}),
  };
  if (action === 'abort') {
    b.confirm = {
      title: plain('Abort this step?'),
      text: mrkdwn(`Stops *${def.title}* where it is. Nothing is undone; the step can be retried or skipped.`),
      confirm: plain('Abort'),
      deny: plain('Keep running'),
      style: 'danger',
    };
  }
  return b;
}

function closingLine(incident: Incident): string | null {
  if (incident.state === 'resolved') {
    const at = incident.resolvedAt ? ` at ${formatUtcTime(incident.resolvedAt)} UTC` : '';
    return `:checkered_flag: Resolved${at}. This checklist is closed; the summary is in the thread.`;
  }
  if (incident.state === 'aborted') {
    return ':octagonal_sign: Rollback aborted. Nothing more runs from this checklist; the thread says why. Start again with `/rollback`.';
  }
  return null;
}

/** The notification text that goes with the blocks (push notifications, screen readers, search). */
export function renderChecklistText(view: ChecklistView): string {
  // The notification text is mrkdwn too: a version or environment name is escaped like any text.
  const head = escapeMrkdwn(headline(view.incident).replace(/^:[a-z_]+: /, ''));
  const env = escapeMrkdwn(view.environment.name);
  if (view.incident.state !== 'open') return `${head} (${env})`;
  const offered = RUNBOOK.filter((d) => !d.criticalOnly || view.incident.critical);
  const byId = byStepId(view.steps);
  const done = offered.filter((d) => isDone(byId.get(d.id)?.state ?? 'pending')).length;
  const titled = (states: StepState[]) => offered.filter((d) => states.includes(byId.get(d.id)?.state ?? 'pending')).map((d) => d.title);
  const parts = [`${head} (${env}): ${done} of ${offered.length} steps done`];
  const running = titled(['queued', 'running']);
  const waiting = titled(['awaiting_approval', 'awaiting_confirmation']);
  const failed = titled(['failed']);
  if (running.length) parts.push(`running: ${running.join(', ')}`);
  if (waiting.length) parts.push(`waiting on a person: ${waiting.join(', ')}`);
  if (failed.length) parts.push(`failed: ${failed.join(', ')}`);
  return parts.join('; ');
}
