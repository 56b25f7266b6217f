/**
 * One error type for the whole app. `UserFacingError` text is safe to show in Slack or the CLI
 * and must say how to fix the problem; anything else is an internal error shown as an error id.
 */
export type ErrorCode =
  | 'config_invalid'
  | 'not_found'
  | 'forbidden'
  | 'conflict'
  | 'invalid_input'
  | 'illegal_transition'
  | 'prerequisite_unmet'
  | 'stale'
  | 'upstream_auth'
  | 'upstream_unavailable'
  /** The bot's own Postgres: transient, the step runner waits it out (bounded). */
  | 'database_unavailable'
  | 'upstream_error'
  | 'rollout_failed'
  | 'timeout'
  | 'aborted'
  | 'internal';

/** How a 'database_unavailable' error begins (the reconciler recognises it in a failed job's reason). */
export const DATABASE_UNAVAILABLE = "the bot's database (Postgres) is unreachable";

export class AppError extends Error {
  readonly code: ErrorCode;
  /** A transient error may succeed when retried (network, 5xx, 429); a permanent one never will. */
  readonly transient: boolean;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; transient?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.transient = options.transient ?? false;
  }
}

/** An error whose message is written for the person who caused it: what is wrong and how to fix it. */
export class UserFacingError extends AppError {
  constructor(code: ErrorCode, message: string, options: { cause?: unknown; transient?: boolean } = {}) {
    super(code, message, options);
    this.name = 'UserFacingError';
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

export function isTransient(err: unknown): boolean {
  return err instanceof AppError && err.transient;
}

/**
 * Prefix an error's message with what we were doing, keeping code, transience and cause. An
 * unknown error (a library's own text) stays internal: its message is for the log, never shown.
 */
export function withContext(context: string, err: unknown): AppError {
  if (err instanceof UserFacingError) {
    return new UserFacingError(err.code, `${context}: ${err.message}`, { cause: err, transient: err.transient });
  }
  if (err instanceof AppError) {
    return new AppError(err.code, `${context}: ${err.message}`, { cause: err, transient: err.transient });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new AppError('internal', `${context}: ${message}`, { cause: err });
}

/**
 * The one rule for what people see (Slack, the CLI, the console, a failed step): a
 * UserFacingError's text, or null — then the caller shows a short message with an error id and
 * logs that id with the error and its stack.
 */
export function userFacingText(err: unknown): string | null {
  return err instanceof UserFacingError ? err.message : null;
}

/** A short id that joins what a person was told to the log line with the stack. */
export function newErrorId(): string {
  return globalThis.crypto.randomUUID().slice(0, 8);
}

/**
 * Someone or something else changed what the bot had just set (a person's `kubectl set image`, a
 * GitOps controller): permanent for this attempt — waiting on would follow their change instead.
 */
export class OutsideChangeError extends UserFacingError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('conflict', message, options);
    this.name = 'OutsideChangeError';
  }
}
