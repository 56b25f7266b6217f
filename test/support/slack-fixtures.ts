/**
 * Incidents, step records and approvals for the Slack rendering tests, built from a few
 * readable scenarios so the golden files show what a person would see in a real incident.
 */
import type { ChecklistView } from '../../src/adapters/slack/checklist-blocks.ts';
import type { Approval, Incident, StepRecord, StepState } from '../../src/domain/incident.ts';
import { type Role, RUNBOOK, type StepId } from '../../src/domain/steps.ts';

export const T0 = new Date('2026-11-24T12:00:00Z');
export const at = (minutes: number, seconds = 0) => new Date(T0.getTime() + minutes * 60_000 + seconds * 1000);

export const CAPTAIN = 'U0CAPTAIN1';
export const SRE = 'U0SRE00001';
export const DB_OWNER = 'U0DBOWNER1';

export function makeIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 'inc_7f3a',
    environment: 'production',
    state: 'open',
    badVersion: 'v1.4.0',
    targetVersion: null,
    targetSource: null,
    severity: 'P1',
    trigger: 'slo_breach',
    critical: false,
    autopilot: true,
    drill: false,
    issueUrl: 'https://github.com/ValueCanvas/ValueCanvas/issues/812',
    createdBy: SRE,
    createdAt: T0,
    impactStartedAt: at(-6),
    detectedAt: T0,
    decidedAt: null,
    restoredAt: null,
    resolvedAt: null,
    chat: { incidents: null, releases: null },
    ...overrides,
  };
}

export type StepPatch = Partial<Omit<StepRecord, 'incidentId' | 'stepId'>> & { state: StepState };

/** Every runbook step, pending unless patched; version bumps with each patch like the store's. */
export function makeSteps(incidentId: string, patches: Partial<Record<StepId, StepPatch>> = {}): StepRecord[] {
  return RUNBOOK.map((def) => {
    const patch = patches[def.id];
    return {
      incidentId,
      stepId: def.id,
      state: 'pending',
      attempt: 1,
      version: patch ? 3 : 1,
      output: {},
      summary: null,
      error: null,
      startedAt: null,
      finishedAt: null,
      updatedAt: T0,
      actor: null,
      ...patch,
    };
  });
}

export function done(startMin: number, endMin: number, actor: string, summary: string | null = null): StepPatch {
  return { state: 'succeeded', startedAt: at(startMin), finishedAt: at(endMin), updatedAt: at(endMin), actor, summary };
}

export function approval(stepId: StepId, role: Role, userId: string, when: Date, attempt = 1): Approval {
  return { incidentId: 'inc_7f3a', stepId, attempt, role, userId, at: when };
}

export const ROLES_IN_CONFIG: Record<Role, string[]> = {
  release_captain: [CAPTAIN],
  oncall_sre: [SRE, 'U0SRE00002'],
  database_owner: [DB_OWNER],
};

/** Fixture views keep steps as a list, so tests can pick records out of them. */
export type FixtureView = ChecklistView & { steps: StepRecord[] };

const ENVIRONMENT = { name: 'production', kubeContext: 'prod-eu-1', namespace: 'valuecanvas' };
const P1_SLA = { decideMs: 10 * 60_000, restoreMs: 30 * 60_000 };
const P2_SLA = { restoreMs: 2 * 60 * 60_000 };

function view(incident: Incident, steps: StepRecord[], approvals: Approval[], now: Date): FixtureView {
  return {
    incident,
    steps,
    approvals,
    roles: ROLES_IN_CONFIG,
    environment: ENVIRONMENT,
    sla: incident.severity === 'P1' ? P1_SLA : P2_SLA,
    now,
  };
}

/** Just opened by `/rollback`: the announcement is being posted, nothing else has run. */
export function freshP1(): FixtureView {
  const incident = makeIncident();
  const steps = makeSteps(incident.id, {
    announce: { state: 'running', startedAt: at(0, 5), updatedAt: at(0, 5), actor: SRE },
  });
  return view(incident, steps, [], at(0, 30));
}

/** Critical P1, target approved, the image revert failed on one Deployment. */
export function midRolloutWithFailure(): FixtureView {
  const incident = makeIncident({
    trigger: 'security_exposure',
    critical: true,
    targetVersion: 'v1.3.2',
    targetSource: 'known_good',
    decidedAt: at(4, 10),
  });
  const steps = makeSteps(incident.id, {
    announce: done(0, 0.1, SRE, 'Posted in #incidents and #releases'),
    pause_deploys: done(1, 1.5, SRE, 'Disabled deploy.yml, cancelled 1 run, disabled auto-merge on 2 PRs'),
    capture_context: done(1, 1.2, SRE, 'First bad request 11:54:00 UTC · agent:pending backlog 1 204'),
    select_release: {
      ...done(2, 2.5, SRE, 'Proposed v1.3.2 (known-good record; ReplicaSet history agrees)'),
      finishedAt: at(4, 10),
    },
    revert_images: {
      state: 'failed',
      startedAt: at(5),
      finishedAt: at(10, 2),
      updatedAt: at(10, 2),
      actor: SRE,
      summary: 'api and worker rolled out',
      error:
        'deployment valuecanvas/web exceeded its progress deadline (ProgressDeadlineExceeded): 1 out of 3 new replicas have been updated',
    },
    migration_scope: done(
      5,
      5.3,
      'U0DBOWNER1',
      'Head migration 20261120_add_orgs; v1.4.0 shipped 1 migration (reversible)',
    ),
  });
  const approvals = [approval('select_release', 'release_captain', CAPTAIN, at(4, 10))];
  return view(incident, steps, approvals, at(11));
}

/** P2, app reverted, validating; the migration revert's plan has one of its two approvals. */
export function awaitingTwoPersonApproval(): FixtureView {
  const incident = makeIncident({
    severity: 'P2',
    impactStartedAt: null,
    targetVersion: 'v1.3.2',
    targetSource: 'replicaset_history',
    decidedAt: at(12),
  });
  const steps = makeSteps(incident.id, {
    announce: done(0, 0.1, SRE, 'Posted in #incidents and #releases'),
    pause_deploys: done(1, 1.5, SRE, 'Disabled deploy.yml, cancelled 0 runs'),
    capture_context: done(1, 1.2, SRE, 'agent:pending backlog 88'),
    select_release: {
      ...done(2, 2.5, SRE, 'Proposed v1.3.2 (ReplicaSet history; no known-good record yet)'),
      finishedAt: at(12),
    },
    revert_images: done(13, 17, SRE, 'api, web, worker now on v1.3.2'),
    verify_cutover: {
      state: 'awaiting_confirmation',
      startedAt: at(17, 30),
      updatedAt: at(17, 40),
      actor: SRE,
      summary: 'No Prometheus configured: check 00-Prod Overview in Grafana and confirm',
    },
    migration_scope: done(14, 14.2, DB_OWNER, 'v1.4.0 shipped 20261120_add_orgs (has a down migration)'),
    migration_revert: {
      state: 'awaiting_approval',
      startedAt: at(19),
      updatedAt: at(19, 20),
      actor: DB_OWNER,
      summary:
        'Plan: apply 20261120_add_orgs.down.sql in one transaction. It drops column orgs.plan (data in it is lost).',
    },
    smoke_tests: {
      state: 'running',
      startedAt: at(18),
      updatedAt: at(19),
      actor: SRE,
      summary: 'Smoke workflow run #4411 in progress',
    },
    queue_health: done(18, 18.1, SRE, 'agent:pending 12 and draining'),
  });
  const approvals = [
    approval('select_release', 'release_captain', CAPTAIN, at(12)),
    approval('migration_revert', 'release_captain', CAPTAIN, at(20)),
  ];
  return view(incident, steps, approvals, at(21));
}

/** P1 resolved; the restore SLA was missed by four minutes. */
export function resolved(): FixtureView {
  const incident = makeIncident({
    state: 'resolved',
    targetVersion: 'v1.3.2',
    targetSource: 'known_good',
    decidedAt: at(4, 10),
    restoredAt: at(34),
    resolvedAt: at(41),
  });
  const steps = makeSteps(incident.id, {
    announce: done(0, 0.1, SRE, 'Posted in #incidents and #releases'),
    pause_deploys: done(1, 1.5, SRE, 'Disabled deploy.yml, cancelled 1 run'),
    capture_context: done(1, 1.2, SRE, 'agent:pending backlog 1 204'),
    select_release: { ...done(2, 2.5, SRE, 'Proposed v1.3.2 (known-good record)'), finishedAt: at(4, 10) },
    revert_images: { ...done(15, 21, SRE, 'api, web, worker now on v1.3.2'), attempt: 2 },
    verify_cutover: done(21, 24, SRE, 'Error rate 0.2% (was 7.9%), held 2m'),
    migration_scope: done(5, 5.3, DB_OWNER, 'v1.4.0 shipped no migrations'),
    migration_revert: {
      state: 'skipped',
      finishedAt: at(6),
      updatedAt: at(6),
      actor: CAPTAIN,
      summary: 'v1.4.0 shipped no migrations',
    },
    smoke_tests: done(24, 31, SRE, 'Smoke workflow run #4409 passed'),
    queue_health: done(24, 24.1, SRE, 'agent:pending 40 and draining'),
    auth_check: done(24, 34, SRE, '3 of 3 auth probes passed'),
    resume_deploys: done(
      38,
      39,
      CAPTAIN,
      'Re-enabled deploy.yml; v1.4.0 is still on main — revert it before the next deploy',
    ),
    resolve: done(41, 41, CAPTAIN, 'TTD 6m · TTR 34m · decision 4m 10s'),
  });
  const approvals = [
    approval('select_release', 'release_captain', CAPTAIN, at(4, 10)),
    approval('resume_deploys', 'release_captain', CAPTAIN, at(38)),
    approval('resolve', 'release_captain', CAPTAIN, at(41)),
  ];
  return view(incident, steps, approvals, at(41));
}
