/**
 * StepQueue on BullMQ. One job per step attempt with a deterministic id, so a double click, a
 * retried Slack delivery or two replicas enqueueing the same attempt add one job (BullMQ ignores
 * an id it already holds). BullMQ rejects ':' in custom ids, hence '_' separators.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { UserFacingError } from '../../domain/errors.ts';
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

/** BullMQ waits for Redis forever; a click or a CLI command must get an answer instead. */
const ENQUEUE_TIMEOUT_MS = 5000;

export function createBullmqStepQueue(options: {
  connection: Redis;
  prefix: string;
  attempts: number;
  backoffMs: number;
  onError?: (err: Error) => void;
}): BullmqStepQueue {
  const queue = new Queue(STEP_QUEUE, { connection: options.connection, prefix: options.prefix });
  // Without a listener BullMQ prints connection errors to the console.
  queue.on('error', (err) => options.onError?.(err));
  return {
    queue,
    async enqueue(job) {
      // If Redis answers later the add still lands (same job id, so at most once); the reconciler
      // also re-adds any step that is queued in Postgres without a job.
      const add = queue.add(job.stepId, job, {
        jobId: jobIdOf(job),
        attempts: options.attempts,
        backoff: { type: 'exponential', delay: options.backoffMs },
        // Completed/failed jobs stay a while so a late duplicate add is still recognised.
        removeOnComplete: { age: 7 * 24 * 3600 },
        removeOnFail: { age: 30 * 24 * 3600 },
      });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new UserFacingError(
                'upstream_unavailable',
                `Redis did not answer within ${ENQUEUE_TIMEOUT_MS / 1000} s`,
                { transient: true },
              ),
            ),
          ENQUEUE_TIMEOUT_MS,
        );
      });
      add.catch(() => undefined);
      try {
        await Promise.race([add, timeout]);
      } finally {
        clearTimeout(timer);
      }
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
