/**
 * The GitOps guard as the composition root wires it (createContainer: executors and doctor), on
 * the e2e harness's cluster with its Deployments tracked by an Argo CD Application.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config.ts';
import { type Container, createContainer } from '../../src/app/container.ts';
import { createLogger } from '../../src/app/logger.ts';
import type { RunExecutor } from '../../src/flows/executor.ts';
import { APPS, createHarness, type Harness, NS } from '../support/e2e-harness.ts';
import { failureOf, testContext } from '../support/step-context.ts';

let h: Harness;
let container: Container;

beforeAll(async () => {
  h = await createHarness();
  for (const app of APPS) {
    // What Argo CD 3 writes on what it applies (a metadata change: no new rollout).
    const res = await fetch(`${h.kube.url}/apis/apps/v1/namespaces/${NS}/deployments/${app.name}`, {
      method: 'PATCH',
      headers: { authorization: 'Bearer fake-kube-token', 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({
        metadata: { annotations: { 'argocd.argoproj.io/tracking-id': `shop-prod:apps/Deployment:${NS}/${app.name}` } },
      }),
    });
    expect(res.status).toBe(200);
  }
  h.kube.addArgoApplication({
    name: 'shop-prod',
    destinationNamespace: NS,
    deployments: APPS.map((a) => a.name),
    automated: { selfHeal: true },
    commits: [
      {
        revision: 'b'.repeat(40),
        images: Object.fromEntries(APPS.map((a) => [a.name, { [a.name]: `${a.image}:v1.2.3` }])),
      },
    ],
  });
  container = await createContainer(loadConfig(h.env), { log: createLogger('silent'), env: h.env });
  h.kube.requests.length = 0; // the annotations above are not the bot's patches
});

afterAll(async () => {
  await container?.close();
  await h?.close();
});

it('revert_images from the container refuses while the Application auto-syncs, and capture_context names it', async () => {
  const config = container.config.runbook;
  const revert = container.executors.revert_images as RunExecutor;
  const err = await failureOf(
    revert.run(testContext('revert_images', config, { incident: { targetVersion: 'v1.2.2' } })),
  );
  expect(err.message).toContain(
    'revert_images will not start while a GitOps controller is active: Argo CD Application argocd/shop-prod, auto-sync on, self-heal on, prune off',
  );
  expect(h.patchesOf('api')).toBe(0);

  const capture = container.executors.capture_context as RunExecutor;
  const out = await capture.run(testContext('capture_context', config));
  expect(out.summary).toContain(
    'api: managed by Argo CD Application argocd/shop-prod, auto-sync on, self-heal on, prune off',
  );
});

it('doctor reports what manages each Deployment', async () => {
  const doctor = await h.cli('doctor', '--only', 'kube');
  expect(doctor.out).toContain(
    'gitops: api: managed by Argo CD Application argocd/shop-prod, auto-sync on, self-heal on, prune off',
  );
  expect(doctor.out).toContain('the guard may get and patch them');
});
