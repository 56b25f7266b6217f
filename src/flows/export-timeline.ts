/**
 * `rollback-commander export <incident>`: a Markdown postmortem timeline built from the timeline
 * table (the append-only record), with the times, durations and SLA verdicts on top — what people
 * paste into the postmortem doc.
 */

import { DRILL_BANNER, drillPrefix } from '../domain/drill.ts';
import type { TimelineEvent } from '../domain/incident.ts';
import { actorText } from '../domain/origin.ts';
import { isStepId, stepDefinition } from '../domain/steps.ts';
import { storedKind, type TimelineKind } from '../domain/timeline-events.ts';
import {
  durationsOf,
  formatDurationMs,
  MILESTONE_TITLES,
  type Milestone,
  type SlaBudgets,
  slaVerdicts,
} from '../domain/times.ts';
import { mentionsAsText } from '../domain/user-text.ts';
import type { FlowDeps } from './deps.ts';
import type { IncidentSnapshot } from './ports.ts';
import { ROLE_TITLES } from './refuse.ts';
import { forwardFixApprovedAt } from './steps/migration_revert/forward-fix.ts';

export async function exportTimeline(
  deps: Pick<FlowDeps, 'store' | 'config' | 'now'>,
  incidentId: string,
  options: { progress?: boolean } = {},
): Promise<string> {
  return (await readExport(deps, incidentId, options)).markdown;
}

/** The export with the record it was made from, for callers that also need the incident (its chat refs, its JSON). */
export async function readExport(
  deps: Pick<FlowDeps, 'store' | 'config' | 'now'>,
  incidentId: string,
  options: { progress?: boolean } = {},
): Promise<{ snap: IncidentSnapshot; events: TimelineEvent[]; markdown: string }> {
  const [snap, events] = await Promise.all([deps.store.get(incidentId), deps.store.timeline(incidentId)]);
  return { snap, events, markdown: renderPostmortem(snap, events, deps.config.sla, deps.now(), options) };
}

const iso = (d: Date | null) => (d ? d.toISOString().replace('.000Z', 'Z') : '—');
const dur = (ms: number | null) => (ms === null ? '—' : formatDurationMs(ms));
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').trim();

export function renderPostmortem(
  snap: IncidentSnapshot,
  events: readonly TimelineEvent[],
  budgets: SlaBudgets,
  now: Date,
  options: { progress?: boolean } = {},
): string {
  const i = snap.incident;
  const d = durationsOf(i);
  const sla = slaVerdicts(i, budgets, forwardFixApprovedAt(snap.steps, snap.approvals), now);
  const shown = events.filter((e) => options.progress || e.kind !== 'step_progress');
  return [
    `# ${drillPrefix(i)}${i.id}: rollback of ${i.badVersion}${i.targetVersion ? ` → ${i.targetVersion}` : ''} (${i.environment})`,
    '',
    ...(i.drill ? [`> **${DRILL_BANNER}**`, ''] : []),
    `- **State:** ${i.state}`,
    `- **Severity:** ${i.severity}${i.critical ? ' (critical)' : ''} · **trigger:** ${i.trigger.replace(/_/g, ' ')}`,
    `- **Issue:** ${i.issueUrl ?? 'none linked'} · **started by:** ${i.createdBy}`,
    '',
    '## Times (UTC)',
    '',
    '| Milestone | Time | Duration |',
    '|---|---|---|',
    `| Impact started (first bad request) | ${iso(i.impactStartedAt)} | |`,
    `| Detected | ${iso(i.detectedAt)} | TTD ${dur(d.ttdMs)} |`,
    `| Rollback decided | ${iso(i.decidedAt)} | time to decide ${dur(d.decideMs)} |`,
    `| Restored (validation passed) | ${iso(i.restoredAt)} | TTR ${dur(d.ttrMs)} · impact ${dur(d.impactMs)} |`,
    `| Resolved | ${iso(i.resolvedAt)} | |`,
    '',
    '## SLAs',
    '',
    ...sla.map(
      (s) =>
        `- ${MILESTONE_TITLES[s.milestone]} within ${formatDurationMs(s.budgetMs)} (due ${iso(s.dueAt)}): **${s.verdict}**${s.metAt ? ` at ${iso(s.metAt)}` : ''}`,
    ),
    '',
    `## Timeline (${shown.length} events${options.progress ? '' : ', progress lines left out'})`,
    '',
    '| Time (UTC) | Who | What |',
    '|---|---|---|',
    ...shown.map((e) => `| ${iso(e.at)} | ${cell(actorText(e.actor, e.payload.via))} | ${cell(describeEvent(e))} |`),
    '',
  ].join('\n');
}

type P = Record<string, unknown>;
const s = (p: P, k: string) => (p[k] === undefined || p[k] === null ? '' : mentionsAsText(String(p[k])));
const firstLine = (text: string) => text.split('\n')[0] ?? '';
const ms = (p: P, k: string) => (typeof p[k] === 'number' ? formatDurationMs(p[k]) : '—');
const milestone = (p: P) => MILESTONE_TITLES[p.milestone as Milestone] ?? s(p, 'milestone');

/** An automatic start names the approval it acted on. */
function autopilotQueued(p: P, title: string): string | null {
  const auto = p.autopilot as { after?: { actor?: string; what?: string }; because?: string } | undefined;
  if (!auto) return null;
  return `${title}: started by autopilot (${auto.because ?? 'prerequisites held'}), after ${auto.after?.actor ?? '?'} ${auto.after?.what ?? ''}`.trimEnd();
}

/** One sentence per kind; the mapped type makes a new kind in domain/timeline-events.ts fail to compile here until described. */
const DESCRIBE: { [K in TimelineKind]: (p: P, title: string, e: TimelineEvent) => string } = {
  incident_started: (p) =>
    `Rollback of ${s(p, 'badVersion')} started: ${s(p, 'severity')}, trigger ${s(p, 'trigger').replace(/_/g, ' ')}${p.critical ? ', critical' : ''}`,
  step_queued: (p, t) =>
    autopilotQueued(p, t) ??
    (p.apply
      ? `${t}: approved plan queued to apply`
      : `${t}: queued${Number(p.attempt) > 1 ? ` (attempt ${s(p, 'attempt')})` : ''}${p.automatic ? ' automatically' : ''}`),
  step_started: (_p, t) => `${t}: started`,
  step_resumed: (_p, t) => `${t}: resumed after a worker stopped`,
  step_progress: (p, t) => `${t}: ${s(p, 'message')}`,
  step_retrying: (p, t) => `${t}: transient failure, retrying (${s(p, 'error')})`,
  step_succeeded: (p, t) =>
    `${t}: ${p.confirmed ? 'confirmed' : 'succeeded'}${p.summary ? ` — ${firstLine(s(p, 'summary'))}` : ''}`,
  step_awaiting_approval: (p, t) => `${t}: waiting for approval — ${firstLine(s(p, 'summary'))}`,
  step_awaiting_confirmation: (p, t) => `${t}: waiting for a person to confirm — ${firstLine(s(p, 'summary'))}`,
  step_failed: (p, t) => `${t}: failed — ${firstLine(s(p, 'error'))}`,
  step_skipped: (p, t) => `${t}: skipped — ${s(p, 'reason')}`,
  step_aborted: (p, t) => `${t}: aborted${p.reason ? ` — ${s(p, 'reason')}` : ''}`,
  approval_given: (p, t) => `${t}: approved as ${ROLE_TITLES[p.role as keyof typeof ROLE_TITLES] ?? s(p, 'role')}`,
  action_refused: (p, t, e) => `refused ${s(p, 'action')}${e.stepId ? ` on ${t}` : ''}: ${s(p, 'reason')}`,
  target_approved: (p) => `Target release ${s(p, 'targetVersion')} approved (${s(p, 'source')})`,
  app_restored: (p) => `Application restored: validation passed (TTR ${ms(p, 'ttrMs')})`,
  incident_resolved: (p) => `Incident resolved: TTD ${ms(p, 'ttdMs')}, TTR ${ms(p, 'ttrMs')}`,
  incident_aborted: (p) => `Rollback aborted: ${s(p, 'reason')}`,
  sla_reminder: (p) => `SLA reminder: ${milestone(p)}, ${s(p, 'percent')}% of the budget used (due ${s(p, 'dueAt')})`,
  sla_breached: (p) => `SLA breached: ${milestone(p)} was due ${s(p, 'dueAt')}`,
  times_corrected: (p) => `${s(p, 'field')} corrected from ${s(p, 'from') || 'not set'} to ${s(p, 'to')}`,
  // The wording the generic line gave it before it had its own (the reason is in the Slack thread).
  incident_marked_critical: () => 'incident marked critical',
};

export function describeEvent(e: TimelineEvent): string {
  const title = e.stepId && isStepId(e.stepId) ? stepDefinition(e.stepId).title : (e.stepId ?? 'incident');
  if (e.kind !== 'unknown') return DESCRIBE[e.kind](e.payload, title, e);
  return `${storedKind(e).replace(/_/g, ' ')}${e.stepId ? ` (${title})` : ''}`;
}
