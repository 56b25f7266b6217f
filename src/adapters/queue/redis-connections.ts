/**
 * The bot's own Redis connections, from REDIS_URL. ioredis reads everything from the URL:
 * `rediss://` turns TLS on, `redis://user:password@host` logs in as an ACL user (AUTH user pass),
 * `redis://:password@host` uses the default user (requirepass), `/N` selects database N. BullMQ
 * duplicates these connections (blocking client, abort subscriber), and duplicates keep those options.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface BotRedis {
  /** Workers block on Redis, so BullMQ wants maxRetriesPerRequest: null for them (API_NOTES). */
  blocking: Redis;
  /**
   * Adding a job must not hang a click or a CLI command while Redis is down: the producer gives up
   * after a few tries, the step stays queued in Postgres and the reconciler enqueues it later.
   */
  producer: Redis;
}

export function createBotRedis(url: string, log: Logger): BotRedis {
  const blocking = new Redis(url, { maxRetriesPerRequest: null });
  const producer = new Redis(url, { maxRetriesPerRequest: 2, connectTimeout: 5000 });
  // ioredis errors name the host and the reply (WRONGPASS, NOAUTH), never the password.
  for (const c of [blocking, producer]) c.on('error', (err) => log.error({ err }, 'redis connection error'));
  return { blocking, producer };
}
