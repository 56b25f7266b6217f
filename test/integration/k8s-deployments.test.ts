import { createServer } from 'node:net';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createK8sDeployments } from '../../src/adapters/k8s/k8s-deployments.ts';
import { loadKubeConfig } from '../../src/adapters/k8s/kube-config.ts';
import { AppError, UserFacingError } from '../../src/domain/errors.ts';
import type { Deployments } from '../../src/flows/ports.ts';
import { type FakeKube, startFakeKube } from '../../src/sim/kube/server.ts';

let kube: FakeKube;
let namespaces = 0;

beforeAll(async () => {
  kube = await startFakeKube({ rollout: { durationMs: 50 } });
});
afterAll(() => kube.close());

const containers = [
  { name: 'api', image: 'ghcr.io/acme/app:v1.2.3' },
  { name: 'proxy', image: 'envoy:1.30' },
];

function setup(): { ns: string; deployments: Deployments } {
  const ns = `deploy-${++namespaces}`;
  kube.addDeployment({ namespace: ns, name: 'api', containers, replicas: 2 });
  const kubeConfig = loadKubeConfig({ path: kube.kubeconfigPath });
  const retry = { budgetMs: 3_000, firstDelayMs: 20 };
  return { ns, deployments: createK8sDeployments({ kubeConfig, namespace: ns, retry }) };
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  return promise.then(
    () => expect.fail('expected a failure'),
    (err: AppError) => err,
  );
}

const images = (ns: string) =>
  kube.deployment(ns, 'api')?.spec.template.spec.containers.map((c) => `${c.name}=${c.image}`);

describe('K8sDeployments', () => {
  it('get returns what is running', async () => {
    const { ns, deployments } = setup();
    const snapshot = await deployments.get('api');
    expect(snapshot).toEqual({
      namespace: ns,
      name: 'api',
      uid: kube.deployment(ns, 'api')?.metadata.uid,
      generation: 1,
      observedGeneration: 1,
      paused: false,
      replicas: 2,
      containers: [
        { container: 'api', image: 'ghcr.io/acme/app:v1.2.3', setBy: 'kubectl-client-side-apply' },
        { container: 'proxy', image: 'envoy:1.30', setBy: 'kubectl-client-side-apply' },
      ],
    });
  });

  it('get of a missing Deployment names it and says what to check', async () => {
    const { ns, deployments } = setup();
    const err = await failure(deployments.get('nope'));
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err.code).toBe('not_found');
    expect(err.message).toContain(`deployment ${ns}/nope was not found`);
    expect(err.transient).toBe(false);
  });

  it('setImages sends a strategic merge patch that changes only the named container', async () => {
    const { ns, deployments } = setup();
    kube.requests.length = 0;
    await deployments.setImages('api', [{ container: 'api', image: 'ghcr.io/acme/app:v1.2.2' }]);
    expect(images(ns)).toEqual(['api=ghcr.io/acme/app:v1.2.2', 'proxy=envoy:1.30']);
    const patches = kube.requests.filter((r) => r.method === 'PATCH');
    expect(patches).toEqual([
      {
        method: 'PATCH',
        path: `/apis/apps/v1/namespaces/${ns}/deployments/api`,
        query: { fieldManager: 'rollback-commander' },
        contentType: 'application/strategic-merge-patch+json',
        body: { spec: { template: { spec: { containers: [{ name: 'api', image: 'ghcr.io/acme/app:v1.2.2' }] } } } },
      },
    ]);
    // The field manager makes the bot's write recognisable: managedFields now say it set the image.
    expect(await deployments.get('api')).toMatchObject({
      containers: [
        { container: 'api', setBy: 'rollback-commander' },
        { container: 'proxy', setBy: 'kubectl-client-side-apply' },
      ],
    });
  });

  it('setImages with the images already running changes nothing (a second click is harmless)', async () => {
    const { ns, deployments } = setup();
    await deployments.setImages('api', [{ container: 'api', image: 'ghcr.io/acme/app:v1.2.3' }]);
    expect(kube.deployment(ns, 'api')?.metadata.generation).toBe(1);
    expect(kube.replicaSets(ns, 'api')).toHaveLength(1);
  });

  it('setImages with an unknown container lists the containers that exist and patches nothing', async () => {
    const { ns, deployments } = setup();
    const err = await failure(deployments.setImages('api', [{ container: 'app', image: 'ghcr.io/acme/app:v1.2.2' }]));
    expect(err).toBeInstanceOf(UserFacingError);
    expect(err.message).toContain(`deployment ${ns}/api`);
    expect(err.message).toContain('no container "app" (its containers: api, proxy)');
    expect(images(ns)).toEqual(['api=ghcr.io/acme/app:v1.2.3', 'proxy=envoy:1.30']);
  });

  it('history lists the Deployment’s ReplicaSets newest first, renumbering a rolled-back one', async () => {
    const { ns, deployments } = setup();
    const roll = async (image: string) => {
      await deployments.setImages('api', [{ container: 'api', image }]);
      await deployments.waitForRollout('api', { timeoutMs: 5_000 });
    };
    await roll('ghcr.io/acme/app:v1.2.4');
    await roll('ghcr.io/acme/app:v1.2.3'); // the rollback reuses revision 1's ReplicaSet as revision 3
    const history = await deployments.history('api');
    expect(history.map((h) => [h.revision, h.images[0]?.image])).toEqual([
      [3, 'ghcr.io/acme/app:v1.2.3'],
      [2, 'ghcr.io/acme/app:v1.2.4'],
    ]);
    expect(history[0]?.replicaSet).toBe(kube.replicaSets(ns, 'api')[0]?.metadata.name);
    expect(history[0]?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('history leaves out ReplicaSets that match the selector but belong to nobody', async () => {
    const { ns, deployments } = setup();
    const kc = new KubeConfig();
    kc.loadFromFile(kube.kubeconfigPath);
    const template = { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'evil:1' }] } };
    await kc.makeApiClient(AppsV1Api).createNamespacedReplicaSet({
      namespace: ns,
      body: {
        metadata: {
          name: 'api-orphan',
          labels: { app: 'api' },
          annotations: { 'deployment.kubernetes.io/revision': '99' },
        },
        spec: { replicas: 0, selector: { matchLabels: { app: 'api' } }, template },
      },
    });
    const history = await deployments.history('api');
    expect(history.map((h) => h.revision)).toEqual([1]);
  });

  it('restart sets the restartedAt template annotation, which rolls out new pods', async () => {
    const { ns, deployments } = setup();
    await deployments.restart('api', new Date('2026-11-24T03:04:05.678Z'));
    expect(kube.deployment(ns, 'api')?.spec.template.metadata?.annotations).toEqual({
      'kubectl.kubernetes.io/restartedAt': '2026-11-24T03:04:05Z',
    });
    expect(images(ns)).toEqual(['api=ghcr.io/acme/app:v1.2.3', 'proxy=envoy:1.30']);
    await deployments.waitForRollout('api', { timeoutMs: 5_000 });
    expect((await deployments.history('api')).map((h) => h.revision)).toEqual([2, 1]);
  });

  it('a 403 says which verb and resource RBAC must allow', async () => {
    const { ns, deployments } = setup();
    kube.setAccess({ verb: 'patch', resource: 'deployments' }, false);
    try {
      const err = await failure(deployments.setImages('api', [{ container: 'api', image: 'ghcr.io/acme/app:v1.2.2' }]));
      expect(err).toBeInstanceOf(UserFacingError);
      expect(err.code).toBe('upstream_auth');
      expect(err.message).toContain(`while patching deployment ${ns}/api`);
      expect(err.message).toContain(
        `RBAC must allow verb "patch" on resource "deployments" (API group "apps") in namespace "${ns}"`,
      );
    } finally {
      kube.setAccess({ verb: 'patch', resource: 'deployments' }, true);
    }
  });

  it('a 401 says the credentials were rejected', async () => {
    const { ns } = setup();
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'fake', server: kube.url, skipTLSVerify: true }],
      users: [{ name: 'stale', token: 'expired-token' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'stale' }],
      currentContext: 'fake',
    });
    const err = await failure(createK8sDeployments({ kubeConfig, namespace: ns }).get('api'));
    expect(err.code).toBe('upstream_auth');
    expect(err.message).toContain('rejected our credentials (401 Unauthorized)');
    expect(err.message).not.toContain('expired-token');
  });

  it('rides out an API server that answers 5xx and 429 for a while, with backoff', async () => {
    const { deployments } = setup();
    kube.failNextRequests(4, 503);
    kube.failNextRequests(2, 429);
    kube.requests.length = 0;
    await expect(deployments.get('api')).resolves.toMatchObject({ name: 'api' });
    expect(kube.requests).toHaveLength(7);
  });

  it('an HTTP 500 outlasting the retry budget says what the server answered, not that it is unreachable', async () => {
    const { deployments } = setup();
    kube.failNextRequests(1_000, 500);
    const kubeConfig = loadKubeConfig({ path: kube.kubeconfigPath });
    const fast = createK8sDeployments({ kubeConfig, namespace: 'x', retry: { budgetMs: 200, firstDelayMs: 20 } });
    const err = await failure(fast.get('api'));
    kube.clearFaults();
    expect(err.transient).toBe(true);
    expect(err.code).toBe('upstream_unavailable');
    expect(err.message).toContain(`the Kubernetes API at ${kube.url} answered HTTP 500: injected fault: HTTP 500`);
    expect(err.message).toMatch(/still failing after \d+ tries over \d+\.\ds/);
    expect(err.message).not.toContain('cannot reach');
    await expect(deployments.get('api')).resolves.toMatchObject({ name: 'api' });
  });

  it('an unreachable API server is transient and names the server', async () => {
    const port = await closedPort();
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'down', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'down', cluster: 'down', user: 'u' }],
      currentContext: 'down',
    });
    const retry = { budgetMs: 300, firstDelayMs: 20 };
    const deployments = createK8sDeployments({ kubeConfig, namespace: 'prod', retry });
    // One at a time: a second call started early could fail before anyone awaits it (unhandled).
    for (const attempt of [
      () => deployments.get('api'),
      () => deployments.waitForRollout('api', { timeoutMs: 5_000 }),
    ]) {
      const err = await failure(attempt());
      expect(err).toBeInstanceOf(AppError);
      expect(err.code).toBe('upstream_unavailable');
      expect(err.transient).toBe(true);
      expect(err.message).toContain(
        `cannot reach the Kubernetes API at http://127.0.0.1:${port} (is the cluster/context right?)`,
      );
    }
  });
});

/** A port nothing listens on: bind one, then free it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
