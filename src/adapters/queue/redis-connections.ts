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

/**
 * `failFast` (a CLI command): give Redis one quick try and log reconnects at debug only — the
 * command says once itself that its jobs wait in Postgres (cli.ts).
 */
export function createBotRedis(url: string, log: Logger, options: { failFast?: boolean } = {}): BotRedis {
  const failFast = options.failFast ?? false;
  const blocking = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: failFast });
  const producer = new Redis(
    url,
    failFast
      ? { maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: (times) => (times > 1 ? null : 100) }
      : { maxRetriesPerRequest: 2, connectTimeout: 5000 },
  );
  // ioredis errors name the host and the reply (WRONGPASS, NOAUTH), never the password.
  const onError = (err: unknown) =>
    failFast ? log.debug({ err }, 'redis connection error') : log.error({ err }, 'redis connection error');
  for (const c of [blocking, producer]) c.on('error', onError);
  return { blocking, producer };
}
