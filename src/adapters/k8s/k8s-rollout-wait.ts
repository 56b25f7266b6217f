/**
 * `kubectl rollout status` over the API: list the Deployment by `fieldSelector=metadata.name=…`,
 * watch from the list's resourceVersion, judge every version with kubectl's rules, re-list when
 * the watch ends (servers close watches; a 410 means our resourceVersion is too old), and fail
 * when the Deployment is deleted — kubectl would rather stop than follow a re-created object.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import type { AppsV1Api, V1Deployment, Watch } from '@kubernetes/client-node';
import { type AppError, isAppError, UserFacingError } from '../../domain/errors.ts';
import type { ContainerImage, RolloutProgress } from '../../flows/ports.ts';
import { httpStatus } from './k8s-errors.ts';
import { type K8sRetryPolicy, withK8sRetry } from './k8s-retry.ts';
import { createRolloutJudge, type RolloutJudge } from './k8s-rollout-judge.ts';

export interface RolloutWaitDeps {
  apps: AppsV1Api;
  watch: Watch;
  namespace: string;
  /** Maps a client error for a call on this Deployment with this verb. */
  toError(err: unknown, verb: 'list' | 'watch', doing: string): AppError;
  /** Retries of the first list (later ones ride out errors until the wait's timeout). */
  retry: K8sRetryPolicy;
}

export interface RolloutWaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (progress: RolloutProgress) => void;
  /** The pod template images the bot set: the wait fails at once if the live template differs. */
  expect?: ContainerImage[];
}

type WatchOutcome = { kind: 'closed' } | { kind: 'retry'; error: AppError } | { kind: 'fatal'; error: AppError };

interface Session {
  deps: RolloutWaitDeps;
  name: string;
  id: string;
  judge: RolloutJudge;
  /** Aborted once the wait is settled, whichever way. */
  stop: AbortSignal;
  /** The open watch, so settling can close it. */
  watch?: AbortController;
}

const RETRY_BASE_MS = 100;
const RETRY_MAX_MS = 2_000;

export function waitForDeploymentRollout(
  deps: RolloutWaitDeps,
  name: string,
  options: RolloutWaitOptions,
): Promise<void> {
  const { promise, resolve, reject } = Promise.withResolvers<void>();
  const stop = new AbortController();
  const settle = (err?: AppError) => {
    if (stop.signal.aborted) return;
    stop.abort();
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    session.watch?.abort();
    if (err) reject(err);
    else resolve();
  };
  const judge = createRolloutJudge({
    namespace: deps.namespace,
    name,
    onProgress: options.onProgress,
    settle,
    expected: options.expect,
  });
  const session: Session = { deps, name, id: `${deps.namespace}/${name}`, judge, stop: stop.signal };
  const onAbort = () =>
    settle(new UserFacingError('aborted', `stopped waiting for the rollout of deployment ${session.id}: aborted`));
  const timer = setTimeout(() => settle(judge.timeoutError(options.timeoutMs)), options.timeoutMs);
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  if (!stop.signal.aborted) {
    run(session).catch((err: unknown) =>
      settle(isAppError(err) ? err : deps.toError(err, 'list', `waiting for deployment ${session.id}`)),
    );
  }
  return promise;
}

/** List, judge, watch until the watch ends; again until the judge or an error settles the wait. */
async function run(session: Session): Promise<void> {
  const { deps, name, id, judge, stop } = session;
  let failures = 0;
  let listed = false;
  while (!stop.aborted) {
    let list: Awaited<ReturnType<AppsV1Api['listNamespacedDeployment']>>;
    const listOnce = () =>
      deps.apps.listNamespacedDeployment({ namespace: deps.namespace, fieldSelector: `metadata.name=${name}` });
    const toError = (err: unknown) => deps.toError(err, 'list', `reading deployment ${id}`);
    try {
      // The first list decides whether we can wait at all (within the retry budget); later ones ride out API blips.
      list = listed ? await listOnce() : await withK8sRetry(deps.retry, toError, listOnce, stop);
    } catch (err) {
      const error = toError(err);
      if (!listed || !error.transient) throw error;
      judge.apiError(error);
      await pause(failures++, stop);
      continue;
    }
    if (stop.aborted) return;
    const deployment = list.items.find((d) => d.metadata?.name === name);
    if (!deployment) throw listed ? judge.deleted() : notFound(id);
    listed = true;
    if (judge.observe(deployment)) return;
    const outcome = await watchOnce(session, list.metadata?.resourceVersion);
    if (outcome.kind === 'fatal') throw outcome.error;
    if (outcome.kind === 'closed') failures = 0;
    else {
      judge.apiError(outcome.error);
      await pause(failures++, stop);
    }
  }
}

/** One watch from `resourceVersion`; resolves with how it ended. */
function watchOnce(session: Session, resourceVersion: string | undefined): Promise<WatchOutcome> {
  const { deps, name, judge, stop } = session;
  return new Promise((done) => {
    let outcome: WatchOutcome = { kind: 'closed' };
    const onEvent = (type: string, object: V1Deployment & { code?: number; message?: string }) => {
      if (stop.aborted) return;
      if (type === 'ERROR') {
        // 410 Gone: our resourceVersion was compacted away, a fresh list starts over. Others: retry.
        const error = new UserFacingError(
          'upstream_unavailable',
          `watch error ${object.code ?? ''}: ${object.message ?? ''}`,
          { transient: true },
        );
        outcome = object.code === 410 ? { kind: 'closed' } : { kind: 'retry', error };
      } else if (object.metadata?.name === name) {
        if (type === 'DELETED') judge.fail(judge.deleted());
        else if (type === 'ADDED' || type === 'MODIFIED') judge.observe(object);
      }
    };
    const path = `/apis/apps/v1/namespaces/${encodeURIComponent(deps.namespace)}/deployments`;
    deps.watch
      .watch(path, { fieldSelector: `metadata.name=${name}`, resourceVersion }, onEvent, (err: unknown) => {
        done(err ? classify(session, err) : outcome);
      })
      .then(
        (controller) => {
          session.watch = controller;
          if (stop.aborted) controller.abort();
        },
        (err: unknown) => done(classify(session, err)),
      );
  });
}

function classify(session: Session, err: unknown): WatchOutcome {
  if (httpStatus(err) === 410) return { kind: 'closed' };
  // client-node's inactivity timeout: as if the server had closed the watch.
  if (err instanceof DOMException && err.name === 'TimeoutError') return { kind: 'closed' };
  const error = session.deps.toError(err, 'watch', `watching deployment ${session.id}`);
  return error.transient ? { kind: 'retry', error } : { kind: 'fatal', error };
}

function notFound(id: string): UserFacingError {
  return new UserFacingError(
    'not_found',
    `deployment ${id} was not found: check the name in rollback.yml and the kube context and namespace`,
  );
}

function pause(failures: number, stop: AbortSignal): Promise<void> {
  const ms = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** failures);
  return sleep(ms, undefined, { signal: stop }).catch(() => undefined);
}
