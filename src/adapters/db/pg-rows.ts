/** Row ↔ record mapping for the store; kept apart so the store reads as queries. */

import type { Approval, Incident, StepRecord, TimelineEvent } from '../../domain/incident.ts';
import type { CliOrigin } from '../../domain/origin.ts';
import type { StepId } from '../../domain/steps.ts';
import { toTimelineBody } from '../../domain/timeline-events.ts';

export type Row = Record<string, unknown>;

export function toIncident(r: Row): Incident {
  const chat = (r.chat ?? {}) as Partial<Incident['chat']>;
  return {
    id: r.id as string,
    environment: r.environment as string,
    state: r.state as Incident['state'],
    badVersion: r.bad_version as string,
    targetVersion: (r.target_version as string | null) ?? null,
    targetSource: (r.target_source as string | null) ?? null,
    severity: r.severity as Incident['severity'],
    trigger: r.trigger as Incident['trigger'],
    critical: r.critical as boolean,
    autopilot: r.autopilot as boolean,
    drill: (r.drill as boolean | undefined) ?? false,
    issueUrl: (r.issue_url as string | null) ?? null,
    createdBy: r.created_by as string,
    createdAt: r.created_at as Date,
    impactStartedAt: (r.impact_started_at as Date | null) ?? null,
    detectedAt: r.detected_at as Date,
    decidedAt: (r.decided_at as Date | null) ?? null,
    restoredAt: (r.restored_at as Date | null) ?? null,
    resolvedAt: (r.resolved_at as Date | null) ?? null,
    chat: { incidents: chat.incidents ?? null, releases: chat.releases ?? null },
  };
}

export function toStep(r: Row): StepRecord {
  return {
    incidentId: r.incident_id as string,
    stepId: r.step_id as StepId,
    state: r.state as StepRecord['state'],
    attempt: r.attempt as number,
    version: r.version as number,
    output: (r.output ?? {}) as Record<string, unknown>,
    summary: (r.summary as string | null) ?? null,
    error: (r.error as string | null) ?? null,
    startedAt: (r.started_at as Date | null) ?? null,
    finishedAt: (r.finished_at as Date | null) ?? null,
    updatedAt: r.updated_at as Date,
    actor: (r.actor as string | null) ?? null,
    actorVia: (r.actor_via as CliOrigin | null) ?? null,
  };
}

export function toApproval(r: Row): Approval {
  return {
    incidentId: r.incident_id as string,
    stepId: r.step_id as StepId,
    attempt: r.attempt as number,
    role: r.role as Approval['role'],
    userId: r.user_id as string,
    at: r.at as Date,
    via: (r.via as CliOrigin | null) ?? null,
  };
}

export function toEvent(r: Row): TimelineEvent {
  return {
    id: Number(r.id),
    incidentId: r.incident_id as string,
    at: r.at as Date,
    actor: r.actor as string,
    stepId: (r.step_id as StepId | null) ?? null,
    // Rows outlive code: a kind this build does not know reads as `unknown`, never as a crash.
    ...toTimelineBody(String(r.kind), r.payload),
  };
}

/** Incident fields a mutation may patch, and their columns. */
export const INCIDENT_COLUMNS = {
  state: 'state',
  targetVersion: 'target_version',
  targetSource: 'target_source',
  severity: 'severity',
  critical: 'critical',
  autopilot: 'autopilot',
  impactStartedAt: 'impact_started_at',
  detectedAt: 'detected_at',
  decidedAt: 'decided_at',
  restoredAt: 'restored_at',
  resolvedAt: 'resolved_at',
  chat: 'chat',
} as const;
