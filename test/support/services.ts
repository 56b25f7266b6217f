/**
 * Real Postgres and Redis for tests: each test file gets its own schema and BullMQ prefix, so
 * files can run in parallel and nothing leaks between them.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { migrate } from '../../src/adapters/db/migrate.ts';
import { createPgPool } from '../../src/adapters/db/pg-pool.ts';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

export interface TestDb {
  pool: pg.Pool;
  schema: string;
  drop(): Promise<void>;
}

export async function createTestDb(): Promise<TestDb> {
  const schema = uniqueName('rc_test');
  // Tests that stop or terminate connections must not crash the run through an idle client.
  const pool = createPgPool({ connectionString: DATABASE_URL, options: `-c search_path=${schema}`, max: 10 }, () => {});
  await migrate(pool, schema);
  return {
    pool,
    schema,
    async drop() {
      await pool.query(`drop schema if exists ${schema} cascade`);
      await pool.end();
    },
  };
}

export function createTestRedis(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: null });
}

/** Removes every key under a BullMQ prefix (what `obliterate` does for one queue). */
export async function clearPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** Drops what a test run left: its Postgres schema and its BullMQ keys. */
export async function dropTestState(schema: string, prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  await clearPrefix(redis, prefix);
  redis.disconnect();
  const pool = new pg.Pool({ connectionString: DATABASE_URL });
  await pool.query(`drop schema if exists ${schema} cascade`);
  await pool.end();
}
