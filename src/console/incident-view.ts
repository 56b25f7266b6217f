/**
 * One incident as the console shows it, and as its JSON API returns it: the checklist model (the
 * same one Slack's checklist renders), the thread (the export's wording, with UTC times), the times
 * and the SLA verdicts. Built from one store read; the HTML page and the API both use it.
 */

import { autopilotStatusLine } from '../adapters/slack/autopilot-text.ts';
import { STATE_LABELS } from '../adapters/slack/checklist-blocks.ts';
import { incidentJson } from '../app/cli-json.ts';
import type { RunbookConfig } from '../config/schema.ts';
import { autopilotStatus } from '../domain/autopilot.ts';
import { type ChecklistRow, checklistModel, type PhaseModel } from '../domain/checklist-model.ts';
import type { TimelineEvent } from '../domain/incident.ts';
import { actorText } from '../domain/origin.ts';
import { ROLES, type Role } from '../domain/steps.ts';
import { storedKind } from '../domain/timeline-events.ts';
import { type Durations, durationsOf, type SlaVerdict, slaVerdicts } from '../domain/times.ts';
import { mentionsAsText } from '../domain/user-text.ts';
import { autopilotSettings } from '../flows/autopilot.ts';
import { describeEvent } from '../flows/export-timeline.ts';
import type { IncidentSnapshot, IncidentStore } from '../flows/ports.ts';
import { forwardFixApprovedAt } from '../flows/steps/migration_revert/forward-fix.ts';

export interface ThreadLine {
  id: number;
  at: Date;
  actor: string;
  kind: string;
  stepId: string | null;
  /** The export's one-line description of the event (plain text: the page escapes it). */
  text: string;
  progress: boolean;
}

export interface IncidentView {
  snapshot: IncidentSnapshot;
  phases: PhaseModel[];
  thread: ThreadLine[];
  durations: Durations;
  sla: SlaVerdict[];
  /** Who holds each role, for the header. */
  roles: Record<Role, string[]>;
  environment: { name: string; kubeContext?: string; namespace: string };
  /** What autopilot does next and waits for (Slack's header line, as plain text); null once closed. */
  autopilot: string | null;
  now: Date;
}

export async function loadIncidentView(
  deps: { store: IncidentStore; config: RunbookConfig; roles: { membersOf(role: Role): Promise<string[]> } },
  incidentId: string,
  now: Date,
): Promise<IncidentView> {
  const [snapshot, events] = await Promise.all([deps.store.get(incidentId), deps.store.timeline(incidentId)]);
  const members = await Promise.all(ROLES.map(async (r) => [r, await deps.roles.membersOf(r)] as const));
  const i = snapshot.incident;
  return {
    snapshot,
    phases: checklistModel({ incident: i, steps: snapshot.steps, approvals: snapshot.approvals }),
    thread: events.map(threadLine),
    durations: durationsOf(i),
    sla: slaVerdicts(i, deps.config.sla, forwardFixApprovedAt(snapshot.steps, snapshot.approvals), now),
    roles: Object.fromEntries(members) as Record<Role, string[]>,
    environment: {
      name: deps.config.environment.name,
      kubeContext: deps.config.environment.kube.context,
      namespace: deps.config.environment.kube.namespace,
    },
    autopilot:
      i.state === 'open'
        ? plainText(autopilotStatusLine(autopilotStatus(snapshot, autopilotSettings(deps.config))))
        : null,
    now,
  };
}

/** Slack's wording without its mrkdwn (the emoji and the bold): the page escapes the rest. */
function plainText(mrkdwn: string): string {
  return mrkdwn.replace(/^:[a-z_]+: /, '').replace(/\*/g, '');
}

function threadLine(e: TimelineEvent): ThreadLine {
  return {
    id: e.id,
    at: e.at,
    actor: actorText(e.actor, e.payload.via),
    kind: storedKind(e),
    stepId: e.stepId,
    text: describeEvent(e),
    progress: e.kind === 'step_progress',
  };
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** GET /api/incidents/:id — field names are a contract (README "Web console"). */
export function incidentViewJson(view: IncidentView) {
  return {
    incident: incidentJson(view.snapshot.incident),
    checklist: view.phases.map((p) => ({ phase: p.phase, title: p.title, rows: p.rows.map(rowJson) })),
    timeline: view.thread.map((t) => ({
      id: t.id,
      at: iso(t.at),
      actor: t.actor,
      kind: t.kind,
      step: t.stepId,
      text: t.text,
    })),
    times: view.durations,
    autopilot: view.autopilot,
    sla: view.sla.map((s) => ({
      milestone: s.milestone,
      budgetMs: s.budgetMs,
      dueAt: iso(s.dueAt),
      metAt: iso(s.metAt),
      verdict: s.verdict,
      tookMs: s.tookMs,
    })),
  };
}

function rowJson(row: ChecklistRow) {
  if (row.kind === 'not_offered')
    return {
      kind: row.kind,
      steps: row.defs.map((d) => d.id),
      reason: 'only for critical incidents (security exposure or data corruption)',
    };
  if (row.kind === 'missing') return { kind: row.kind, step: row.def.id, title: row.def.title };
  const { def, record } = row;
  return {
    kind: row.kind,
    step: def.id,
    title: def.title,
    state: record.state,
    stateText: STATE_LABELS[record.state].word,
    attempt: record.attempt,
    version: record.version,
    activity: row.activity && {
      verb: row.activity.verb,
      actor: row.activity.actor,
      at: iso(row.activity.at),
      tookMs: row.activity.tookMs,
    },
    approvals: row.approvals.map((a) => ({ role: a.role, userId: a.userId, at: iso(a.at) })),
    owedApprovals: row.owed,
    planNeedsApproval: row.planNeeds,
    waitsFor: row.waitsFor.map((d) => d.id),
    blocked: row.blocked && mentionsAsText(row.blocked),
    detail: row.detail && { kind: row.detail.kind, text: mentionsAsText(row.detail.text) },
    actions: row.actions,
  };
}
