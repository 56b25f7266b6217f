/**
 * The Deployments contract (flows/ports.ts), run against the K8s adapter talking to the simulated
 * API server (src/sim/kube) and the in-memory fake (test/fakes/fake-deployments.ts).
 */
import { AppsV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createK8sDeployments } from '../../src/adapters/k8s/k8s-deployments.ts';
import { loadKubeConfig } from '../../src/adapters/k8s/kube-config.ts';
import { AppError, OutsideChangeError, UserFacingError } from '../../src/domain/errors.ts';
import type { Deployments } from '../../src/flows/ports.ts';
import { type FakeKube, startFakeKube } from '../../src/sim/kube/server.ts';
import { createFakeDeployments } from '../fakes/fake-deployments.ts';

const CONTAINERS = [
  { name: 'api', image: 'ghcr.io/acme/app:v1.2.3' },
  { name: 'proxy', image: 'envoy:1.30' },
];

interface Harness {
  ns: string;
  deployments: Deployments;
  /** Someone else's `kubectl set image` (field manager kubectl-set). */
  kubectlSetImage(container: string, image: string): Promise<void>;
}

let kube: FakeKube;
let n = 0;

beforeAll(async () => {
  kube = await startFakeKube({ rollout: { durationMs: 50 } });
});
afterAll(() => kube.close());

const implementations: [string, () => Harness][] = [
  [
    'K8s adapter (simulated API server)',
    () => {
      const ns = `contract-${++n}`;
      kube.addDeployment({ namespace: ns, name: 'api', containers: CONTAINERS, replicas: 2 });
      const kubeConfig = loadKubeConfig({ path: kube.kubeconfigPath });
      return {
        ns,
        deployments: createK8sDeployments({ kubeConfig, namespace: ns, retry: { budgetMs: 3_000, firstDelayMs: 20 } }),
        async kubectlSetImage(container, image) {
          const kc = new KubeConfig();
          kc.loadFromFile(kube.kubeconfigPath);
          await kc.makeApiClient(AppsV1Api).patchNamespacedDeployment(
            {
              name: 'api',
              namespace: ns,
              fieldManager: 'kubectl-set',
              body: { spec: { template: { spec: { containers: [{ name: container, image }] } } } },
            },
            setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
          );
        },
      };
    },
  ],
  [
    'in-memory fake',
    () => {
      const ns = `contract-${++n}`;
      const fake = createFakeDeployments(ns);
      fake.add('api', CONTAINERS, 2);
      return {
        ns,
        deployments: fake,
        kubectlSetImage: async (container, image) => fake.setImageAs('kubectl-set', 'api', container, image),
      };
    },
  ],
];

async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe.each(implementations)('Deployments contract: %s', (_name, make) => {
  it('gets what runs, and names a missing Deployment', async () => {
    const h = make();
    expect(await h.deployments.get('api')).toMatchObject({
      namespace: h.ns,
      name: 'api',
      paused: false,
      replicas: 2,
      containers: [
        { container: 'api', image: 'ghcr.io/acme/app:v1.2.3', setBy: 'kubectl-client-side-apply' },
        { container: 'proxy', image: 'envoy:1.30', setBy: 'kubectl-client-side-apply' },
      ],
    });
    const err = await failure(h.deployments.get('nope'));
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err.code).toBe('not_found');
    expect(err.message).toContain(`deployment ${h.ns}/nope was not found`);
  });

  it('sets only the named image, as rollback-commander; the same image again changes nothing', async () => {
    const h = make();
    const before = await h.deployments.get('api');
    await h.deployments.setImages('api', [{ container: 'api', image: 'ghcr.io/acme/app:v1.2.2' }]);
    await h.deployments.waitForRollout('api', { timeoutMs: 10_000 });
    const after = await h.deployments.get('api');
    expect(after.containers).toEqual([
      { container: 'api', image: 'ghcr.io/acme/app:v1.2.2', setBy: 'rollback-commander' },
      { container: 'proxy', image: 'envoy:1.30', setBy: 'kubectl-client-side-apply' },
    ]);
    expect(after.generation).toBe(before.generation + 1);
    await h.deployments.setImages('api', [{ container: 'api', image: 'ghcr.io/acme/app:v1.2.2' }]);
    expect((await h.deployments.get('api')).generation).toBe(after.generation);
  });

  it('refuses an unknown container, listing the ones that exist, and changes nothing', async () => {
    const h = make();
    const err = await failure(h.deployments.setImages('api', [{ container: 'app', image: 'ghcr.io/acme/app:v1.2.2' }]));
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err.message).toContain('no container "app" (its containers: api, proxy)');
    expect((await h.deployments.get('api')).containers.map((c) => c.image)).toEqual([
      'ghcr.io/acme/app:v1.2.3',
      'envoy:1.30',
    ]);
  });

  it('lists the history newest first, going back to a template renumbering its ReplicaSet', async () => {
    const h = make();
    for (const image of ['ghcr.io/acme/app:v1.2.4', 'ghcr.io/acme/app:v1.2.3']) {
      await h.deployments.setImages('api', [{ container: 'api', image }]);
      await h.deployments.waitForRollout('api', { timeoutMs: 10_000 });
    }
    const history = await h.deployments.history('api');
    expect(history.map((r) => [r.revision, r.images[0]?.image])).toEqual([
      [3, 'ghcr.io/acme/app:v1.2.3'],
      [2, 'ghcr.io/acme/app:v1.2.4'],
    ]);
    expect(history[0]?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('restarts as `kubectl rollout restart`: a new revision with the same images; the same second again changes nothing', async () => {
    const h = make();
    const before = await h.deployments.get('api');
    const at = new Date('2026-11-24T12:00:00.100Z');
    await h.deployments.restart('api', at);
    await h.deployments.waitForRollout('api', { timeoutMs: 10_000 });
    const after = await h.deployments.get('api');
    expect(after.generation).toBe(before.generation + 1);
    expect(after.containers.map((c) => c.image)).toEqual(before.containers.map((c) => c.image));
    expect((await h.deployments.history('api')).map((r) => [r.revision, r.images[0]?.image])).toEqual([
      [2, 'ghcr.io/acme/app:v1.2.3'],
      [1, 'ghcr.io/acme/app:v1.2.3'],
    ]);
    // kubectl's restartedAt is RFC 3339 to the second: a retry within that second is the same restart.
    await h.deployments.restart('api', new Date('2026-11-24T12:00:00.900Z'));
    expect((await h.deployments.get('api')).generation).toBe(after.generation);
    await h.deployments.restart('api', new Date('2026-11-24T12:00:01.000Z'));
    expect((await h.deployments.get('api')).generation).toBe(after.generation + 1);

    const err = await failure(h.deployments.restart('nope', at));
    expect(err.code).toBe('not_found');
    expect(err.message).toContain(`deployment ${h.ns}/nope was not found`);
  });

  it("stops waiting at once when someone else's image replaces the bot's, naming who", async () => {
    const h = make();
    await h.deployments.setImages('api', [{ container: 'api', image: 'ghcr.io/acme/app:v1.2.2' }]);
    await h.kubectlSetImage('api', 'ghcr.io/acme/app:v9.9.9');
    const err = await failure(
      h.deployments.waitForRollout('api', {
        timeoutMs: 10_000,
        expect: [
          { container: 'api', image: 'ghcr.io/acme/app:v1.2.2' },
          { container: 'proxy', image: 'envoy:1.30' },
        ],
      }),
    );
    expect(err).toBeInstanceOf(OutsideChangeError);
    expect(err.code).toBe('conflict');
    expect(err.message).toContain(
      'container "api" runs ghcr.io/acme/app:v9.9.9, not ghcr.io/acme/app:v1.2.2 as the bot set it (changed by kubectl-set',
    );
  });
});
