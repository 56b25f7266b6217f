/**
 * StepQueue on BullMQ. One job per step attempt with a deterministic id, so a double click, a
 * retried Slack delivery or two replicas enqueueing the same attempt add one job (BullMQ ignores
 * an id it already holds). BullMQ rejects ':' in custom ids, hence '_' separators.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { StepJob, StepQueue } from '../../flows/ports.ts';

export const STEP_QUEUE = 'steps';

export function jobIdOf(job: StepJob): string {
  return `${job.incidentId}_${job.stepId}_${job.attempt}${job.kind === 'apply' ? '_apply' : ''}`;
}

export function abortChannel(prefix: string): string {
  return `${prefix}-step-abort`;
}

export interface BullmqStepQueue extends StepQueue {
  failedReason(job: StepJob): Promise<string | null>;
  close(): Promise<void>;
  queue: Queue;
}

export function createBullmqStepQueue(options: { connection: Redis; prefix: string; attempts: number; backoffMs: number }): BullmqStepQueue {
  const queue = new Queue(STEP_QUEUE, { connection: options.connection, prefix: options.prefix });
  return {
    queue,
    async enqueue(job) {
      await queue.add(job.stepId, job, {
        jobId: jobIdOf(job),
        attempts: options.attempts,
        backoff: { type: 'exponential', delay: options.backoffMs },
        // Completed/failed jobs stay a while so a late duplicate add is still recognised.
        removeOnComplete: { age: 7 * 24 * 3600 },
        removeOnFail: { age: 30 * 24 * 3600 },
      });
    },
    async abort(job) {
      await options.connection.publish(abortChannel(options.prefix), jobIdOf(job));
    },
    async jobState(job) {
      const found = await queue.getJob(jobIdOf(job));
      return found ? await found.getState() : null;
    },
    async failedReason(job) {
      const found = await queue.getJob(jobIdOf(job));
      return found?.failedReason ?? null;
    },
    close: () => queue.close(),
  };
}
