/**
 * The StepQueue contract (flows/ports.ts) as the flows use it — enqueue, the job's state, abort —
 * run against BullMQ on the real Redis and the in-memory fake (test/fakes/fake-step-queue.ts).
 * Running jobs is the worker's side (test/integration/step-runner.test.ts).
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBullmqStepQueue } from '../../src/adapters/queue/bullmq-step-queue.ts';
import type { StepJob, StepQueue } from '../../src/flows/ports.ts';
import { createFakeStepQueue } from '../fakes/fake-step-queue.ts';
import { clearPrefix, createTestRedis, uniqueName } from '../support/services.ts';

let redis: Redis;
const prefixes: string[] = [];
const closers: (() => Promise<void>)[] = [];

beforeAll(() => {
  redis = createTestRedis();
});

afterAll(async () => {
  for (const close of closers) await close();
  for (const prefix of prefixes) await clearPrefix(redis, prefix);
  redis.disconnect();
});

const implementations: [string, () => StepQueue][] = [
  [
    'BullMQ (real Redis)',
    () => {
      const prefix = uniqueName('rc_contract');
      prefixes.push(prefix);
      const queue = createBullmqStepQueue({ connection: redis, prefix, attempts: 3, backoffMs: 1000 });
      closers.push(() => queue.close());
      return queue;
    },
  ],
  ['in-memory fake', () => createFakeStepQueue()],
];

const job = (over: Partial<StepJob> = {}): StepJob => ({
  incidentId: 'rb-7',
  stepId: 'revert_images',
  attempt: 1,
  ...over,
});

describe.each(implementations)('StepQueue contract: %s', (_name, make) => {
  it('holds one waiting job per (incident, step, attempt), however often it is enqueued', async () => {
    const queue = make();
    expect(await queue.jobState(job())).toBeNull();
    await queue.enqueue(job());
    await queue.enqueue(job());
    await queue.enqueue(job({ kind: 'apply' }));
    expect(await queue.jobState(job())).toBe('waiting');
    expect(await queue.jobState(job({ attempt: 2 }))).toBeNull();
    await queue.enqueue(job({ attempt: 2 }));
    expect(await queue.jobState(job({ attempt: 2 }))).toBe('waiting');
  });

  it('has no failure reason for a job that did not fail, or does not exist', async () => {
    const queue = make();
    await queue.enqueue(job());
    expect(await queue.failedReason?.(job())).toBeNull();
    expect(await queue.failedReason?.(job({ stepId: 'smoke_tests' }))).toBeNull();
  });

  it('accepts an abort for a job no worker runs (nothing happens to a waiting job)', async () => {
    const queue = make();
    await queue.enqueue(job());
    await queue.abort(job(), 'aborted by the captain');
    await queue.abort(job({ stepId: 'resolve' }), 'no such job');
    expect(await queue.jobState(job())).toBe('waiting');
  });
});
