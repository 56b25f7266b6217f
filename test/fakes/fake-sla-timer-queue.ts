/** An in-memory SlaTimerQueue (flows/ports/sla-timers.ts): timers wait until a test fires them. */
import type { SlaTimerJob, SlaTimerQueue } from '../../src/flows/ports.ts';

const keyOf = (job: SlaTimerJob): string =>
  `${job.incidentId}/${job.milestone}/${job.percent}/${new Date(job.dueAt).getTime()}`;

export interface FakeSlaTimerQueue extends SlaTimerQueue {
  /** Scheduled delays by timer, for tests that check when a timer would fire. */
  delays: Map<string, number>;
  /** Takes a pending timer off the queue as if it had fired; the caller runs fireSlaTimer with it. */
  take(job: SlaTimerJob): boolean;
}

export function createFakeSlaTimerQueue(): FakeSlaTimerQueue {
  const pending = new Map<string, SlaTimerJob>();
  const delays = new Map<string, number>();
  return {
    delays,
    async schedule(job, delayMs) {
      const key = keyOf(job);
      if (pending.has(key)) return;
      pending.set(key, { ...job });
      delays.set(key, Math.max(0, Math.round(delayMs)));
    },
    async pending(incidentId) {
      return [...pending.values()]
        .filter((j) => incidentId === undefined || j.incidentId === incidentId)
        .map((j) => ({ ...j }));
    },
    async cancel(job) {
      pending.delete(keyOf(job));
    },
    take(job) {
      return pending.delete(keyOf(job));
    },
  };
}
