/**
 * The SlaTimerQueue contract (flows/ports/sla-timers.ts), run against BullMQ on the real Redis and
 * the in-memory fake (test/fakes/fake-sla-timer-queue.ts).
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlaTimerQueue } from '../../src/adapters/queue/sla-timer-queue.ts';
import type { SlaTimerJob, SlaTimerQueue } from '../../src/flows/ports.ts';
import { createFakeSlaTimerQueue } from '../fakes/fake-sla-timer-queue.ts';
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

const implementations: [string, () => SlaTimerQueue][] = [
  [
    'BullMQ (real Redis)',
    () => {
      const prefix = uniqueName('rc_contract');
      prefixes.push(prefix);
      const queue = createSlaTimerQueue({ connection: redis, prefix });
      closers.push(() => queue.close());
      return queue;
    },
  ],
  ['in-memory fake', () => createFakeSlaTimerQueue()],
];

const HOUR = 3_600_000;
const job = (incidentId: string, over: Partial<SlaTimerJob> = {}): SlaTimerJob => ({
  incidentId,
  milestone: 'restore',
  percent: 50,
  dueAt: '2026-12-01T12:00:00.000Z',
  ...over,
});
const byKey = (a: SlaTimerJob, b: SlaTimerJob) =>
  `${a.incidentId}${a.milestone}${a.percent}${a.dueAt}`.localeCompare(
    `${b.incidentId}${b.milestone}${b.percent}${b.dueAt}`,
  );

describe.each(implementations)('SlaTimerQueue contract: %s', (_name, make) => {
  it('keeps one timer per job however often it is scheduled', async () => {
    const queue = make();
    await queue.schedule(job('inc-1'), HOUR);
    await queue.schedule(job('inc-1'), HOUR);
    await queue.schedule(job('inc-1'), 2 * HOUR);
    expect(await queue.pending('inc-1')).toEqual([job('inc-1')]);
  });

  it('keeps a timer per mark and per due time, and lists them per incident or all', async () => {
    const queue = make();
    const timers = [
      job('inc-1'),
      job('inc-1', { percent: 80 }),
      job('inc-1', { dueAt: '2026-12-01T13:00:00.000Z' }),
      job('inc-2', { milestone: 'decide', percent: 100 }),
    ];
    for (const t of timers) await queue.schedule(t, HOUR);
    expect((await queue.pending('inc-1')).sort(byKey)).toEqual(timers.slice(0, 3).sort(byKey));
    expect(await queue.pending('inc-2')).toEqual([timers[3]]);
    expect((await queue.pending()).sort(byKey)).toEqual([...timers].sort(byKey));
    expect(await queue.pending('inc-3')).toEqual([]);
  });

  it('cancels exactly the given timer; cancelling one that is not there is a no-op', async () => {
    const queue = make();
    await queue.schedule(job('inc-1'), HOUR);
    await queue.schedule(job('inc-1', { percent: 80 }), HOUR);
    await queue.cancel(job('inc-1'));
    await queue.cancel(job('inc-1', { percent: 100 }));
    await queue.cancel(job('inc-9'));
    expect(await queue.pending('inc-1')).toEqual([job('inc-1', { percent: 80 })]);
  });
});
