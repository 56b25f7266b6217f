/**
 * One bot, one environment, in Redis too: the first bot to use a queue prefix records its
 * environment under `<prefix>:owner`, and a bot for another environment refuses to start on that
 * prefix — two bots sharing one would take each other's step jobs and SLA timers.
 */
import type { Redis } from 'ioredis';
import { UserFacingError } from '../../domain/errors.ts';

export async function claimQueuePrefix(
  redis: Redis,
  prefix: string,
  environment: string,
  defaultPrefix: string,
): Promise<void> {
  const key = `${prefix}:owner`;
  await redis.set(key, environment, 'NX');
  const owner = await redis.get(key);
  if (owner === environment) return;
  const fix =
    prefix === defaultPrefix
      ? 'set QUEUE_PREFIX to a prefix of its own'
      : `unset QUEUE_PREFIX (the default is ${defaultPrefix}) or set another one`;
  throw new UserFacingError(
    'config_invalid',
    `the queue prefix ${prefix} is used by the bot for ${owner ?? 'another environment'}, and this bot runs ${environment}: ${fix}`,
  );
}
