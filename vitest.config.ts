import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Real Redis and Postgres: every file gets its own schema and queue prefix, so files may run
    // in parallel; two workers match the two cores of the machines here.
    maxWorkers: 2,
    env: {
      DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    },
  },
});
