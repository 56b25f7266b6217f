/**
 * The live checklist posted in #incidents and #releases: the header, then the runbook's phases
 * with each step's state, who ran or approved it, and the buttons the step allows now. Pure:
 * same view in, same blocks out (the golden files depend on it).
 */
import type { AutopilotStatus } from '../../domain/autopilot.ts';
import {
  byStepId,
  type ChecklistInput,
  type ChecklistRow,
  checklistModel,
  type StepActivity,
  type StepRow,
} from '../../domain/checklist-model.ts';
import type { Incident, StepRecord, StepState } from '../../domain/incident.ts';
import type { StepAction } from '../../domain/step-actions.ts';
import { isDone } from '../../domain/step-machine.ts';
import { type Role, RUNBOOK, type StepDefinition } from '../../domain/steps.ts';
import { encodeButtonValue, STEP_ACTION_IDS, stepActionsBlockId, stepBlockId } from './action-ids.ts';
import type { Button, KnownBlock } from './block-kit.ts';
import { mrkdwn, plain } from './block-kit.ts';
import { fitBlocks } from './block-limits.ts';
import { type ChecklistEnvironment, type ChecklistSla, headline, renderHeader } from './checklist-header.ts';
import { actorMention, escapeMrkdwn, formatDurationMs, formatUtcTime, ROLE_TITLES, truncate } from './formatting.ts';

export interface ChecklistView extends ChecklistInput {
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
  const blocks: KnownBlock[] = [...renderHeader(view), { type: 'divider' }];
  for (const phase of checklistModel(view)) {
    blocks.push({ type: 'section', text: mrkdwn(`*${phase.title}*`) });
    for (const row of phase.rows) blocks.push(...renderRow(view, row));
  }
  const closing = closingLine(view.incident);
  if (closing) blocks.push({ type: 'divider' }, { type: 'context', elements: [mrkdwn(closing)] });
  return fitBlocks(blocks);
}

function renderRow(view: ChecklistView, row: ChecklistRow): KnownBlock[] {
  if (row.kind === 'not_offered') return [notOfferedBlock(row.defs)];
  if (row.kind === 'missing') {
    return [
      {
        type: 'section',
        block_id: stepBlockId(row.def.id),
        text: mrkdwn(`:grey_question: *${row.def.title}* — no record yet`),
      },
    ];
  }
  const { def, record } = row;
  const label = STATE_LABELS[record.state];
  const attempt = record.attempt > 1 ? ` (attempt ${record.attempt})` : '';
  const lines = [`${label.emoji} *${def.title}* — ${label.word}${attempt}`];
  const meta = [whoAndWhen(row.activity, view.now), ...approvalNotes(row, view.now)];
  if (record.state === 'pending') meta.push(waitingFor(row));
  const metaText = meta.filter(Boolean).join(' · ');
  if (metaText) lines.push(metaText);
  const detail = row.detail && (row.detail.kind === 'error' ? `Error: ${row.detail.text}` : row.detail.text);
  if (detail) lines.push(`> ${escapeMrkdwn(truncate(detail, DETAIL_MAX)).replace(/\n/g, '\n> ')}`);
  const blocks: KnownBlock[] = [{ type: 'section', block_id: stepBlockId(def.id), text: mrkdwn(lines.join('\n')) }];
  if (row.actions.length > 0) {
    blocks.push({
      type: 'actions',
      block_id: stepActionsBlockId(def.id),
      elements: row.actions.map((a) => button(a, view.incident.id, record, def)),
    });
  }
  return blocks;
}

/** The critical-only steps of a phase share one line: the same reason three times is noise. */
function notOfferedBlock(defs: readonly StepDefinition[]): KnownBlock {
  const titles = defs.map((d) => `*${d.title}*`).join(', ');
  const text = `:heavy_minus_sign: ${titles} — not offered\n_only for critical incidents (security exposure or data corruption)_`;
  return { type: 'section', block_id: stepBlockId(defs[0]?.id ?? 'backup_restore'), text: mrkdwn(text) };
}

function whoAndWhen(activity: StepActivity | null, now: Date): string {
  if (!activity) return '';
  const who = activity.actor ? ` by ${actorMention(activity.actor, activity.via)}` : '';
  const at = activity.at ? ` at ${formatUtcTime(activity.at, now)}` : '';
  const took = activity.tookMs !== null ? ` (took ${formatDurationMs(activity.tookMs)})` : '';
  return `${activity.verb}${who}${at}${took}`;
}

/** Approvals given, then the approvals owed (in bold when nothing else holds the step up). */
function approvalNotes(row: StepRow, now: Date): string[] {
  const notes = row.approvals.map(
    (a) => `approved by ${actorMention(a.userId, a.via)} (${ROLE_TITLES[a.role]}) at ${formatUtcTime(a.at, now)}`,
  );
  const who = (roles: readonly Role[]) => roles.map((r) => ROLE_TITLES[r]).join(' + ');
  // A planned step shows its plan first; say up front whose approval it will need.
  if (row.planNeeds) return [...notes, `Run shows the plan, then it needs approval: ${who(row.planNeeds)}`];
  if (row.owed.length > 0)
    notes.push(row.ready ? `*needs approval: ${who(row.owed)}*` : `needs approval: ${who(row.owed)}`);
  return notes;
}

function waitingFor(row: StepRow): string {
  if (row.waitsFor.length > 0) return `waits for ${row.waitsFor.map((d) => `_${d.title}_`).join(', ')}`;
  return row.blocked ? `_${escapeMrkdwn(row.blocked)}_` : '';
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
  const titled = (states: StepState[]) =>
    offered.filter((d) => states.includes(byId.get(d.id)?.state ?? 'pending')).map((d) => d.title);
  const parts = [`${head} (${env}): ${done} of ${offered.length} steps done`];
  const running = titled(['queued', 'running']);
  const waiting = titled(['awaiting_approval', 'awaiting_confirmation']);
  const failed = titled(['failed']);
  if (running.length) parts.push(`running: ${running.join(', ')}`);
  if (waiting.length) parts.push(`waiting on a person: ${waiting.join(', ')}`);
  if (failed.length) parts.push(`failed: ${failed.join(', ')}`);
  return parts.join('; ');
}
