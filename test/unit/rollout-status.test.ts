import { describe, expect, it } from 'vitest';
import { type RolloutDeployment, rolloutStatus } from '../../src/domain/rollout-status.ts';

type Status = NonNullable<RolloutDeployment['status']>;

/** A Deployment "api" whose latest spec has been observed, with 3 desired replicas. */
function deployment(status: Status, overrides: { generation?: number; replicas?: number } = {}): RolloutDeployment {
  const replicas = 'replicas' in overrides ? overrides.replicas : 3;
  return {
    metadata: { name: 'api', generation: overrides.generation ?? 2 },
    spec: replicas === undefined ? {} : { replicas },
    status: { observedGeneration: 2, ...status },
  };
}

const deadlineExceeded = [{ type: 'Progressing', reason: 'ProgressDeadlineExceeded' }];

describe('rolloutStatus (kubectl rollout status rules)', () => {
  it('waits for the controller to observe a new spec before reading any other field', () => {
    const d = deployment(
      { updatedReplicas: 3, replicas: 3, availableReplicas: 3, conditions: deadlineExceeded },
      { generation: 3 },
    );
    expect(rolloutStatus(d)).toEqual({
      done: false,
      failed: false,
      message: 'Waiting for deployment spec update to be observed...',
    });
  });

  it('treats a Deployment without status as not yet observed', () => {
    expect(rolloutStatus({ metadata: { name: 'api', generation: 1 }, spec: { replicas: 1 } }).message).toBe(
      'Waiting for deployment spec update to be observed...',
    );
  });

  it('fails on ProgressDeadlineExceeded even when replica counts look unfinished', () => {
    const d = deployment({ updatedReplicas: 1, replicas: 4, availableReplicas: 3, conditions: deadlineExceeded });
    expect(rolloutStatus(d)).toEqual({
      done: false,
      failed: true,
      message: 'deployment "api" exceeded its progress deadline',
    });
  });

  it('fails on ProgressDeadlineExceeded even when every replica is available', () => {
    const d = deployment({ updatedReplicas: 3, replicas: 3, availableReplicas: 3, conditions: deadlineExceeded });
    expect(rolloutStatus(d).failed).toBe(true);
  });

  it('ignores other Progressing reasons and other condition types', () => {
    const d = deployment({
      updatedReplicas: 3,
      replicas: 3,
      availableReplicas: 3,
      conditions: [
        { type: 'Available', reason: 'ProgressDeadlineExceeded' },
        { type: 'Progressing', reason: 'NewReplicaSetAvailable' },
      ],
    });
    expect(rolloutStatus(d)).toMatchObject({ done: true, failed: false });
  });

  it('waits while fewer new replicas than desired have been updated (checked before old replicas)', () => {
    const d = deployment({ updatedReplicas: 1, replicas: 4, availableReplicas: 3 });
    expect(rolloutStatus(d)).toEqual({
      done: false,
      failed: false,
      message: 'Waiting for deployment "api" rollout to finish: 1 out of 3 new replicas have been updated...',
    });
  });

  it('waits while old replicas are pending termination (checked before availability)', () => {
    const d = deployment({ updatedReplicas: 3, replicas: 5, availableReplicas: 1 });
    expect(rolloutStatus(d).message).toBe(
      'Waiting for deployment "api" rollout to finish: 2 old replicas are pending termination...',
    );
  });

  it('waits while updated replicas are not all available', () => {
    const d = deployment({ updatedReplicas: 3, replicas: 3, availableReplicas: 2 });
    expect(rolloutStatus(d).message).toBe(
      'Waiting for deployment "api" rollout to finish: 2 of 3 updated replicas are available...',
    );
  });

  it('is done when every desired replica is updated and available and no old one is left', () => {
    const d = deployment({ updatedReplicas: 3, replicas: 3, availableReplicas: 3 });
    expect(rolloutStatus(d)).toEqual({
      done: true,
      failed: false,
      message: 'deployment "api" successfully rolled out',
    });
  });

  it('skips the desired-replicas rule when spec.replicas is unset, like kubectl', () => {
    const d = deployment({ updatedReplicas: 0, replicas: 0, availableReplicas: 0 }, { replicas: undefined });
    expect(rolloutStatus(d).done).toBe(true);
  });

  it('counts missing status numbers as zero', () => {
    const d = deployment({}, { replicas: 2 });
    expect(rolloutStatus(d).message).toBe(
      'Waiting for deployment "api" rollout to finish: 0 out of 2 new replicas have been updated...',
    );
  });

  it('is done for a Deployment scaled to zero', () => {
    expect(rolloutStatus(deployment({}, { replicas: 0 })).done).toBe(true);
  });
});
