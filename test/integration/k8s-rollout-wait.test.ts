import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createK8sDeployments } from '../../src/adapters/k8s/k8s-deployments.ts';
import { loadKubeConfig } from '../../src/adapters/k8s/kube-config.ts';
import type { AppError } from '../../src/domain/errors.ts';
import type { Deployments, RolloutProgress } from '../../src/flows/ports.ts';
import { type FakeKube, startFakeKube } from '../../src/sim/kube/server.ts';

let kube: FakeKube;
let namespaces = 0;

beforeAll(async () => {
  kube = await startFakeKube({ rollout: { durationMs: 150 } });
});
afterAll(() => kube.close());

/** A fresh namespace with one running Deployment "api" and the adapter scoped to it. */
function setup(options: { replicas?: number; paused?: boolean } = {}): { ns: string; deployments: Deployments } {
  const ns = `wait-${++namespaces}`;
  kube.addDeployment({
    namespace: ns,
    name: 'api',
    containers: [{ name: 'api', image: 'app:v1' }],
    replicas: options.replicas ?? 2,
    ...options,
  });
  const deployments = createK8sDeployments({
    kubeConfig: loadKubeConfig({ path: kube.kubeconfigPath }),
    namespace: ns,
  });
  return { ns, deployments };
}

function collect(): { messages: string[]; onProgress: (p: RolloutProgress) => void } {
  const messages: string[] = [];
  return { messages, onProgress: (p) => messages.push(p.message) };
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  return promise.then(
    () => expect.fail('expected the wait to fail'),
    (err: AppError) => err,
  );
}

/** Waits until the adapter has a watch open, so what the test does next happens mid-watch. */
const watching = (ns: string) => vi.waitFor(() => expect(kube.activeWatches(ns)).toBeGreaterThan(0));

describe('K8sDeployments.waitForRollout', () => {
  it("resolves when the rollout completes, reporting kubectl's messages once each", async () => {
    const { ns, deployments } = setup({ replicas: 3 });
    kube.setRolloutBehavior(ns, 'api', { durationMs: 400 });
    await deployments.setImages('api', [{ container: 'api', image: 'app:v2' }]);
    const { messages, onProgress } = collect();
    await deployments.waitForRollout('api', { timeoutMs: 5_000, onProgress });
    const from = messages.indexOf(
      'Waiting for deployment "api" rollout to finish: 1 out of 3 new replicas have been updated...',
    );
    expect(from).toBeGreaterThanOrEqual(0);
    expect(messages.slice(from)).toEqual([
      'Waiting for deployment "api" rollout to finish: 1 out of 3 new replicas have been updated...',
      'Waiting for deployment "api" rollout to finish: 2 out of 3 new replicas have been updated...',
      'Waiting for deployment "api" rollout to finish: 1 old replicas are pending termination...',
      'Waiting for deployment "api" rollout to finish: 2 of 3 updated replicas are available...',
      'deployment "api" successfully rolled out',
    ]);
    expect(kube.deployment(ns, 'api')?.status?.availableReplicas).toBe(3);
  });

  it('resolves at once for a Deployment that is already rolled out', async () => {
    const { deployments } = setup();
    const { messages, onProgress } = collect();
    await deployments.waitForRollout('api', { timeoutMs: 5_000, onProgress });
    expect(messages).toEqual(['deployment "api" successfully rolled out']);
  });

  it('fails with rollout_failed when the progress deadline is exceeded', async () => {
    const { ns, deployments } = setup();
    kube.setRolloutBehavior(ns, 'api', { mode: 'deadline', deadlineMs: 100 });
    await deployments.setImages('api', [{ container: 'api', image: 'app:broken' }]);
    const err = await rejection(deployments.waitForRollout('api', { timeoutMs: 5_000 }));
    expect(err.code).toBe('rollout_failed');
    expect(err.message).toContain(`deployment ${ns}/api`);
    expect(err.message).toContain('deployment "api" exceeded its progress deadline');
  });

  it('fails with timeout, naming the last status, when the rollout does not finish in time', async () => {
    const { ns, deployments } = setup();
    kube.setRolloutBehavior(ns, 'api', { mode: 'stuck' });
    await deployments.setImages('api', [{ container: 'api', image: 'app:v2' }]);
    const err = await rejection(deployments.waitForRollout('api', { timeoutMs: 300 }));
    expect(err.code).toBe('timeout');
    expect(err.message).toContain('1 out of 2 new replicas have been updated');
    await vi.waitFor(() => expect(kube.activeWatches(ns)).toBe(0));
  });

  it('says the Deployment is paused when waiting on a paused Deployment times out', async () => {
    const { deployments } = setup({ paused: true });
    await deployments.setImages('api', [{ container: 'api', image: 'app:v2' }]);
    const err = await rejection(deployments.waitForRollout('api', { timeoutMs: 300 }));
    expect(err.code).toBe('timeout');
    expect(err.message).toMatch(/paused: resume it with kubectl -n wait-\d+ rollout resume deployment\/api/);
  });

  it('fails with rollout_failed when the Deployment is deleted mid-rollout', async () => {
    const { ns, deployments } = setup();
    kube.setRolloutBehavior(ns, 'api', { mode: 'stuck' });
    await deployments.setImages('api', [{ container: 'api', image: 'app:v2' }]);
    const wait = rejection(deployments.waitForRollout('api', { timeoutMs: 5_000 }));
    await watching(ns);
    kube.deleteDeployment(ns, 'api');
    const err = await wait;
    expect(err.code).toBe('rollout_failed');
    expect(err.message).toContain(`deployment ${ns}/api was deleted`);
  });

  it('fails with not_found for a Deployment that does not exist', async () => {
    const { ns, deployments } = setup();
    const err = await rejection(deployments.waitForRollout('nope', { timeoutMs: 5_000 }));
    expect(err.code).toBe('not_found');
    expect(err.message).toContain(`${ns}/nope`);
  });

  it('fails at once, naming the verb, when RBAC allows list but not watch', async () => {
    const { ns, deployments } = setup();
    kube.setRolloutBehavior(ns, 'api', { mode: 'stuck' });
    await deployments.setImages('api', [{ container: 'api', image: 'app:v2' }]);
    kube.setAccess({ verb: 'watch', resource: 'deployments' }, false);
    try {
      const err = await rejection(deployments.waitForRollout('api', { timeoutMs: 5_000 }));
      expect(err.code).toBe('upstream_auth');
      expect(err.message).toContain(
        `RBAC must allow verb "watch" on resource "deployments" (API group "apps") in namespace "${ns}"`,
      );
    } finally {
      kube.setAccess({ verb: 'watch', resource: 'deployments' }, true);
    }
  });

  it('keeps following the rollout when the server closes the watch, without repeating itself', async () => {
    const { ns, deployments } = setup();
    kube.setRolloutBehavior(ns, 'api', { mode: 'stuck' });
    await deployments.setImages('api', [{ container: 'api', image: 'app:v2' }]);
    const { messages, onProgress } = collect();
    const wait = deployments.waitForRollout('api', { timeoutMs: 5_000, onProgress });
    await watching(ns);
    kube.closeWatches();
    await watching(ns); // re-listed (same status as before) and watching again
    kube.completeRollout(ns, 'api');
    await expect(wait).resolves.toBeUndefined();
    expect(messages.slice(-2)).toEqual([
      'Waiting for deployment "api" rollout to finish: 1 out of 2 new replicas have been updated...',
      'deployment "api" successfully rolled out',
    ]);
    expect(new Set(messages).size).toBe(messages.length);
  });

  it('re-lists after a watch fails with 410 Gone', async () => {
    const { ns, deployments } = setup();
    kube.setRolloutBehavior(ns, 'api', { mode: 'stuck' });
    await deployments.setImages('api', [{ container: 'api', image: 'app:v2' }]);
    const wait = deployments.waitForRollout('api', { timeoutMs: 5_000 });
    await watching(ns);
    kube.compact();
    kube.closeWatches({ code: 410 });
    kube.completeRollout(ns, 'api');
    await expect(wait).resolves.toBeUndefined();
  });

  it('rides out API errors while re-listing', async () => {
    const { ns, deployments } = setup();
    kube.setRolloutBehavior(ns, 'api', { mode: 'stuck' });
    await deployments.setImages('api', [{ container: 'api', image: 'app:v2' }]);
    const wait = deployments.waitForRollout('api', { timeoutMs: 5_000 });
    await watching(ns);
    kube.failNextRequests(2, 503);
    kube.closeWatches();
    kube.completeRollout(ns, 'api');
    await expect(wait).resolves.toBeUndefined();
  });

  it('stops with aborted when the signal fires, and closes its watch', async () => {
    const { ns, deployments } = setup();
    kube.setRolloutBehavior(ns, 'api', { mode: 'stuck' });
    await deployments.setImages('api', [{ container: 'api', image: 'app:v2' }]);
    const controller = new AbortController();
    const wait = rejection(deployments.waitForRollout('api', { timeoutMs: 5_000, signal: controller.signal }));
    await watching(ns);
    controller.abort();
    expect((await wait).code).toBe('aborted');
    await vi.waitFor(() => expect(kube.activeWatches(ns)).toBe(0));
  });

  it('follows three Deployments rolling out in parallel to the end', async () => {
    const ns = `wait-${++namespaces}`;
    const names = ['api', 'web', 'worker'];
    for (const name of names)
      kube.addDeployment({ namespace: ns, name, containers: [{ name, image: `${name}:v1` }], replicas: 2 });
    const deployments = createK8sDeployments({
      kubeConfig: loadKubeConfig({ path: kube.kubeconfigPath }),
      namespace: ns,
    });
    await Promise.all(
      names.map(async (name) => {
        await deployments.setImages(name, [{ container: name, image: `${name}:v0` }]);
        await deployments.waitForRollout(name, { timeoutMs: 5_000 });
      }),
    );
    for (const name of names) {
      const d = kube.deployment(ns, name);
      expect(d?.spec.template.spec.containers[0]?.image).toBe(`${name}:v0`);
      expect(d?.status?.updatedReplicas).toBe(2);
      expect(d?.status?.availableReplicas).toBe(2);
    }
  });
});
