/**
 * queue_health on a real Redis: LLEN under the threshold, a backlog that drains over the window,
 * one that doesn't, a key that is not a list, and an unreachable Redis.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRedisBacklog } from '../../src/adapters/redis/redis-backlog.ts';
import { createQueueHealth } from '../../src/flows/steps/queue_health/index.ts';
import { testConfig } from '../support/runbook-config.ts';
import { createTestRedis, REDIS_URL, uniqueName } from '../support/services.ts';
import { failureOf, type RecordingContext, testContext } from '../support/step-context.ts';

const APP_REDIS = `${REDIS_URL}/7`;
let app: Redis;
let key: string;
const backlog = createRedisBacklog(APP_REDIS);

beforeAll(async () => {
  app = createTestRedis();
  await app.select(7);
});

afterAll(async () => {
  await app.del(key);
  app.disconnect();
  await backlog.close();
});

beforeEach(async () => {
  if (key) await app.del(key);
  key = uniqueName('agent:pending');
});

function context(threshold: number): RecordingContext {
  const config = testConfig(`
target: { backlog_key: "${key}" }
validation: { queue_health: { threshold: ${threshold}, window: 300ms, interval: 50ms } }
`);
  return testContext('queue_health', config);
}

/** Between samples (the step reports progress then sleeps), the app's workers move the backlog. */
function betweenSamples(ctx: RecordingContext, change: () => Promise<unknown>): RecordingContext {
  const progress = ctx.progress;
  ctx.progress = async (message, data) => {
    await progress(message, data);
    await change();
  };
  return ctx;
}

describe('queue health', () => {
  it('is healthy at once when the backlog is under the threshold', async () => {
    await app.rpush(key, 'a', 'b', 'c');
    const outcome = await createQueueHealth({ backlog, backlogEnv: 'TARGET_REDIS_URL' }).run(context(10));
    expect(outcome.summary).toBe(`${key} = 3, under the threshold of 10 (samples: 3)`);
    expect(outcome.output).toMatchObject({ verdict: 'under_threshold', threshold: 10, samples: [{ depth: 3 }] });
  });

  it('is healthy when a backlog over the threshold drains over the window, and reports every sample', async () => {
    await app.rpush(key, ...Array.from({ length: 60 }, (_, i) => `job${i}`));
    const ctx = betweenSamples(context(10), () => app.lpop(key, 7));
    const outcome = await createQueueHealth({ backlog, backlogEnv: 'TARGET_REDIS_URL' }).run(ctx);
    const depths = (outcome.output!.samples as { depth: number }[]).map((s) => s.depth);
    expect(outcome.output!.verdict).toBe('draining');
    expect(depths[0]).toBe(60);
    expect(depths.slice(1)).toEqual(depths.slice(1).map((_, i) => 60 - 7 * (i + 1)));
    expect(outcome.summary).toContain(`${key} is draining: ${depths.join(' → ')}`);
  });

  it('fails with the samples when the backlog stays over the threshold and grows', async () => {
    await app.rpush(key, ...Array.from({ length: 20 }, (_, i) => `job${i}`));
    const ctx = betweenSamples(context(10), () => app.rpush(key, 'more', 'more'));
    const err = await failureOf(createQueueHealth({ backlog, backlogEnv: 'TARGET_REDIS_URL' }).run(ctx));
    expect(err.message).toMatch(
      new RegExp(
        `^${key} is not healthy: \\d+ is at or over the threshold of 10 and did not drain over 300 ms \\(samples: 20 → 22 → 24`,
      ),
    );
    expect(err.message).toContain(`Check the consumers of ${key}, then Retry — or Skip with a reason`);
  });

  it('says which key is wrong when it is not a list', async () => {
    await app.set(key, 'oops');
    const err = await failureOf(createQueueHealth({ backlog, backlogEnv: 'TARGET_REDIS_URL' }).run(context(10)));
    expect(err.message).toBe(
      `while reading LLEN ${key} on the app's Redis: ${key} on the app's Redis is a string, not a list: check target.backlog_key in rollback.yml`,
    );
  });

  it("reports an unreachable app Redis as transient (BullMQ retries) and names the env var when it isn't set", async () => {
    const down = createRedisBacklog('redis://127.0.0.1:1');
    const err = await failureOf(createQueueHealth({ backlog: down, backlogEnv: 'TARGET_REDIS_URL' }).run(context(10)));
    await down.close();
    expect(err.message).toMatch(/^while reading LLEN .* on the app's Redis: cannot reach the app's Redis/);
    expect(err.transient).toBe(true);
    const missing = await failureOf(
      createQueueHealth({ backlog: null, backlogEnv: 'TARGET_REDIS_URL' }).run(context(10)),
    );
    expect(missing.message).toContain('cannot check the queue: TARGET_REDIS_URL is not set');
  });
});
