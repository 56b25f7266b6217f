/** Plain-text checklist and timeline for the CLI (the break-glass path when Slack is down). */

import { formatDistanceStrict } from '../domain/date-fns.ts'; // CommonJS build: start-up time
import { DRILL_BANNER } from '../domain/drill.ts';
import type { Incident, StepRecord, TimelineEvent } from '../domain/incident.ts';
import { actorText } from '../domain/origin.ts';
import { availableActions, owedApprovals, unmetPrerequisite } from '../domain/step-actions.ts';
import { PHASE_TITLES, PHASES, RUNBOOK } from '../domain/steps.ts';
import { storedKind } from '../domain/timeline-events.ts';
import { mentionsAsText } from '../domain/user-text.ts';
import type { IncidentSnapshot } from '../flows/ports.ts';

const MARK: Record<StepRecord['state'], string> = {
  pending: '[ ]',
  queued: '[~]',
  running: '[>]',
  awaiting_approval: '[?]',
  awaiting_confirmation: '[?]',
  succeeded: '[x]',
  failed: '[!]',
  skipped: '[-]',
  aborted: '[/]',
};

export function iso(d: Date | null): string {
  return d ? d.toISOString().replace('.000Z', 'Z') : '—';
}

export function incidentLine(i: Incident): string {
  const target = i.targetVersion ? ` → ${i.targetVersion}` : '';
  return `${i.id}  ${i.state.padEnd(8)} ${i.environment}  ${i.badVersion}${target}  ${i.severity}${i.critical ? ' critical' : ''}  detected ${iso(i.detectedAt)}`;
}

export function renderChecklist(snap: IncidentSnapshot, now: Date): string {
  const i = snap.incident;
  const lines = [
    ...(i.drill ? [DRILL_BANNER] : []),
    `Incident ${i.id} — ${i.state} — ${i.environment} — rollback ${i.badVersion} → ${i.targetVersion ?? '(target not approved)'}${i.targetSource ? ` (${mentionsAsText(i.targetSource)})` : ''}`,
    `Severity ${i.severity}${i.critical ? ', CRITICAL' : ''}; trigger ${i.trigger}; issue ${i.issueUrl ?? '—'}; started by ${i.createdBy}, ${formatDistanceStrict(i.createdAt, now)} ago`,
    `Impact started ${iso(i.impactStartedAt)} · detected ${iso(i.detectedAt)} · decided ${iso(i.decidedAt)} · restored ${iso(i.restoredAt)} · resolved ${iso(i.resolvedAt)}`,
  ];
  for (const phase of PHASES) {
    lines.push('', PHASE_TITLES[phase]);
    for (const def of RUNBOOK.filter((d) => d.phase === phase)) {
      const rec = snap.steps.get(def.id);
      if (!rec) continue;
      const situation = {
        def,
        record: rec,
        incident: i,
        steps: snap.steps,
        approvals: snap.approvals.filter((a) => a.stepId === def.id && a.attempt === rec.attempt),
      };
      const actions = availableActions(situation);
      const missing = owedApprovals(def, rec, situation.approvals);
      const blocked = rec.state === 'pending' ? unmetPrerequisite(situation) : null;
      const detail = mentionsAsText(rec.error ?? rec.summary ?? blocked ?? '');
      lines.push(`  ${MARK[rec.state]} ${def.id.padEnd(17)} ${rec.state.padEnd(21)} ${detail}`.trimEnd());
      for (const a of situation.approvals) lines.push(`      approved by ${actorText(a.userId, a.via)} as ${a.role}`);
      if (missing.length) lines.push(`      needs approval: ${missing.join(' + ')}`);
      if (actions.length) lines.push(`      can: ${actions.join(', ')}`);
    }
  }
  return lines.join('\n');
}

export function renderTimeline(events: readonly TimelineEvent[]): string {
  return events
    .map((e) => {
      const payload = Object.entries(e.payload)
        .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object')
        .map(([k, v]) => `${k}=${mentionsAsText(String(v))}`)
        .join(' ');
      return `${iso(e.at)}  ${actorText(e.actor, e.payload.via).padEnd(18)} ${storedKind(e).padEnd(26)} ${e.stepId ?? ''} ${payload}`.trimEnd();
    })
    .join('\n');
}
