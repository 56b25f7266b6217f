/**
 * The runbook's "swap connection strings": write the restored database's URL into the app's
 * Kubernetes Secret, restart the Deployments that read it and wait for their rollouts. The previous
 * value is recorded BEFORE the write, so a swap can always be reversed, even after a crash mid-way.
 * The Secret and Deployments come in as ports (flows/ports/secrets.ts; the K8s adapters satisfy them).
 */
import { AppError, UserFacingError, withContext } from '../../../domain/errors.ts';
import type { RestartableDeployments } from '../../ports.ts';
import type { SecretStore } from './secret-store.ts';

export interface SwapOptions {
  secrets: SecretStore;
  secretName: string;
  key: string;
  deployments: RestartableDeployments;
  deploymentNames: readonly string[];
  /** Fixed per step attempt, so a retried restart does not start another rollout. */
  restartAt: Date;
  rolloutTimeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export interface PromoteOptions extends SwapOptions {
  newUrl: string;
  /** Persist the old value (it is a secret: keep it where secrets may live); awaited before the write. */
  recordPrevious: (previous: string) => Promise<void>;
}

export interface PromoteResult {
  /** The value before the swap; null when an earlier attempt already swapped (its record holds it). */
  previousValue: string | null;
  alreadySwapped: boolean;
}

export async function promoteRestoredDatabase(options: PromoteOptions): Promise<PromoteResult> {
  const { secrets, secretName, key, newUrl } = options;
  const where = `Secret ${secretName} key ${key}`;
  const current = await secrets.readKey(secretName, key).catch((err: unknown) => {
    throw withContext(`while reading ${where}`, err);
  });
  if (current === null) {
    throw new UserFacingError(
      'not_found',
      `${where} does not exist: set database.promotion.secret and .key to where the app reads its database URL`,
    );
  }
  const alreadySwapped = current === newUrl;
  if (!alreadySwapped) {
    await options.recordPrevious(current);
    await secrets.writeKey(secretName, key, newUrl).catch((err: unknown) => {
      throw withContext(
        `while writing the restored database's URL into ${where} (the previous value is recorded)`,
        err,
      );
    });
    options.onProgress?.(`${where} now points at the restored database`);
  }
  await restartAll(options, 'the Secret points at the restored database');
  return { previousValue: alreadySwapped ? null : current, alreadySwapped };
}

async function restartAll(options: SwapOptions, state: string): Promise<void> {
  const names = options.deploymentNames;
  try {
    await Promise.all(names.map((name) => options.deployments.restart(name, options.restartAt)));
    await Promise.all(
      names.map((name) =>
        options.deployments.waitForRollout(name, {
          timeoutMs: options.rolloutTimeoutMs,
          signal: options.signal,
          onProgress: (p) => options.onProgress?.(p.message),
        }),
      ),
    );
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const Type = err instanceof UserFacingError ? UserFacingError : AppError;
    throw new Type(
      err instanceof AppError ? err.code : 'rollout_failed',
      `${state}, but restarting ${names.join(', ')} failed: ${reason}`,
      {
        cause: err,
        transient: err instanceof AppError && err.transient,
      },
    );
  }
}
