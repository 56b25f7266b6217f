/**
 * A lost or refused connection to the bot's own Postgres is transient (a restart, a failover, a
 * network blip): the store reports it as one recognisable error so the step runner can wait it
 * out instead of failing the step — or mistaking it for a dead worker.
 */
import { type AppError, DATABASE_UNAVAILABLE, UserFacingError } from '../../domain/errors.ts';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
// 08xxx connection exceptions; 57P01-57P03 admin shutdown, crash shutdown, cannot connect now.
const SQLSTATE = /^(08...|57P0[123])$/;
const MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/i;

export function isConnectionLoss(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || SQLSTATE.test(e.code))) return true;
  return typeof e.message === 'string' && MESSAGES.test(e.message);
}

export function databaseUnavailable(err: unknown): AppError {
  const code = (err as { code?: unknown }).code;
  return new UserFacingError(
    'database_unavailable',
    `${DATABASE_UNAVAILABLE}${typeof code === 'string' ? ` (${code})` : ''}`,
    { cause: err, transient: true },
  );
}

/** Wraps every method of a port so a lost connection surfaces as databaseUnavailable(). */
export function mapConnectionLoss<T extends object>(port: T): T {
  const wrapped = {} as Record<string, unknown>;
  for (const [name, fn] of Object.entries(port)) {
    wrapped[name] =
      typeof fn !== 'function'
        ? fn
        : async (...args: unknown[]) => {
            try {
              return await (fn as (...a: unknown[]) => Promise<unknown>).apply(port, args);
            } catch (err) {
              throw isConnectionLoss(err) ? databaseUnavailable(err) : err;
            }
          };
  }
  return wrapped as T;
}
