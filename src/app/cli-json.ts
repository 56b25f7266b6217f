/**
 * `-o json` shapes. These field names are a contract (README "The CLI", "JSON output"): scripts
 * parse them, so they are built here by hand instead of dumping internal records that may change.
 */

import type { Incident, StepRecord, TimelineEvent } from '../domain/incident.ts';
import { STEP_IDS } from '../domain/steps.ts';
import { storedKind } from '../domain/timeline-events.ts';
import type { IncidentSnapshot } from '../flows/ports.ts';
import type { DoctorResult } from './doctor.ts';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function incidentJson(i: Incident) {
  return {
    id: i.id,
    environment: i.environment,
    state: i.state,
    badVersion: i.badVersion,
    targetVersion: i.targetVersion,
    severity: i.severity,
    trigger: i.trigger,
    critical: i.critical,
    autopilot: i.autopilot,
    drill: i.drill,
    issueUrl: i.issueUrl,
    createdBy: i.createdBy,
    createdAt: iso(i.createdAt),
    impactStartedAt: iso(i.impactStartedAt),
    detectedAt: iso(i.detectedAt),
    decidedAt: iso(i.decidedAt),
    restoredAt: iso(i.restoredAt),
    resolvedAt: iso(i.resolvedAt),
  };
}

function stepJson(s: StepRecord) {
  return {
    id: s.stepId,
    state: s.state,
    attempt: s.attempt,
    summary: s.summary,
    error: s.error,
    startedAt: iso(s.startedAt),
    finishedAt: iso(s.finishedAt),
    actor: s.actor,
  };
}

export function eventJson(e: TimelineEvent) {
  return { id: e.id, at: iso(e.at), actor: e.actor, kind: storedKind(e), step: e.stepId, payload: e.payload };
}

/** `status -o json`: steps in runbook order (absent steps are not listed). */
export function statusJson(snap: IncidentSnapshot, events: readonly TimelineEvent[]) {
  const steps = STEP_IDS.flatMap((id) => {
    const s = snap.steps.get(id);
    return s ? [stepJson(s)] : [];
  });
  return { incident: incidentJson(snap.incident), steps, timeline: events.map(eventJson) };
}

export function doctorJson(results: readonly DoctorResult[]) {
  return { ok: results.every((r) => r.status !== 'fail'), checks: results };
}

export const toJson = (value: unknown): string => JSON.stringify(value, null, 2);
