/**
 * Prometheus metrics on /metrics, fed by the committed timeline events (an IncidentObserver):
 * TTD and TTR when an incident is resolved — the final figures, after any correction — step
 * outcomes by step and result, and how long each step ran in the worker.
 */

import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import { exhaustive, type TimelinePayloads } from '../domain/timeline-events.ts';
import type { IncidentObserver, IncidentStore, NewEvent } from '../flows/ports.ts';

/** Seconds: 30 s … 4 h covers a P1 (10/30 min budgets) and a P2 (2 h). */
const INCIDENT_BUCKETS = [30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 7200, 14_400];
const STEP_BUCKETS = [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800];

type StepResult = 'succeeded' | 'failed' | 'skipped' | 'aborted' | 'awaiting_approval' | 'awaiting_confirmation';

/** What /metrics measures in an event: a step outcome (its `result` label), the resolution's TTD/TTR, or nothing. */
type Measure = { result: StepResult } | { resolution: TimelinePayloads['incident_resolved'] } | null;

function measureOf(e: NewEvent): Measure {
  switch (e.kind) {
    case 'step_succeeded':
      return { result: 'succeeded' };
    case 'step_failed':
      return { result: 'failed' };
    case 'step_skipped':
      return { result: 'skipped' };
    case 'step_aborted':
      return { result: 'aborted' };
    case 'step_awaiting_approval':
      return { result: 'awaiting_approval' };
    case 'step_awaiting_confirmation':
      return { result: 'awaiting_confirmation' };
    case 'incident_resolved':
      return { resolution: e.payload };
    // Queued, running, retried: the step has no outcome yet. The rest are not step outcomes.
    case 'incident_started':
    case 'step_queued':
    case 'step_started':
    case 'step_resumed':
    case 'step_progress':
    case 'step_retrying':
    case 'approval_given':
    case 'action_refused':
    case 'target_approved':
    case 'app_restored':
    case 'incident_aborted':
    case 'incident_marked_critical':
    case 'sla_reminder':
    case 'sla_breached':
    case 'times_corrected':
      return null;
    default:
      exhaustive(e);
      return null;
  }
}

export interface RollbackMetrics extends IncidentObserver {
  /** Resolves when the step-duration lookups started so far are recorded (tests, shutdown). */
  settled(): Promise<void>;
}

export function createMetrics(
  registry: Registry,
  deps: { store: () => Pick<IncidentStore, 'get'>; log: Logger },
): RollbackMetrics {
  const ttd = new Histogram({
    name: 'rollback_ttd_seconds',
    help: 'Time to detect (detected_at − impact_started_at) of resolved incidents',
    labelNames: ['severity', 'drill'],
    buckets: INCIDENT_BUCKETS,
    registers: [registry],
  });
  const ttr = new Histogram({
    name: 'rollback_ttr_seconds',
    help: 'Time to recover (restored_at − detected_at) of resolved incidents',
    labelNames: ['severity', 'drill'],
    buckets: INCIDENT_BUCKETS,
    registers: [registry],
  });
  const outcomes = new Counter({
    name: 'rollback_step_outcomes_total',
    help: 'Step outcomes by step and result',
    labelNames: ['step', 'result', 'drill'],
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'rollback_step_duration_seconds',
    help: 'How long a step ran in the worker, from start to its outcome',
    labelNames: ['step', 'result', 'drill'],
    buckets: STEP_BUCKETS,
    registers: [registry],
  });
  const pending = new Set<Promise<void>>();
  /** Drill incidents (issue 9 §4) carry drill="true" on every series; others keep their labels as before. */
  const drills = new Map<string, boolean>();
  const track = (work: Promise<void>, incidentId: string): void => {
    const p = work
      .catch((err) => deps.log.warn({ err, incidentId }, 'could not read an incident for /metrics'))
      .finally(() => pending.delete(p));
    pending.add(p);
  };
  const drillLabel = async (incidentId: string): Promise<{ drill?: 'true' }> => {
    let drill = drills.get(incidentId);
    if (drill === undefined) {
      drill = (await deps.store().get(incidentId)).incident.drill === true;
      drills.set(incidentId, drill);
    }
    return drill ? { drill: 'true' } : {};
  };

  const observeDuration = (incidentId: string, e: NewEvent, result: StepResult): void => {
    track(
      (async () => {
        const snap = await deps.store().get(incidentId);
        // The incident is at hand: it answers the drill label too, without a second read.
        drills.set(incidentId, snap.incident.drill === true);
        const step = snap.steps.get(e.stepId!);
        const labels = { step: e.stepId!, result, ...(await drillLabel(incidentId)) };
        if (step?.startedAt) durations.observe(labels, Math.max(0, (e.at.getTime() - step.startedAt.getTime()) / 1000));
      })(),
      incidentId,
    );
  };

  return {
    changed(incidentId, events) {
      for (const e of events) {
        const measure = measureOf(e);
        if (measure && 'result' in measure && e.stepId) {
          const { result } = measure;
          const stepId = e.stepId;
          track(
            drillLabel(incidentId).then((drill) => void outcomes.inc({ step: stepId, result, ...drill })),
            incidentId,
          );
          // Worker outcomes only: a confirm or skip measures how long a person took, not the step.
          const ranInWorker = e.actor === 'rollback-commander' && result !== 'skipped' && result !== 'aborted';
          if (ranInWorker) observeDuration(incidentId, e, result);
        }
        if (measure && 'resolution' in measure) {
          const p = measure.resolution ?? {};
          const labels = { severity: String(p.severity ?? 'unknown'), ...(p.drill === true ? { drill: 'true' } : {}) };
          if (typeof p.ttdMs === 'number') ttd.observe(labels, p.ttdMs / 1000);
          if (typeof p.ttrMs === 'number') ttr.observe(labels, p.ttrMs / 1000);
        }
      }
    },
    async settled() {
      await Promise.all([...pending]);
    },
  };
}
