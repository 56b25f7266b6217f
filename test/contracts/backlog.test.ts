/**
 * The Backlog contract (flows/ports.ts), run against the app-Redis adapter on the real Redis and
 * the in-memory fake (test/fakes/fake-backlog.ts).
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisBacklog } from '../../src/adapters/redis/redis-backlog.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { Backlog } from '../../src/flows/ports.ts';
import { createFakeBacklog } from '../fakes/fake-backlog.ts';
import { createTestRedis, REDIS_URL, uniqueName } from '../support/services.ts';

interface Harness {
  backlog: Backlog;
  list(key: string, length: number): Promise<void>;
  string(key: string): Promise<void>;
}

let redis: Redis;
const used: string[] = [];
const closers: (() => Promise<void>)[] = [];

beforeAll(() => {
  redis = createTestRedis();
});

afterAll(async () => {
  for (const close of closers) await close();
  if (used.length) await redis.del(...used);
  redis.disconnect();
});

const implementations: [string, () => Harness][] = [
  [
    'ioredis (real Redis)',
    () => {
      const backlog = createRedisBacklog(REDIS_URL);
      closers.push(() => backlog.close());
      return {
        backlog,
        async list(key, length) {
          used.push(key);
          await redis.rpush(key, ...Array.from({ length }, (_, i) => `job-${i}`));
        },
        async string(key) {
          used.push(key);
          await redis.set(key, 'not a queue');
        },
      };
    },
  ],
  [
    'in-memory fake',
    () => {
      const fake = createFakeBacklog();
      return {
        backlog: fake,
        list: async (key, length) => void fake.keys.set(key, length),
        string: async (key) => void fake.keys.set(key, 'string'),
      };
    },
  ],
];

describe.each(implementations)('Backlog contract: %s', (_name, make) => {
  it("answers a list's length, and 0 for a key that does not exist", async () => {
    const h = make();
    const key = uniqueName('rc_contract_backlog');
    await h.list(key, 7);
    expect(await h.backlog.depth(key)).toBe(7);
    expect(await h.backlog.depth(uniqueName('rc_contract_missing'))).toBe(0);
  });

  it('refuses a key that is not a list, naming its type and the setting to fix', async () => {
    const h = make();
    const key = uniqueName('rc_contract_backlog');
    await h.string(key);
    const err = await h.backlog.depth(key).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('invalid_input');
    expect((err as AppError).message).toBe(
      `${key} on the app's Redis is a string, not a list: check target.backlog_key in rollback.yml`,
    );
  });
});
