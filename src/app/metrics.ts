/**
 * Prometheus metrics on /metrics, fed by the committed timeline events (an IncidentObserver):
 * TTD and TTR when an incident is resolved — the final figures, after any correction — step
 * outcomes by step and result, and how long each step ran in the worker.
 */

import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { IncidentObserver, IncidentStore, NewEvent } from '../flows/ports.ts';

/** Seconds: 30 s … 4 h covers a P1 (10/30 min budgets) and a P2 (2 h). */
const INCIDENT_BUCKETS = [30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 7200, 14_400];
const STEP_BUCKETS = [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800];

const RESULTS: Record<string, string> = {
  step_succeeded: 'succeeded',
  step_failed: 'failed',
  step_skipped: 'skipped',
  step_aborted: 'aborted',
  step_awaiting_approval: 'awaiting_approval',
  step_awaiting_confirmation: 'awaiting_confirmation',
};

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

  const observeDuration = (incidentId: string, e: NewEvent, result: string): void => {
    track(
      (async () => {
        const step = (await deps.store().get(incidentId)).steps.get(e.stepId!);
        const labels = { step: e.stepId!, result, ...(await drillLabel(incidentId)) };
        if (step?.startedAt) durations.observe(labels, Math.max(0, (e.at.getTime() - step.startedAt.getTime()) / 1000));
      })(),
      incidentId,
    );
  };

  return {
    changed(incidentId, events) {
      for (const e of events) {
        const result = RESULTS[e.kind];
        if (result && e.stepId) {
          const stepId = e.stepId;
          track(
            drillLabel(incidentId).then((drill) => void outcomes.inc({ step: stepId, result, ...drill })),
            incidentId,
          );
          // Worker outcomes only: a confirm or skip measures how long a person took, not the step.
          const ranInWorker = e.actor === 'rollback-commander' && result !== 'skipped' && result !== 'aborted';
          if (ranInWorker) observeDuration(incidentId, e, result);
        }
        if (e.kind === 'incident_resolved') {
          const p = e.payload ?? {};
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
