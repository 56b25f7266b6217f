/**
 * One short-lived connection per operation on the app database (or the restore server): these
 * steps run a handful of queries during an incident, so a pool would only hold connections open
 * on production. Connection failures are classified here once, without ever echoing the URL.
 */
import pg from 'pg';
import { type AppError, UserFacingError } from '../../domain/errors.ts';
import { describePg, parsePgUrl } from '../../domain/pg-url.ts';

export interface ConnectOptions {
  /** Every statement of the session is read-only: a guard on top of BEGIN READ ONLY. */
  readOnly?: boolean;
  connectTimeoutMs?: number;
}

export async function connectPg(url: string, options: ConnectOptions = {}): Promise<pg.Client> {
  const conn = parsePgUrl(url);
  const client = new pg.Client({
    host: conn.host,
    port: conn.port,
    user: conn.user,
    password: conn.password,
    database: conn.database,
    ssl:
      conn.sslmode && conn.sslmode !== 'disable' ? { rejectUnauthorized: conn.sslmode === 'verify-full' } : undefined,
    application_name: 'rollback-commander',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    options: options.readOnly ? '-c default_transaction_read_only=on' : undefined,
  });
  // An idle client whose server goes away emits 'error'; without a listener that kills the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw connectionError(url, err);
  }
  return client;
}

export async function withPg<T>(
  url: string,
  options: ConnectOptions,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = await connectPg(url, options);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export function pgErrorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function connectionError(url: string, err: unknown): AppError {
  const where = describePg(url);
  const code = pgErrorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code === '28P01' || code === '28000') {
    return new UserFacingError(
      'upstream_auth',
      `cannot log in to ${where}: ${message} — check the password in the env var that holds this URL`,
      { cause: err },
    );
  }
  if (code === '3D000') {
    return new UserFacingError(
      'not_found',
      `database ${where} does not exist — check the env var that holds this URL`,
      { cause: err },
    );
  }
  return new UserFacingError('upstream_unavailable', `cannot connect to ${where}: ${message}`, {
    cause: err,
    transient: true,
  });
}
