/**
 * Judges each version of a Deployment seen while waiting, with kubectl's rules: reports kubectl's
 * message when it changes, and settles the wait on success or failure. It also remembers what a
 * person needs to know if the wait runs out (last status, paused, last API error).
 */

import type { V1Deployment } from '@kubernetes/client-node';
import ms from 'ms';
import { AppError, isAppError, UserFacingError } from '../../domain/errors.ts';
import { type RolloutDeployment, rolloutStatus } from '../../domain/rollout-status.ts';
import type { ContainerImage, RolloutProgress } from '../../flows/ports.ts';
import { outsideChange } from './k8s-outside-change.ts';

export interface RolloutJudge {
  /** Judges one version of the Deployment; true when the wait is over. */
  observe(deployment: RolloutDeployment & V1Deployment): boolean;
  fail(error: AppError): void;
  deleted(): UserFacingError;
  /** Remembers a transient API error the wait rode out, for the timeout message. */
  apiError(error: AppError): void;
  timeoutError(timeoutMs: number): UserFacingError;
}

export interface RolloutJudgeOptions {
  namespace: string;
  name: string;
  onProgress: ((progress: RolloutProgress) => void) | undefined;
  settle: (error?: AppError) => void;
  /** The pod template images the bot set: any other image seen is someone else's change. */
  expected?: ContainerImage[] | undefined;
}

export function createRolloutJudge(options: RolloutJudgeOptions): RolloutJudge {
  const { namespace, name, onProgress, settle, expected } = options;
  const id = `${namespace}/${name}`;
  const describe = `kubectl -n ${namespace} describe deployment/${name}`;
  let lastMessage: string | undefined;
  let lastError: AppError | undefined;
  let paused = false;

  function report(progress: RolloutProgress): boolean {
    try {
      onProgress?.(progress);
      return true;
    } catch (err) {
      settle(
        isAppError(err)
          ? err
          : new AppError('internal', `reporting the rollout progress of ${id} failed`, { cause: err }),
      );
      return false;
    }
  }

  return {
    observe(deployment) {
      const changed = expected && outsideChange(deployment, expected, namespace);
      if (changed) {
        settle(changed);
        return true;
      }
      const status = rolloutStatus(deployment);
      paused = deployment.spec?.paused === true;
      if (status.failed) {
        settle(
          new UserFacingError(
            'rollout_failed',
            `while waiting for the rollout of deployment ${id}: ${status.message} (its new pods did not become available in time): ` +
              `check them with ${describe}, then roll back to another release or fix and retry`,
          ),
        );
        return true;
      }
      if (status.message !== lastMessage) {
        lastMessage = status.message;
        if (!report({ deployment: name, message: status.message, done: status.done })) return true;
      }
      if (status.done) settle();
      return status.done;
    },

    fail: (error) => settle(error),

    deleted: () =>
      new UserFacingError(
        'rollout_failed',
        `deployment ${id} was deleted while waiting for its rollout: find out who deleted it (kubectl -n ${namespace} get events) before going on`,
      ),

    apiError(error) {
      lastError = error;
    },

    timeoutError(timeoutMs) {
      const hints = [
        `last status: ${lastMessage ?? 'none received'}`,
        ...(paused
          ? [`the Deployment is paused: resume it with kubectl -n ${namespace} rollout resume deployment/${name}`]
          : []),
        ...(lastError ? [`last API error: ${lastError.message}`] : []),
      ];
      return new UserFacingError(
        'timeout',
        `deployment ${id} did not finish rolling out within ${ms(timeoutMs)} (${hints.join('; ')}): ` +
          `check its pods with ${describe}, then retry to keep waiting or choose another release`,
      );
    },
  };
}
