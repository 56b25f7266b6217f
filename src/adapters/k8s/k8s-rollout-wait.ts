/**
 * `kubectl rollout status` over the API: list the Deployment by `fieldSelector=metadata.name=…`,
 * watch from the list's resourceVersion, judge every version with kubectl's rules, re-list when
 * the watch ends (servers close watches; a 410 means our resourceVersion is too old), and fail
 * when the Deployment is deleted — kubectl would rather stop than follow a re-created object.
 */
import type { AppsV1Api, V1Deployment, Watch } from '@kubernetes/client-node';
import ms from 'ms';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, UserFacingError, isAppError } from '../../domain/errors.ts';
import { rolloutStatus, type RolloutDeployment } from '../../domain/rollout-status.ts';
import type { RolloutProgress } from '../../flows/ports.ts';
import { httpStatus } from './k8s-errors.ts';

export interface RolloutWaitDeps {
  apps: AppsV1Api;
  watch: Watch;
  namespace: string;
  /** Maps a client error for a call on deployments with this verb. */
  toError(err: unknown, verb: 'list' | 'watch', doing: string): AppError;
}

export interface RolloutWaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (progress: RolloutProgress) => void;
}

type WatchOutcome = { kind: 'closed' } | { kind: 'retry'; error: AppError } | { kind: 'fatal'; error: AppError };

const RETRY_BASE_MS = 100;
const RETRY_MAX_MS = 2_000;

export function waitForDeploymentRollout(deps: RolloutWaitDeps, name: string, options: RolloutWaitOptions): Promise<void> {
  const id = `${deps.namespace}/${name}`;
  const { promise, resolve, reject } = Promise.withResolvers<void>();
  const stop = new AbortController();
  let watchController: AbortController | undefined;
  let lastMessage: string | undefined;
  let lastError: AppError | undefined;
  let paused = false;

  const settle = (err?: AppError) => {
    if (stop.signal.aborted) return;
    stop.abort();
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    watchController?.abort();
    if (err) reject(err);
    else resolve();
  };
  const onAbort = () => settle(new AppError('aborted', `stopped waiting for the rollout of deployment ${id}: aborted`));
  const timer = setTimeout(() => settle(timeoutError()), options.timeoutMs);

  function timeoutError(): AppError {
    const hints = [
      `last status: ${lastMessage ?? 'none received'}`,
      ...(paused ? [`the Deployment is paused: resume it with kubectl -n ${deps.namespace} rollout resume deployment/${name}`] : []),
      ...(lastError ? [`last API error: ${lastError.message}`] : []),
    ];
    return new UserFacingError(
      'timeout',
      `deployment ${id} did not finish rolling out within ${ms(options.timeoutMs)} (${hints.join('; ')}): ` +
        `check its pods with kubectl -n ${deps.namespace} describe deployment/${name}, then retry to keep waiting or choose another release`,
    );
  }

  /** Judges one version of the Deployment; true when waiting is over. */
  function observe(deployment: RolloutDeployment & { spec?: { paused?: boolean } }): boolean {
    const status = rolloutStatus(deployment);
    paused = deployment.spec?.paused === true;
    if (status.failed) {
      settle(new UserFacingError(
        'rollout_failed',
        `while waiting for the rollout of deployment ${id}: ${status.message} (its new pods did not become available in time): ` +
          `check them with kubectl -n ${deps.namespace} describe deployment/${name}, then roll back to another release or fix and retry`,
      ));
      return true;
    }
    if (status.message !== lastMessage) {
      lastMessage = status.message;
      try {
        options.onProgress?.({ deployment: name, message: status.message, done: status.done });
      } catch (err) {
        settle(isAppError(err) ? err : new AppError('internal', `reporting rollout progress of ${id} failed`, { cause: err }));
        return true;
      }
    }
    if (status.done) settle();
    return status.done;
  }

  const deleted = () =>
    new UserFacingError(
      'rollout_failed',
      `deployment ${id} was deleted while waiting for its rollout: find out who deleted it (kubectl -n ${deps.namespace} get events) before going on`,
    );

  function watchOnce(resourceVersion: string | undefined): Promise<WatchOutcome> {
    return new Promise((done) => {
      let outcome: WatchOutcome = { kind: 'closed' };
      const onEvent = (type: string, object: V1Deployment & { code?: number; message?: string }) => {
        if (stop.signal.aborted) return;
        if (type === 'ERROR') {
          // 410 Gone: our resourceVersion was compacted away; a fresh list starts over. Others: retry.
          const error = new AppError('upstream_unavailable', `watch error ${object.code ?? ''}: ${object.message ?? ''}`, { transient: true });
          outcome = object.code === 410 ? { kind: 'closed' } : { kind: 'retry', error };
        } else if (object.metadata?.name !== name) {
          return;
        } else if (type === 'DELETED') {
          settle(deleted());
        } else if (type === 'ADDED' || type === 'MODIFIED') {
          observe(object);
        }
      };
      const onDone = (err: unknown) => done(err ? classify(err) : outcome);
      const query = { fieldSelector: `metadata.name=${name}`, resourceVersion };
      deps.watch
        .watch(`/apis/apps/v1/namespaces/${encodeURIComponent(deps.namespace)}/deployments`, query, onEvent, onDone)
        .then((controller) => {
          watchController = controller;
          if (stop.signal.aborted) controller.abort();
        }, (err: unknown) => done(classify(err)));
    });
  }

  function classify(err: unknown): WatchOutcome {
    const status = httpStatus(err);
    if (status === 410) return { kind: 'closed' };
    // client-node's inactivity timeout: as if the server had closed the watch.
    if (err instanceof DOMException && err.name === 'TimeoutError') return { kind: 'closed' };
    const error = deps.toError(err, 'watch', `watching deployment ${id}`);
    return error.transient ? { kind: 'retry', error } : { kind: 'fatal', error };
  }

  async function run(): Promise<void> {
    let failures = 0;
    let listed = false;
    while (!stop.signal.aborted) {
      let deployment: V1Deployment | undefined;
      let resourceVersion: string | undefined;
      try {
        const list = await deps.apps.listNamespacedDeployment({ namespace: deps.namespace, fieldSelector: `metadata.name=${name}` });
        deployment = list.items.find((d) => d.metadata?.name === name);
        resourceVersion = list.metadata?.resourceVersion;
      } catch (err) {
        const error = deps.toError(err, 'list', `reading deployment ${id}`);
        // The first list decides whether we can watch at all; later ones ride out API blips.
        if (!listed || !error.transient) throw error;
        lastError = error;
        await pause(failures++);
        continue;
      }
      if (stop.signal.aborted) return;
      if (!deployment) {
        throw listed ? deleted() : new UserFacingError('not_found', `deployment ${id} was not found: check the name in rollback.yml and the kube context and namespace`);
      }
      listed = true;
      if (observe(deployment)) return;
      const outcome = await watchOnce(resourceVersion);
      if (outcome.kind === 'fatal') throw outcome.error;
      if (outcome.kind === 'retry') {
        lastError = outcome.error;
        await pause(failures++);
      } else {
        failures = 0;
      }
    }
  }

  const pause = (failures: number) =>
    sleep(Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** failures), undefined, { signal: stop.signal }).catch(() => undefined);

  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  if (!stop.signal.aborted) run().catch((err: unknown) => settle(isAppError(err) ? err : deps.toError(err, 'list', `waiting for deployment ${id}`)));
  return promise;
}
