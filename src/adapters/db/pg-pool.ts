/**
 * Every pg.Pool the bot opens comes from here. When Postgres closes an idle pooled connection
 * (a restart, a failover, `pg_terminate_backend`, a database dropped `with (force)`), pg reports
 * it as an 'error' event on the pool — and an EventEmitter with no 'error' listener throws, which
 * takes the whole process down. The pool has already discarded that connection and the next
 * query opens a fresh one, so the error is only worth a log line.
 */
import pg from 'pg';

export function createPgPool(config: pg.PoolConfig, onIdleError: (err: Error) => void): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on('error', onIdleError);
  return pool;
}
