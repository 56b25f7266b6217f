/**
 * Start-up waits for the bot's Redis instead of looping stack traces: one line per failed try,
 * with backoff, and a UserFacingError (exit non-zero in main.ts) once STARTUP_TIMEOUT has passed.
 * A supervisor (Kubernetes) then restarts the process with its own backoff and shows the reason.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { UserFacingError } from '../domain/errors.ts';

export interface WaitOptions {
  timeoutMs: number;
  log: Logger;
  /** The first retry delay; it doubles up to maxDelayMs. */
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/** host:port of a Redis URL: never the password. */
function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'REDIS_URL';
  }
}

async function tryOnce(url: string, timeoutMs: number): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  // The socket's error (ECONNREFUSED, WRONGPASS) says why; connect() itself only says "Connection is closed".
  let cause: Error | undefined;
  redis.on('error', (err: Error) => {
    cause ??= err;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw cause ?? err;
  } finally {
    redis.disconnect();
  }
}

export async function waitForRedis(url: string, options: WaitOptions): Promise<void> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let delay = options.firstDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 10_000;
  for (let attempt = 1; ; attempt++) {
    let reason: string;
    try {
      await tryOnce(url, Math.max(100, Math.min(5000, deadline - Date.now())));
      if (attempt > 1) options.log.info({ attempt }, `Redis at ${where(url)} is reachable`);
      return;
    } catch (err) {
      reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new UserFacingError(
        'config_invalid',
        `Redis at ${where(url)} (REDIS_URL) was not reachable for ` +
          `${Math.round(options.timeoutMs / 1000)}s (${reason}): start Redis or fix REDIS_URL; STARTUP_TIMEOUT sets how long start-up waits`,
      );
    }
    const wait = Math.min(delay, left);
    options.log.warn(
      { attempt, retryInMs: wait, reason },
      `Redis at ${where(url)} is not reachable (${reason}): retry ${attempt} in ${(wait / 1000).toFixed(1)}s, ` +
        `giving up ${Math.ceil(left / 1000)}s from now (STARTUP_TIMEOUT)`,
    );
    await new Promise((resolve) => setTimeout(resolve, wait));
    delay = Math.min(delay * 2, maxDelay);
  }
}
