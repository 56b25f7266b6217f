/** One transaction on a pooled client: commit on success, roll back on any error, always release. */
import type { Pool, PoolClient } from 'pg';

export async function withTransaction<R>(pool: Pool, work: (client: PoolClient) => Promise<R>): Promise<R> {
  const client = await pool.connect();
  // pg listens for errors only on idle clients: a connection lost while this one is checked out
  // (a Postgres restart between two queries) is emitted here and would crash the process without
  // a listener. The failing query rejects anyway; the broken client is destroyed on release.
  let lost: Error | undefined;
  const onError = (err: Error) => {
    lost = err;
  };
  client.on('error', onError);
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    client.off('error', onError);
    client.release(lost);
  }
}
