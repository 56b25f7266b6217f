/**
 * Autopilot inside a commit: every flow that commits a step transition passes the records it is
 * about to write through `withAutopilot`, which adds the automatic starts that transition enables
 * to the same mutation. The incident's row lock and the step state (only a pending step can be
 * queued) make each start exactly-once under double delivery; a crash after the commit leaves the
 * step queued in Postgres, and the reconciler enqueues its job.
 */

import type { RunbookConfig } from '../config/schema.ts';
import { AUTOPILOT_ACTOR, type AutopilotSettings, autopilotStarts } from '../domain/autopilot.ts';
import type { Approval, StepRecord } from '../domain/incident.ts';
import { advance } from '../domain/step-machine.ts';
import type { StepId } from '../domain/steps.ts';
import type { FlowDeps } from './deps.ts';
import type { IncidentPatch, IncidentSnapshot, NewEvent, StepJob } from './ports.ts';

/** rollback.yml's per-step switches; migration_scope needs a `database:` section to run at all. */
export function autopilotSettings(config: RunbookConfig): AutopilotSettings {
  return { ...config.autopilot, migration_scope: config.autopilot.migration_scope && config.database !== undefined };
}

export interface PendingCommit {
  steps: readonly StepRecord[];
  approvals?: readonly Approval[];
  incident?: IncidentPatch;
}

export interface AutopilotAddition {
  /** The commit's step records with autopilot's starts merged in (one record per step). */
  steps: StepRecord[];
  events: NewEvent[];
  jobs: StepJob[];
}

export function withAutopilot(deps: FlowDeps, snap: IncidentSnapshot, commit: PendingCommit): AutopilotAddition {
  const steps = new Map<StepId, StepRecord>(snap.steps);
  for (const s of commit.steps) steps.set(s.stepId, s);
  const view = {
    incident: { ...snap.incident, ...commit.incident },
    steps,
    approvals: [...snap.approvals, ...(commit.approvals ?? [])],
  };
  const starts = autopilotStarts(view, autopilotSettings(deps.config));
  const written = new Map<StepId, StepRecord>(commit.steps.map((s) => [s.stepId, s]));
  const events: NewEvent[] = [];
  const jobs: StepJob[] = [];
  const now = deps.now();
  for (const start of starts) {
    const queued = advance(steps.get(start.stepId)!, 'enqueue', now, AUTOPILOT_ACTOR);
    written.set(start.stepId, { ...queued, output: { ...queued.output, phase: 'run' } });
    events.push({
      kind: 'step_queued',
      actor: AUTOPILOT_ACTOR,
      at: now,
      stepId: start.stepId,
      payload: { attempt: queued.attempt, automatic: true, autopilot: { after: start.after, because: start.because } },
    });
    jobs.push({ incidentId: snap.incident.id, stepId: start.stepId, attempt: queued.attempt });
  }
  return { steps: [...written.values()], events, jobs };
}
