/**
 * Postgres closing an idle pooled connection (restart, failover, pg_terminate_backend, a database
 * dropped `with (force)`) must not take the process down: pg emits it as the pool's 'error', which
 * throws when nobody listens. createPgPool always listens, and the pool goes on working.
 */
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { createPgPool } from '../../src/adapters/db/pg-pool.ts';
import { DATABASE_URL, uniqueName } from '../support/services.ts';
import { until } from '../support/wait.ts';

const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
afterAll(() => admin.end());

it('hands an idle connection Postgres terminated to onIdleError, and the next query opens a new one', async () => {
  const application = uniqueName('rc_pool');
  const errors: Error[] = [];
  const pool = createPgPool({ connectionString: DATABASE_URL, application_name: application, max: 1 }, (err) =>
    errors.push(err),
  );
  try {
    const before = (await pool.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid;
    expect(pool.idleCount).toBe(1);
    const terminated = await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
      [application],
    );
    expect(terminated.rowCount).toBe(1);
    await until('the pool to report the terminated connection', () => errors.length > 0);
    expect((errors[0] as Error & { code?: string }).code).toBe('57P01'); // admin_shutdown
    const after = (await pool.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid;
    expect(after).toBeTypeOf('number');
    expect(after).not.toBe(before);
  } finally {
    await pool.end();
  }
});
