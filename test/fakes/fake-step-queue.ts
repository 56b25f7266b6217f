/**
 * An in-memory StepQueue (flows/ports.ts): jobs by id, in the states BullMQ reports. A test plays
 * the worker with `take` / `finish`.
 */
import type { StepJob, StepQueue } from '../../src/flows/ports.ts';

const idOf = (job: StepJob): string => `${job.incidentId}_${job.stepId}_${job.attempt}`;

export interface FakeStepQueue extends StepQueue {
  /** The oldest waiting job, now active; undefined when none waits. */
  take(): StepJob | undefined;
  /** Ends an active job: completed, or failed with a reason. */
  finish(job: StepJob, failedReason?: string): void;
  /** Abort requests, by job id. */
  aborted: Map<string, string>;
}

export function createFakeStepQueue(): FakeStepQueue {
  const jobs = new Map<
    string,
    { job: StepJob; state: 'waiting' | 'active' | 'completed' | 'failed'; failedReason: string | null }
  >();
  const aborted = new Map<string, string>();
  return {
    aborted,
    async enqueue(job) {
      if (!jobs.has(idOf(job))) jobs.set(idOf(job), { job: { ...job }, state: 'waiting', failedReason: null });
    },
    async abort(job, reason) {
      aborted.set(idOf(job), reason);
    },
    async jobState(job) {
      return jobs.get(idOf(job))?.state ?? null;
    },
    async failedReason(job) {
      return jobs.get(idOf(job))?.failedReason ?? null;
    },
    take() {
      const next = [...jobs.values()].find((j) => j.state === 'waiting');
      if (!next) return undefined;
      next.state = 'active';
      return { ...next.job };
    },
    finish(job, failedReason) {
      const entry = jobs.get(idOf(job));
      if (!entry) return;
      entry.state = failedReason ? 'failed' : 'completed';
      entry.failedReason = failedReason ?? null;
    },
  };
}
