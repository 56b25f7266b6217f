/** The app's own Redis (TARGET_REDIS_URL), read only: the backlog depth the runbook asks for. */
import { Redis } from 'ioredis';
import { AppError, UserFacingError } from '../../domain/errors.ts';
import type { Backlog } from '../../flows/ports.ts';

export function createRedisBacklog(url: string): Backlog & { close(): Promise<void> } {
  // Fail fast instead of queueing commands while a P1 is waiting on the answer.
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
    enableOfflineQueue: true,
  });
  redis.on('error', () => undefined);
  return {
    async depth(key) {
      try {
        const type = await redis.type(key);
        if (type !== 'list' && type !== 'none') {
          throw new UserFacingError(
            'invalid_input',
            `${key} on the app's Redis is a ${type}, not a list: check target.backlog_key in rollback.yml`,
          );
        }
        return await redis.llen(key);
      } catch (err) {
        if (err instanceof AppError) throw err;
        throw new UserFacingError('upstream_unavailable', `cannot reach the app's Redis: ${(err as Error).message}`, {
          cause: err,
          transient: true,
        });
      }
    },
    close: async () => {
      redis.disconnect();
    },
  };
}
