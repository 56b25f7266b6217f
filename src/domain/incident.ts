/**
 * Incident and step records as the flows see them (the store maps rows to these).
 */

import type { CliOrigin } from './origin.ts';
import type { Role, StepId } from './steps.ts';
import type { StoredTimelineBody } from './timeline-events.ts';

export type Severity = 'P1' | 'P2';
export const SEVERITIES: readonly Severity[] = ['P1', 'P2'];

/** The runbook's triggers; security exposure and data corruption make an incident critical. */
export type Trigger = 'slo_breach' | 'security_exposure' | 'data_corruption' | 'failed_smoke_tests';
export const TRIGGERS: readonly Trigger[] = [
  'slo_breach',
  'security_exposure',
  'data_corruption',
  'failed_smoke_tests',
];
export const TRIGGER_TITLES: Record<Trigger, string> = {
  slo_breach: 'SLO breach (error rate, latency or auth failures)',
  security_exposure: 'Security exposure',
  data_corruption: 'Data corruption',
  failed_smoke_tests: 'Failed smoke tests after a deploy',
};
export function isCriticalTrigger(trigger: Trigger): boolean {
  return trigger === 'security_exposure' || trigger === 'data_corruption';
}

export type IncidentState = 'open' | 'resolved' | 'aborted';

export type StepState =
  | 'pending'
  | 'queued'
  | 'running'
  | 'awaiting_approval'
  | 'awaiting_confirmation'
  | 'succeeded'
  | 'failed'
  | 'skipped'
  | 'aborted';

export interface ChatRef {
  channel: string;
  ts: string;
}

export interface Incident {
  id: string;
  environment: string;
  state: IncidentState;
  badVersion: string;
  targetVersion: string | null;
  targetSource: string | null;
  severity: Severity;
  trigger: Trigger;
  critical: boolean;
  /** Autopilot on for this incident (the modal's switch, `--no-autopilot`); off: every step waits for Run. */
  autopilot: boolean;
  /** A drill (game day or drill mode): marked everywhere; no issue comment, no #releases milestones. */
  drill: boolean;
  issueUrl: string | null;
  createdBy: string;
  createdAt: Date;
  impactStartedAt: Date | null;
  detectedAt: Date;
  decidedAt: Date | null;
  restoredAt: Date | null;
  resolvedAt: Date | null;
  /** The checklist messages in #incidents and #releases. */
  chat: { incidents: ChatRef | null; releases: ChatRef | null };
}

export interface StepRecord {
  incidentId: string;
  stepId: StepId;
  state: StepState;
  attempt: number;
  /** Bumped on every change: a button rendered at an older version is stale. */
  version: number;
  output: Record<string, unknown>;
  summary: string | null;
  error: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
  /** Who ran (or skipped/confirmed) it last. */
  actor: string | null;
  /** Set when that person acted through the CLI: the OS account behind the claimed `actor`. */
  actorVia?: CliOrigin | null;
}

export interface Approval {
  incidentId: string;
  stepId: StepId;
  attempt: number;
  role: Role;
  userId: string;
  at: Date;
  /** Set for a CLI approval: the OS account that gave it (a second approval needs another one). */
  via?: CliOrigin | null;
}

/** One timeline row as read back: its kind and payload (domain/timeline-events.ts) plus where and who. */
export type TimelineEvent = StoredTimelineBody & {
  id: number;
  incidentId: string;
  at: Date;
  actor: string;
  stepId: StepId | null;
};

/** One open rollback per environment: what a second start is told (by the start flow and the store). */
export function alreadyOpen(environment: string, open: Pick<Incident, 'id' | 'badVersion'> | null): string {
  return `a rollback is already open for ${environment}: \`${open?.id ?? 'unknown'}\` (bad ${open?.badVersion ?? '?'}). Work in that incident, or resolve/abort it before starting another`;
}
