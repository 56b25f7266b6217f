/**
 * postgres:// URLs hold a password, so they never go into argv, logs or errors. These helpers
 * split a URL into what is safe to show (host, port, user, database) and what a child process
 * gets through its environment (PGPASSWORD, PGSSLMODE) — libpq reads both.
 */
import { UserFacingError } from './errors.ts';

export interface PgConnection {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  database: string;
  sslmode: string | undefined;
}

export function parsePgUrl(url: string, what = 'the database URL'): PgConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserFacingError(
      'config_invalid',
      `${what} is not a URL: write it like postgres://user:password@host:5432/dbname`,
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new UserFacingError(
      'config_invalid',
      `${what} must start with postgres:// (it starts with ${parsed.protocol}//)`,
    );
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!parsed.hostname || !database) {
    throw new UserFacingError(
      'config_invalid',
      `${what} needs a host and a database name, like postgres://user:password@host:5432/dbname`,
    );
  }
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port ? Number(parsed.port) : 5432,
    user: decodeURIComponent(parsed.username) || 'postgres',
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    database,
    sslmode: parsed.searchParams.get('sslmode') ?? undefined,
  };
}

/** The same server and credentials, another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** "host:port/database" — safe for Slack, logs and error messages. */
export function describePg(url: string): string {
  try {
    const c = parsePgUrl(url);
    return `${c.host}:${c.port}/${c.database}`;
  } catch {
    return '(unparseable database URL)';
  }
}

/** libpq connection flags for pg_dump/pg_restore/psql: everything but the password. */
export function libpqArgs(conn: PgConnection): string[] {
  return ['--host', conn.host, '--port', String(conn.port), '--username', conn.user, '--no-password'];
}

/** The child's libpq environment: the password travels here, never in argv. */
export function libpqEnv(conn: PgConnection): Record<string, string> {
  const env: Record<string, string> = { PGCONNECT_TIMEOUT: '10' };
  if (conn.password !== undefined) env.PGPASSWORD = conn.password;
  if (conn.sslmode !== undefined) env.PGSSLMODE = conn.sslmode;
  return env;
}

/** Strings to scrub from anything shown: the password and the URL itself. */
export function pgSecrets(url: string): string[] {
  const secrets = [url];
  try {
    const password = parsePgUrl(url).password;
    if (password) secrets.push(password);
  } catch {
    // an unparseable URL is still scrubbed whole
  }
  return secrets;
}
