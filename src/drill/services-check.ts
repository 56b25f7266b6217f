/**
 * Drill mode runs on the bot's own PostgreSQL and Redis, on this machine by default. When either
 * is missing, say which one and what to install, in one message, instead of a stack trace.
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import { UserFacingError } from '../domain/errors.ts';

const INSTALL =
  "install them with 'apt-get install postgresql redis-server' (then 'bash scripts/ensure-services.sh' starts them), or point DATABASE_URL / REDIS_URL at running ones";

/** host:port only: a URL may carry a password. */
function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? 6379 : 5432)}`;
  } catch {
    return 'the configured address';
  }
}

export async function checkDrillServices(databaseUrl: string, redisUrl: string): Promise<void> {
  const problems: string[] = [];
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    problems.push(
      `PostgreSQL is not reachable at ${where(databaseUrl)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    problems.push(
      `Redis is not reachable at ${where(redisUrl)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  } finally {
    redis.disconnect();
  }
  if (problems.length) {
    throw new UserFacingError(
      'upstream_unavailable',
      `drill mode needs PostgreSQL and Redis on this machine: ${problems.join('; ')} — ${INSTALL}`,
    );
  }
}
