/**
 * A Postgres connection lost while a transaction holds it (a restart, a failover, a proxy cut) must
 * fail that transaction, not crash the process: pg emits the loss as an 'error' event on the
 * checked-out client, which has no listener of pg's own. The next transaction gets a fresh client.
 */
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { withTransaction } from '../../src/adapters/db/pg-tx.ts';
import { DATABASE_URL } from '../support/services.ts';
import { until } from '../support/wait.ts';

const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });

afterAll(async () => {
  await pool.end();
  await admin.end();
});

it('fails the transaction whose connection is terminated between queries, and the next one works', async () => {
  const outcome = withTransaction(pool, async (client) => {
    const pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    await admin.query('select pg_terminate_backend($1)', [pid]);
    // The server closed this session between two queries: the client emits 'error' while checked out.
    await until('the client to notice the lost connection', async () => {
      const alive = await admin.query('select 1 from pg_stat_activity where pid = $1', [pid]);
      return alive.rowCount === 0;
    });
    return client.query('select 1');
  });
  await expect(outcome).rejects.toThrow(/terminat|Connection/i);
  const next = await withTransaction(pool, (client) => client.query<{ one: number }>('select 1 as one'));
  expect(next.rows[0]!.one).toBe(1);
});
