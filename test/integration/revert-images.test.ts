/**
 * revert_images against the fake cluster over real HTTP: success, idempotent re-run after a
 * crash, a Deployment already at the target, and each failure an SRE must be able to read.
 */
import { AppsV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createK8sDeployments } from '../../src/adapters/k8s/k8s-deployments.ts';
import { loadKubeConfig } from '../../src/adapters/k8s/kube-config.ts';
import { OutsideChangeError } from '../../src/domain/errors.ts';
import { createRevertImages } from '../../src/flows/steps/revert_images/index.ts';
import { type FakeKube, startFakeKube } from '../../src/sim/kube/server.ts';
import { testConfig } from '../support/runbook-config.ts';
import { failureOf, type RecordingContext, testContext } from '../support/step-context.ts';
import { until } from '../support/wait.ts';

const NS = 'prod';
const REPOS = {
  api: 'ghcr.io/valuecanvas/app',
  web: 'ghcr.io/valuecanvas/web',
  worker: 'ghcr.io/valuecanvas/worker',
} as const;
let kube: FakeKube;

beforeEach(async () => {
  kube = await startFakeKube({ rollout: { durationMs: 100 } });
  for (const [name, repo] of Object.entries(REPOS)) {
    kube.addDeployment({
      namespace: NS,
      name,
      containers: [
        { name, image: `${repo}:v1.2.3` },
        { name: 'sidecar', image: 'envoy:1.30' },
      ],
      replicas: 3,
    });
  }
  kube.requests.length = 0;
});

afterEach(() => kube.close());

function setup(rolloutTimeout = '20s') {
  const config = testConfig(`rollout: { timeout: ${rolloutTimeout} }`.replace(/^/, ''));
  const deployments = createK8sDeployments({
    kubeConfig: loadKubeConfig({ path: kube.kubeconfigPath, context: 'fake' }),
    namespace: NS,
  });
  return { config, executor: createRevertImages({ deployments }) };
}

const patches = (name: string) =>
  kube.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/deployments/${name}`)).length;
/** A second client, as a person's kubectl or a GitOps controller: its own connection, its own field manager. */
async function outsidePatch(
  name: string,
  image: string,
  who: { fieldManager: string } | { userAgent: string },
): Promise<void> {
  const body = { spec: { template: { spec: { containers: [{ name, image }] } } } };
  if ('fieldManager' in who) {
    const kc = new KubeConfig();
    kc.loadFromFile(kube.kubeconfigPath);
    const apps = kc.makeApiClient(AppsV1Api);
    const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
    await apps.patchNamespacedDeployment({ name, namespace: NS, body, fieldManager: who.fieldManager }, strategic);
    return;
  }
  // No fieldManager: the API server names the writer after its User-Agent, as for most controllers.
  const res = await fetch(`${kube.url}/apis/apps/v1/namespaces/${NS}/deployments/${name}`, {
    method: 'PATCH',
    headers: {
      authorization: 'Bearer fake-kube-token',
      'content-type': 'application/strategic-merge-patch+json',
      'user-agent': who.userAgent,
    },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

const rollingOut = (ctx: RecordingContext, name: string) =>
  until(`the bot waiting for ${name}'s rollout`, () =>
    ctx.progressLines.some((l) => l.startsWith(`Waiting for deployment "${name}" rollout`)),
  );

const image = (name: string, container = name) =>
  kube.deployment(NS, name)!.spec.template.spec.containers.find((c) => c.name === container)!.image;

describe('revert_images', () => {
  it('patches every Deployment to the target, leaves other containers alone and waits for all rollouts', async () => {
    const { config, executor } = setup();
    const ctx = testContext('revert_images', config, { incident: { targetVersion: 'v1.2.2' } });
    const out = await executor.run(ctx);
    expect(out.summary).toBe(
      'api, web, worker now run v1.2.2; all rollouts complete; ' +
        'by mutable tag (no digest in the ReplicaSet history): api, web, worker',
    );
    expect(ctx.progressLines).toContain(
      'api: no digest for v1.2.2 in its ReplicaSet history, so the revert uses the tag ' +
        'ghcr.io/valuecanvas/app:v1.2.2, which is mutable (whatever the registry holds under it now is what will run)',
    );
    expect(out.output?.digests).toEqual({ api: null, web: null, worker: null });
    expect(Object.keys(REPOS).map((n) => image(n))).toEqual([
      'ghcr.io/valuecanvas/app:v1.2.2',
      'ghcr.io/valuecanvas/web:v1.2.2',
      'ghcr.io/valuecanvas/worker:v1.2.2',
    ]);
    expect(image('api', 'sidecar')).toBe('envoy:1.30');
    expect(out.output?.before).toEqual({
      api: 'ghcr.io/valuecanvas/app:v1.2.3',
      web: 'ghcr.io/valuecanvas/web:v1.2.3',
      worker: 'ghcr.io/valuecanvas/worker:v1.2.3',
    });
    expect(ctx.checkpoints[0]).toEqual({ before: out.output?.before });
    expect(ctx.progressLines).toContain('api: set image api=ghcr.io/valuecanvas/app:v1.2.2');
    expect(ctx.progressLines).toContain('deployment "web" successfully rolled out');
  });

  it('re-run after a crash: keeps the original images and patches nothing twice', async () => {
    const { config, executor } = setup();
    const first = testContext('revert_images', config, { incident: { targetVersion: 'v1.2.2' } });
    await executor.run(first);
    const rerun = testContext('revert_images', config, {
      incident: { targetVersion: 'v1.2.2' },
      previous: first.previous,
    });
    const out = await executor.run(rerun);
    for (const name of Object.keys(REPOS)) expect(patches(name)).toBe(1);
    expect(out.output?.before).toEqual(first.previous.before);
  });

  it('leaves a Deployment that already runs the target alone', async () => {
    const { config, executor } = setup();
    kube.addDeployment({ namespace: 'other', name: 'x', containers: [{ name: 'x', image: 'x:1' }] });
    await executor.run(testContext('revert_images', config, { incident: { targetVersion: 'v1.2.2' } }));
    kube.requests.length = 0;
    const out = await executor.run(testContext('revert_images', config, { incident: { targetVersion: 'v1.2.2' } }));
    expect(kube.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
    expect(out.summary).toContain('(api, web, worker already did)');
  });

  it('fails with the reason when a rollout exceeds its progress deadline', async () => {
    const { config, executor } = setup();
    kube.setRolloutBehavior(NS, 'web', { mode: 'deadline', deadlineMs: 200 });
    const err = await failureOf(
      executor.run(testContext('revert_images', config, { incident: { targetVersion: 'v1.2.2' } })),
    );
    expect(err.message).toContain('web: ');
    expect(err.message).toContain('exceeded its progress deadline');
    expect(err.message).not.toContain('api: ');
    expect(err.code).toBe('rollout_failed');
    expect(err.transient).toBe(false);
  });

  it('fails after the configured timeout when pods never become available', async () => {
    const { config, executor } = setup('1s');
    kube.setRolloutBehavior(NS, 'worker', { mode: 'stuck' });
    const err = await failureOf(
      executor.run(testContext('revert_images', config, { incident: { targetVersion: 'v1.2.2' } })),
    );
    expect(err.code).toBe('timeout');
    expect(err.message).toMatch(/worker: .*1s|worker: .*timed out|worker: .*did not finish/);
  });

  it('refuses a paused Deployment before patching anything', async () => {
    const { config, executor } = setup();
    kube.deleteDeployment(NS, 'worker');
    kube.addDeployment({
      namespace: NS,
      name: 'worker',
      containers: [{ name: 'worker', image: `${REPOS.worker}:v1.2.3` }],
      paused: true,
    });
    kube.requests.length = 0;
    await expect(
      executor.run(testContext('revert_images', config, { incident: { targetVersion: 'v1.2.2' } })),
    ).rejects.toThrow(/deployment prod\/worker is paused.*kubectl rollout resume deploy\/worker -n prod/);
    expect(kube.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });

  it('names the containers that exist when the configured one does not, and a missing Deployment', async () => {
    const { config, executor } = setup();
    const wrong = { ...config, deployments: [{ name: 'api', container: 'app', image: REPOS.api }] };
    await expect(
      executor.run(testContext('revert_images', wrong, { incident: { targetVersion: 'v1.2.2' } })),
    ).rejects.toThrow(/has no container "app" \(it has api, sidecar\)/);
    const missing = {
      ...config,
      deployments: [{ name: 'payments', container: 'payments', image: 'ghcr.io/x/payments' }],
    };
    await expect(
      executor.run(testContext('revert_images', missing, { incident: { targetVersion: 'v1.2.2' } })),
    ).rejects.toThrow(/prod\/payments/);
  });

  it('fails at once when a person sets another image mid-rollout, naming the image and who set it', async () => {
    const { config, executor } = setup();
    kube.setRolloutBehavior(NS, 'api', { mode: 'stuck' });
    const ctx = testContext('revert_images', config, { incident: { targetVersion: 'v1.2.2' } });
    const run = failureOf(executor.run(ctx));
    await rollingOut(ctx, 'api');
    // The person's image would roll out fine: before, the bot followed it and reported its own success.
    kube.setRolloutBehavior(NS, 'api', { mode: 'normal', durationMs: 50 });
    await outsidePatch('api', 'ghcr.io/valuecanvas/app:v9.9.9', { fieldManager: 'kubectl-set' });
    const err = await run;
    expect(err).toBeInstanceOf(OutsideChangeError);
    expect(err.transient).toBe(false);
    expect(err.message).toContain('deployment prod/api was changed by someone else during the revert');
    expect(err.message).toContain(
      'container "api" runs ghcr.io/valuecanvas/app:v9.9.9, not ghcr.io/valuecanvas/app:v1.2.2 as the bot set it',
    );
    expect(err.message).toMatch(/changed by kubectl-set \(Update at [0-9T:-]+Z\), per the Deployment's managedFields/);
  });

  it('fails at once, not at the timeout, when the outside image never rolls out; names it by User-Agent', async () => {
    const { config, executor } = setup('20s');
    kube.setRolloutBehavior(NS, 'web', { mode: 'stuck' });
    kube.setRolloutBehavior(NS, 'worker', { mode: 'stuck' });
    const ctx = testContext('revert_images', config, { incident: { targetVersion: 'v1.2.2' } });
    const started = performance.now();
    const run = failureOf(executor.run(ctx));
    await rollingOut(ctx, 'web');
    const argo = { userAgent: 'argocd-controller/v2.13.1 (linux/amd64)' };
    await outsidePatch('web', 'ghcr.io/valuecanvas/web:v9.9.9-broken', argo);
    const err = await run;
    expect(err.code).toBe('conflict');
    expect(err.message).toContain('container "web" runs ghcr.io/valuecanvas/web:v9.9.9-broken');
    expect(err.message).toContain('changed by argocd-controller');
    // worker never finishes either: the outside change stopped that wait too instead of running into the timeout.
    expect(err.message).toMatch(/stopped waiting for (api, )?worker too/);
    expect(performance.now() - started).toBeLessThan(15_000);
  });

  it('pins the target to the digest its ReplicaSet history recorded, and says so', async () => {
    const digest = `sha256:${'ab12'.repeat(16)}`;
    kube.deleteDeployment(NS, 'api');
    const pinned = { name: 'api', image: `${REPOS.api}:v1.2.2@${digest}` };
    kube.addDeployment({ namespace: NS, name: 'api', containers: [pinned] });
    const { config, executor } = setup();
    const kubeConfig = loadKubeConfig({ path: kube.kubeconfigPath, context: 'fake' });
    const deployments = createK8sDeployments({ kubeConfig, namespace: NS });
    await deployments.setImages('api', [{ container: 'api', image: `${REPOS.api}:v1.2.3` }]);
    await deployments.waitForRollout('api', { timeoutMs: 10_000 });
    const ctx = testContext('revert_images', config, { incident: { targetVersion: 'v1.2.2' } });
    const out = await executor.run(ctx);
    expect(image('api')).toBe(`${REPOS.api}:v1.2.2@${digest}`);
    expect(out.output?.after).toMatchObject({ api: `${REPOS.api}:v1.2.2@${digest}`, web: `${REPOS.web}:v1.2.2` });
    expect(out.output?.digests).toEqual({ api: digest, web: null, worker: null });
    expect(ctx.progressLines.find((l) => l.startsWith('api: v1.2.2 pinned to digest'))).toMatch(
      new RegExp(`^api: v1.2.2 pinned to digest ${digest} \\(as ReplicaSet api-\\w+ \\(revision 1\\) ran it\\)$`),
    );
    expect(out.summary).toContain(
      'pinned by digest: api; by mutable tag (no digest in the ReplicaSet history): web, worker',
    );
  });
});
