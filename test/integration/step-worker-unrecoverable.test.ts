/**
 * The step worker on real Redis: an error a retry cannot fix (our own, not transient) fails the
 * BullMQ job at once (UnrecoverableError), while a transient one is retried with backoff.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBullmqStepQueue, jobIdOf, STEP_QUEUE } from '../../src/adapters/queue/bullmq-step-queue.ts';
import { type StepWorker, startStepWorker } from '../../src/adapters/queue/step-worker.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { StepJob } from '../../src/flows/ports.ts';
import { clearPrefix, createTestRedis, uniqueName } from '../support/services.ts';
import { until } from '../support/wait.ts';

let redis: Redis;
let prefix: string;
let worker: StepWorker;
let jobs: Queue;
const tries = new Map<string, number>();
const failures: Record<string, (tryNumber: number) => Error | null> = {};

beforeAll(async () => {
  redis = createTestRedis();
  prefix = uniqueName('rcunrec');
  jobs = new Queue(STEP_QUEUE, { connection: redis, prefix });
  worker = await startStepWorker({
    connection: redis,
    prefix,
    concurrency: 2,
    lockDurationMs: 5000,
    process: async (job, attempt) => {
      tries.set(job.incidentId, attempt.tryNumber);
      const err = failures[job.incidentId]?.(attempt.tryNumber);
      if (err) throw err;
      return 'done';
    },
    confirmAbort: async () => false,
    log: pino({ level: 'silent' }),
  });
});

afterAll(async () => {
  await worker.close();
  await jobs.close();
  await clearPrefix(redis, prefix);
  redis.disconnect();
});

async function enqueue(incidentId: string): Promise<string> {
  const queue = createBullmqStepQueue({ connection: redis, prefix, attempts: 3, backoffMs: 50 });
  const job: StepJob = { incidentId, stepId: 'pause_deploys', attempt: 1, kind: 'run' };
  await queue.enqueue(job);
  return jobIdOf(job);
}

it('fails a job at once when a retry cannot fix the error, and retries a transient one', async () => {
  failures['rb-permanent'] = () => new AppError('invalid_input', 'the runbook has no such deployment');
  // The control: the same worker retries a transient failure, so the first job's single try is
  // the worker's choice, not a queue without retries.
  failures['rb-transient'] = (n) => (n < 2 ? new AppError('upstream_unavailable', 'blip', { transient: true }) : null);
  const permanent = await enqueue('rb-permanent');
  const transient = await enqueue('rb-transient');

  const done = await until('the transient job to succeed on its second try', async () =>
    (await jobs.getJob(transient))?.finishedOn ? jobs.getJob(transient) : null,
  );
  expect(done?.attemptsMade).toBe(2);

  // A failed state is final (a retry would make it delayed or waiting first).
  const failed = await until('the permanent job to fail', async () =>
    (await jobs.getJobState(permanent)) === 'failed' ? jobs.getJob(permanent) : null,
  );
  expect(tries.get('rb-permanent')).toBe(1);
  expect(failed?.attemptsMade).toBe(1);
  expect(failed?.failedReason).toBe('the runbook has no such deployment');
});
