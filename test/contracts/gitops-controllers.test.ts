/**
 * The GitOpsControllers contract (flows/ports/gitops.ts), run against the client-node adapter on
 * the fake API server (its simulated Argo CD / Flux) and the in-memory fake.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createK8sGitOps } from '../../src/adapters/k8s/gitops-controllers.ts';
import { loadKubeConfig } from '../../src/adapters/k8s/kube-config.ts';
import type { GitOpsControllers } from '../../src/flows/ports.ts';
import { startFakeKube } from '../../src/sim/kube/server.ts';
import { createFakeGitOpsControllers } from '../fakes/fake-gitops-controllers.ts';
import { until } from '../support/wait.ts';

const REV = 'a'.repeat(40);
const HEAD = 'b'.repeat(40);

interface World {
  controllers: GitOpsControllers;
  close(): Promise<void>;
}

/** Each world holds: Deployment prod/api tracked by Application argocd/shop (auto-sync, self-heal, prune off), Kustomization flux-system/shop. */
const implementations: [string, () => Promise<World>][] = [
  [
    'client-node on the fake API server',
    async () => {
      const kube = await startFakeKube();
      kube.addDeployment({
        namespace: 'prod',
        name: 'api',
        containers: [{ name: 'api', image: 'app:v1' }],
        annotations: { 'argocd.argoproj.io/tracking-id': 'shop:apps/Deployment:prod/api' },
        labels: { tier: 'web' },
      });
      kube.addArgoApplication({
        name: 'shop',
        destinationNamespace: 'prod',
        deployments: [],
        automated: { selfHeal: true, prune: false },
        commits: [
          { revision: REV, images: {} },
          { revision: HEAD, images: {} },
        ],
        history: [{ revision: HEAD }],
      });
      kube.addFluxObject({ kind: 'Kustomization', name: 'shop', targetNamespace: 'prod', deployments: [], images: {} });
      const controllers = createK8sGitOps({
        kubeConfig: loadKubeConfig({ path: kube.kubeconfigPath, context: 'fake' }),
        namespace: 'prod',
      });
      return { controllers, close: () => kube.close() };
    },
  ],
  [
    'in-memory fake',
    async () => {
      const fake = createFakeGitOpsControllers();
      fake.deployments.set('api', {
        name: 'api',
        namespace: 'prod',
        labels: { app: 'api', tier: 'web' },
        annotations: { 'argocd.argoproj.io/tracking-id': 'shop:apps/Deployment:prod/api' },
        managers: ['kubectl-client-side-apply'],
      });
      fake.applications.set('argocd/shop', {
        namespace: 'argocd',
        name: 'shop',
        automated: { selfHeal: true, prune: false },
        syncRevision: HEAD,
        syncStatus: 'Synced',
        targetRevision: 'main',
        history: [{ id: 0, revision: HEAD }],
        operationInProgress: false,
      });
      fake.flux.set('flux-kustomization/flux-system/shop', {
        kind: 'flux-kustomization',
        namespace: 'flux-system',
        name: 'shop',
        suspend: null,
      });
      return { controllers: fake, close: async () => undefined };
    },
  ],
];

describe.each(implementations)('GitOpsControllers: %s', (_name, create) => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });
  const open = async () => (world = await create()).controllers;

  it('reads a Deployment’s labels and annotations', async () => {
    const c = await open();
    const meta = await c.deploymentMetadata('api');
    expect(meta.annotations['argocd.argoproj.io/tracking-id']).toBe('shop:apps/Deployment:prod/api');
    expect(meta.labels.tier).toBe('web');
  });

  it('answers null for an Application or Flux object that does not exist', async () => {
    const c = await open();
    expect(await c.getApplication('argocd', 'nope')).toBeNull();
    expect(await c.getFlux('flux-helmrelease', 'flux-system', 'nope')).toBeNull();
  });

  it('turns auto-sync off and restores exactly the recorded policy, dropping keys it did not have', async () => {
    const c = await open();
    const before = (await c.getApplication('argocd', 'shop'))!;
    expect(before).toMatchObject({ automated: { selfHeal: true, prune: false }, syncRevision: HEAD });
    await c.setArgoAutomated('argocd', 'shop', null, before.automated);
    expect((await c.getApplication('argocd', 'shop'))!.automated).toBeNull();
    await c.setArgoAutomated('argocd', 'shop', { selfHeal: true, allowEmpty: true }, null);
    await c.setArgoAutomated('argocd', 'shop', { selfHeal: true, prune: false }, { selfHeal: true, allowEmpty: true });
    expect((await c.getApplication('argocd', 'shop'))!.automated).toEqual({ selfHeal: true, prune: false });
  });

  it('syncs a revision: operationState and history record it', async () => {
    const c = await open();
    await c.setArgoAutomated('argocd', 'shop', null, { selfHeal: true, prune: false });
    await c.syncApplication('argocd', 'shop', REV, 'rollback-commander');
    const app = await until('the sync to finish', async () => {
      const a = await c.getApplication('argocd', 'shop');
      return a && !a.operationInProgress && a.operationState?.phase === 'Succeeded' ? a : null;
    });
    expect(app.operationState?.revision).toBe(REV);
    expect(app.history.at(-1)?.revision).toBe(REV);
  });

  it('suspends and resumes a Kustomization as it was, with a reconcile requested', async () => {
    const c = await open();
    expect((await c.getFlux('flux-kustomization', 'flux-system', 'shop'))!.suspend).toBeNull();
    await c.setFluxSuspend('flux-kustomization', 'flux-system', 'shop', true);
    expect((await c.getFlux('flux-kustomization', 'flux-system', 'shop'))!.suspend).toBe(true);
    await c.setFluxSuspend('flux-kustomization', 'flux-system', 'shop', null, '2026-12-01T03:00:00Z');
    const after = await until('the reconcile to be handled', async () => {
      const f = await c.getFlux('flux-kustomization', 'flux-system', 'shop');
      return f?.lastHandledReconcileAt === '2026-12-01T03:00:00Z' ? f : null;
    });
    expect(after.suspend).toBeNull();
  });
});
