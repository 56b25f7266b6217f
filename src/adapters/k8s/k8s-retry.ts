/**
 * Retries of one Kubernetes API call: 5xx, 429 and connection errors (what `k8sError` marks
 * transient) are retried with exponential backoff for a time budget (30 s by default), so an
 * API-server restart or a short control-plane overload does not fail a step. A 409 conflict is
 * transient too but left to the step's retry: it needs a fresh read, not the same request again.
 */
import pRetry from 'p-retry';
import { type AppError, UserFacingError } from '../../domain/errors.ts';

export interface K8sRetryPolicy {
  /** How long one call keeps retrying before its last error is returned (0: no retries). */
  budgetMs: number;
  /** The first wait; each next one doubles, up to a quarter of the budget. */
  firstDelayMs?: number;
}

export const DEFAULT_K8S_RETRY: K8sRetryPolicy = { budgetMs: 30_000, firstDelayMs: 500 };

/**
 * Runs `fn`, mapping what it throws with `toError`; retries the transient errors within the budget.
 * `stop` ends the retrying early (a settled wait). The error after the last try says how long we tried.
 */
export async function withK8sRetry<T>(
  policy: K8sRetryPolicy,
  toError: (err: unknown) => AppError,
  fn: () => Promise<T>,
  stop?: AbortSignal,
): Promise<T> {
  const started = performance.now();
  let tries = 0;
  let last: AppError | undefined;
  const firstDelayMs = Math.max(1, Math.min(policy.firstDelayMs ?? 500, policy.budgetMs));
  try {
    return await pRetry(
      async () => {
        tries += 1;
        try {
          return await fn();
        } catch (err) {
          last = toError(err);
          if (!last.transient || last.code === 'conflict' || stop?.aborted) throw new pRetry.AbortError(last);
          throw last;
        }
      },
      {
        retries: policy.budgetMs > 0 ? 100 : 0,
        maxRetryTime: policy.budgetMs,
        minTimeout: firstDelayMs,
        maxTimeout: Math.max(firstDelayMs, policy.budgetMs / 4),
        factor: 2,
        randomize: true,
      },
    );
  } catch (err) {
    if (!last || tries <= 1 || !last.transient) throw last ?? err;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const message = `${last.message} (still failing after ${tries} tries over ${seconds}s)`;
    throw new UserFacingError(last.code, message, { cause: last, transient: true });
  }
}
