/**
 * Issue 11 over real HTTP against the fake API server and its simulated Argo CD / Flux: the tug
 * of war without the guard (the step fails naming Argo CD, no back and forth), the guard pausing
 * and handing back exactly, crash safety, the "Git still points at the bad release" warning,
 * Argo CD's sync_revision rollback, Flux suspend/resume with a requested reconcile, Helm alone.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createK8sGitOps } from '../../src/adapters/k8s/gitops-controllers.ts';
import { createK8sDeployments } from '../../src/adapters/k8s/k8s-deployments.ts';
import { loadKubeConfig } from '../../src/adapters/k8s/kube-config.ts';
import type { Container } from '../../src/app/container.ts';
import { doctorGitOps } from '../../src/app/doctor-gitops.ts';
import { OutsideChangeError } from '../../src/domain/errors.ts';
import { describeInventory, takeInventory } from '../../src/flows/gitops/inventory.ts';
import { type GitOpsPauseRecord, pauseGitOps } from '../../src/flows/gitops/pause-gitops.ts';
import type { GitOpsControllers } from '../../src/flows/ports.ts';
import { createCaptureContext } from '../../src/flows/steps/capture_context/index.ts';
import { createResumeDeploys } from '../../src/flows/steps/resume_deploys/index.ts';
import { createRevertImages } from '../../src/flows/steps/revert_images/index.ts';
import { type FakeKube, startFakeKube } from '../../src/sim/kube/server.ts';
import { deployRbacGrants, deployRbacRules } from '../support/deploy-rbac.ts';
import { testConfig } from '../support/runbook-config.ts';
import { failureOf, testContext, testStep } from '../support/step-context.ts';
import { until } from '../support/wait.ts';

const NS = 'prod';
const REPOS = {
  api: 'ghcr.io/valuecanvas/app',
  web: 'ghcr.io/valuecanvas/web',
  worker: 'ghcr.io/valuecanvas/worker',
} as const;
const images = (tag: string) =>
  Object.fromEntries(Object.entries(REPOS).map(([n, repo]) => [n, { [n]: `${repo}:${tag}` }]));
const BAD = 'b'.repeat(40);
const GOOD = 'a'.repeat(40);
const REVERT = 'c'.repeat(40);
let kube: FakeKube;
let gitops: GitOpsControllers;

beforeEach(async () => {
  kube = await startFakeKube({ rollout: { durationMs: 100 } });
  gitops = createK8sGitOps({
    kubeConfig: loadKubeConfig({ path: kube.kubeconfigPath, context: 'fake' }),
    namespace: NS,
  });
});
afterEach(() => kube.close());

function addApps(
  metadata: (name: string) => { labels?: Record<string, string>; annotations?: Record<string, string> },
) {
  for (const [name, repo] of Object.entries(REPOS)) {
    kube.addDeployment({
      namespace: NS,
      name,
      containers: [{ name, image: `${repo}:v1.2.3` }],
      replicas: 2,
      manager: 'argocd-controller',
      ...metadata(name),
    });
  }
}

const tracked = (name: string) => ({
  annotations: { 'argocd.argoproj.io/tracking-id': `shop-prod:apps/Deployment:${NS}/${name}` },
});

function addArgo(automated: { prune?: boolean; selfHeal?: boolean } | null = { prune: false, selfHeal: true }) {
  addApps(tracked);
  kube.addArgoApplication({
    name: 'shop-prod',
    destinationNamespace: NS,
    deployments: Object.keys(REPOS),
    automated,
    commits: [
      { revision: GOOD, images: images('v1.2.2') },
      { revision: BAD, images: images('v1.2.3') },
    ],
    // Tracks the branch; the releases were deployed from their tags (as history's source records).
    history: [
      { revision: GOOD, targetRevision: 'v1.2.2' },
      { revision: BAD, targetRevision: 'v1.2.3' },
    ],
    targetRevision: 'main',
  });
}

function setup(overrides = '') {
  const config = testConfig(overrides);
  const deployments = createK8sDeployments({
    kubeConfig: loadKubeConfig({ path: kube.kubeconfigPath, context: 'fake' }),
    namespace: NS,
  });
  return { config, deployments, revert: createRevertImages({ deployments, gitops }) };
}

async function pause(config: ReturnType<typeof testConfig>, previous?: GitOpsPauseRecord) {
  const checkpoints: GitOpsPauseRecord[] = [];
  const result = await pauseGitOps({
    controllers: gitops,
    config: config.gitops,
    deployments: config.deployments.map((d) => d.name),
    previous,
    checkpoint: async (r) => void checkpoints.push(r),
    progress: async () => undefined,
  });
  return { ...result, checkpoints };
}

/** The resume_deploys context, with pause_deploys' output as the step runner keeps it. */
function resumeContext(config: ReturnType<typeof testConfig>, record: GitOpsPauseRecord) {
  return testContext('resume_deploys', config, {
    incident: { targetVersion: 'v1.2.2' },
    steps: [testStep('pause_deploys', { state: 'succeeded', output: { gitops: record } })],
  });
}

const image = (name: string) => kube.deployment(NS, name)!.spec.template.spec.containers[0]!.image;
const automated = () =>
  (kube.application('argocd', 'shop-prod')!.spec as { syncPolicy: { automated?: unknown } }).syncPolicy.automated;
const appPatches = () =>
  kube.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/applications/shop-prod'));
const botImagePatches = (name: string) =>
  kube.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/deployments/${name}`)).length;

describe('Argo CD', () => {
  it('without the guard, self-heal fights the revert and the step fails naming the Application — once, no back and forth', async () => {
    addArgo();
    const { config, revert } = setup('gitops: { guard: false, reason: "platform team pauses Argo CD by hand" }');
    const ctx = testContext('revert_images', config, { incident: { targetVersion: 'v1.2.2' } });
    const err = await failureOf(revert.run(ctx));
    expect(err).toBeInstanceOf(OutsideChangeError);
    expect(err.message).toMatch(
      /^Argo CD Application argocd\/shop-prod \(manages api, web, worker\) changed a Deployment during the revert: its reconciler put Git's image back/,
    );
    expect(err.message).toContain('changed by argocd-controller');
    // Argo CD won: the bad release runs again, and the bot patched each Deployment exactly once.
    await until('Argo CD to put v1.2.3 back everywhere', () =>
      Object.keys(REPOS).every((n) => image(n).endsWith(':v1.2.3')),
    );
    for (const name of Object.keys(REPOS)) expect(botImagePatches(name)).toBe(1);
  });

  it('with the guard, revert_images refuses while auto-sync is on, and says how to pause it', async () => {
    addArgo();
    const { config, revert } = setup();
    const err = await failureOf(
      revert.run(testContext('revert_images', config, { incident: { targetVersion: 'v1.2.2' } })),
    );
    expect(err.code).toBe('prerequisite_unmet');
    expect(err.message).toContain(
      'Argo CD Application argocd/shop-prod, auto-sync on, self-heal on, prune off (manages api, web, worker)',
    );
    expect(err.message).toContain('`argocd app set shop-prod --sync-policy none`');
    expect(err.message).toContain('gitops: { guard: false, reason: "…" }');
    expect(botImagePatches('api')).toBe(0);
  });

  it('pauses auto-sync (recorded first), the revert holds, and resume restores exactly the recorded policy (prune off stays off)', async () => {
    addArgo({ prune: false, selfHeal: true });
    const { config, revert } = setup();
    const paused = await pause(config);
    expect(paused.checkpoints[0]!.entries[0]).toMatchObject({
      kind: 'argocd',
      prior: { prune: false, selfHeal: true },
      pausedByUs: true,
      done: false,
      revisionAtPause: BAD,
    });
    expect(paused.summary).toBe(
      'Argo CD Application argocd/shop-prod: auto-sync turned off (was: auto-sync on, self-heal off, prune off)'.replace(
        'self-heal off',
        'self-heal on',
      ),
    );
    expect(automated()).toBeUndefined();

    const out = await revert.run(testContext('revert_images', config, { incident: { targetVersion: 'v1.2.2' } }));
    expect(out.outcome).toBe('succeeded');
    // The simulated Argo CD saw the Deployments change and, auto-sync off, left them alone.
    await until('Argo CD to look at the reverted Deployments', () =>
      kube.gitopsDecisions('argocd/shop-prod').includes('auto-sync off'),
    );
    expect(Object.keys(REPOS).map(image)).toEqual(Object.values(REPOS).map((r) => `${r}:v1.2.2`));

    // A revert commit lands, so Git no longer points at the bad release: resume hands back.
    kube.pushCommit('argocd', 'shop-prod', { revision: REVERT, images: images('v1.2.2') });
    const resume = createResumeDeploys({ sourceControl: null, gitops });
    const ctx = resumeContext(config, paused.record);
    const plan = await resume.plan(ctx);
    expect(plan.summary).toContain(
      'Argo CD Application argocd/shop-prod: auto-sync on, self-heal on, prune off. When it resumes it deploys main at ccccccc (Git moved since the pause from bbbbbbb)',
    );
    expect(plan.summary).not.toContain('Git still points at the bad release');
    const applied = await resume.apply({ ...ctx, plan: plan.plan });
    expect(applied.summary).toBe(
      'Handed back Argo CD Application argocd/shop-prod back to auto-sync on, self-heal on, prune off',
    );
    expect(automated()).toEqual({ prune: false, selfHeal: true });
    // A re-run (the worker died before the step was stored) looks first and patches nothing again.
    const patches = appPatches().length;
    const again = await resume.apply({ ...resumeContext(config, paused.record), plan: plan.plan });
    expect(again.outcome).toBe('succeeded');
    expect(appPatches()).toHaveLength(patches);
  });

  it('a worker that died between the checkpoint and the patch re-runs cleanly: the recorded policy is kept, auto-sync turned off once', async () => {
    addArgo({ prune: true, selfHeal: true });
    const config = testConfig();
    const checkpoints: GitOpsPauseRecord[] = [];
    const crash = pauseGitOps({
      controllers: gitops,
      config: config.gitops,
      deployments: ['api', 'web', 'worker'],
      previous: undefined,
      checkpoint: async (r) => void checkpoints.push(r),
      // The progress line comes right before the patch: dying here is dying between checkpoint and patch.
      progress: async () => {
        throw new Error('worker killed');
      },
    });
    await expect(crash).rejects.toThrow('worker killed');
    expect(appPatches()).toHaveLength(0);
    expect(automated()).toEqual({ prune: true, selfHeal: true });

    const rerun = await pause(config, checkpoints.at(-1));
    expect(rerun.record.entries).toEqual([
      expect.objectContaining({ prior: { prune: true, selfHeal: true }, pausedByUs: true, done: true }),
    ]);
    expect(appPatches()).toHaveLength(1);
    expect(automated()).toBeUndefined();
    // A third run (the step retried again) changes nothing.
    await pause(config, rerun.record);
    expect(appPatches()).toHaveLength(1);
  });

  it('resume warns in bold when Git still points at the bad release, and keeps auto-sync off until a revert commit lands', async () => {
    addArgo();
    const config = testConfig();
    const paused = await pause(config);
    const resume = createResumeDeploys({ sourceControl: null, gitops });
    const ctx = resumeContext(config, paused.record);
    const plan = await resume.plan(ctx);
    expect(plan.summary).toContain(
      '*Git still points at the bad release:* main is still at bbbbbbb, the revision it ran when deploys were paused, so resuming re-deploys v1.2.3',
    );
    const err = await failureOf(resume.apply({ ...ctx, plan: plan.plan }));
    expect(err.code).toBe('conflict');
    expect(err.message).toMatch(
      /^Kept Argo CD Application argocd\/shop-prod paused: Git still points at the bad release, so resuming would re-deploy v1.2.3\. Land a revert commit/,
    );
    expect(automated()).toBeUndefined();

    kube.pushCommit('argocd', 'shop-prod', { revision: REVERT, images: images('v1.2.2') });
    const retried = await resume.apply({ ...ctx, plan: plan.plan });
    expect(retried.outcome).toBe('succeeded');
    expect(automated()).toEqual({ prune: false, selfHeal: true });
  });

  it('sync_revision drives the Application to the revision its history recorded for the target', async () => {
    addArgo();
    const { config, revert } = setup('gitops: { argocd: { rollback: sync_revision } }');
    await pause(config);
    const out = await revert.run(testContext('revert_images', config, { incident: { targetVersion: 'v1.2.2' } }));
    expect(out.summary).toBe(
      `api, web, worker now run v1.2.2; all rollouts complete; Argo CD Application argocd/shop-prod synced to ${GOOD.slice(0, 7)} (v1.2.2); ` +
        "it reads OutOfSync now — expected: Argo CD still compares against Git's head, and its auto-sync stays off until resume_deploys",
    );
    expect(out.output).toMatchObject({
      argocdRevisions: { 'Argo CD Application argocd/shop-prod': GOOD },
      patched: [],
    });
    const app = kube.application('argocd', 'shop-prod')!;
    const status = app.status as {
      operationState: {
        phase: string;
        syncResult: { revision: string };
        operation: { initiatedBy: { username: string } };
      };
      history: { revision: string }[];
      sync: { status: string; revision: string };
    };
    expect(status.operationState).toMatchObject({
      phase: 'Succeeded',
      syncResult: { revision: GOOD },
      operation: { initiatedBy: { username: 'rollback-commander' } },
    });
    expect(status.history.at(-1)!.revision).toBe(GOOD);
    expect(status.sync).toEqual({ status: 'OutOfSync', revision: BAD });
    expect(Object.keys(REPOS).map(image)).toEqual(Object.values(REPOS).map((r) => `${r}:v1.2.2`));
    // Argo CD did the rollback: the bot patched no Deployment itself.
    expect(botImagePatches('api')).toBe(0);
  });
});

describe('Flux and Helm', () => {
  it('suspends a Kustomization, and resume restores suspend as it was and requests a reconcile now', async () => {
    addApps(() => ({
      labels: { 'kustomize.toolkit.fluxcd.io/name': 'shop', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' },
    }));
    kube.addFluxObject({
      kind: 'Kustomization',
      name: 'shop',
      targetNamespace: NS,
      deployments: Object.keys(REPOS),
      images: images('v1.2.3'),
      revision: 'main@sha1:bbbbbbb',
    });
    const { config, revert } = setup();
    const paused = await pause(config);
    expect(paused.summary).toBe('Flux Kustomization flux-system/shop: suspended');
    expect((kube.kustomization('flux-system', 'shop')!.spec as { suspend?: boolean }).suspend).toBe(true);
    await revert.run(testContext('revert_images', config, { incident: { targetVersion: 'v1.2.2' } }));
    await until('Flux to look at the reverted Deployments', () =>
      kube.gitopsDecisions('flux-system/shop').includes('suspended'),
    );
    expect(image('api')).toBe('ghcr.io/valuecanvas/app:v1.2.2');

    kube.setFluxImages('kustomizations', 'flux-system', 'shop', images('v1.2.2'), 'main@sha1:ccccccc');
    const resume = createResumeDeploys({ sourceControl: null, gitops });
    const ctx = resumeContext(config, paused.record);
    const plan = await resume.plan(ctx);
    expect(plan.summary).toContain('Flux Kustomization flux-system/shop: resume and reconcile now');
    const out = await resume.apply({ ...ctx, plan: plan.plan });
    expect(out.summary).toBe('Handed back Flux Kustomization flux-system/shop resumed, reconcile requested');
    const k = kube.kustomization('flux-system', 'shop')!;
    expect((k.spec as { suspend?: boolean }).suspend).toBeUndefined();
    const requested = k.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
    expect(requested).toMatch(/^\d{4}-\d\d-\d\dT/);
    await until(
      'Flux to handle the requested reconcile',
      () =>
        (kube.kustomization('flux-system', 'shop')!.status as { lastHandledReconcileAt?: string })
          .lastHandledReconcileAt === requested,
    );
  });

  it('suspends a HelmRelease and names it', async () => {
    addApps(() => ({
      labels: {
        'helm.toolkit.fluxcd.io/name': 'shop',
        'helm.toolkit.fluxcd.io/namespace': 'flux-system',
        'app.kubernetes.io/managed-by': 'Helm',
      },
      annotations: { 'meta.helm.sh/release-name': 'shop' },
    }));
    kube.addFluxObject({
      kind: 'HelmRelease',
      name: 'shop',
      targetNamespace: NS,
      deployments: Object.keys(REPOS),
      images: images('v1.2.3'),
      suspend: false,
    });
    const paused = await pause(testConfig());
    expect(paused.summary).toBe('Flux HelmRelease flux-system/shop: suspended');
    expect(paused.record.entries[0]).toMatchObject({ kind: 'flux-helmrelease', prior: false });
    expect((kube.helmRelease('flux-system', 'shop')!.spec as { suspend?: boolean }).suspend).toBe(true);
  });

  it('Helm without a controller: nothing is paused, and the pause and the resume plan say the next helm upgrade sets the images again', async () => {
    addApps(() => ({
      labels: { 'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/instance': 'shop' },
      annotations: { 'meta.helm.sh/release-name': 'shop', 'meta.helm.sh/release-namespace': NS },
    }));
    const config = testConfig();
    const paused = await pause(config);
    expect(paused.summary).toBe(
      "Helm release prod/shop (api, web, worker): nothing to pause in the cluster — the next `helm upgrade` sets the images from the chart's values again",
    );
    const resume = createResumeDeploys({ sourceControl: null, gitops });
    const plan = await resume.plan(resumeContext(config, paused.record));
    expect(plan.summary).toContain(
      "Helm release prod/shop (api, web, worker): nothing to restore — the next `helm upgrade` sets the images from the chart's values; make sure they no longer say v1.2.3",
    );
    expect(kube.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
  });
});

describe('detection against the cluster', () => {
  it('the ambiguous app.kubernetes.io/instance label counts as Argo CD only when that Application exists', async () => {
    kube.addDeployment({
      namespace: NS,
      name: 'api',
      containers: [{ name: 'api', image: 'app:v1' }],
      labels: { 'app.kubernetes.io/instance': 'shop-prod' },
    });
    kube.addDeployment({
      namespace: NS,
      name: 'web',
      containers: [{ name: 'web', image: 'web:v1' }],
      labels: { 'app.kubernetes.io/instance': 'docs', 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: { 'meta.helm.sh/release-name': 'docs' },
    });
    kube.addArgoApplication({
      name: 'shop-prod',
      destinationNamespace: NS,
      deployments: ['api'],
      automated: { selfHeal: true },
      commits: [{ revision: BAD, images: {} }],
    });
    const inventory = await takeInventory(gitops, ['api', 'web'], testConfig().gitops);
    expect(inventory.deployments.map((d) => d.manager)).toEqual([
      { kind: 'argocd', namespace: 'argocd', name: 'shop-prod', via: 'label' },
      { kind: 'helm', release: 'docs', namespace: NS },
    ]);
    expect(inventory.deployments[1]!.notes[0]).toContain(
      'names no Argo CD Application in argocd (Helm sets that label too)',
    );
  });

  it('managedFields corroborate, and a controller writing a Deployment nothing names is reported, not guessed', async () => {
    kube.addDeployment({
      namespace: NS,
      name: 'api',
      containers: [{ name: 'api', image: 'app:v1' }],
      manager: 'argocd-controller',
    });
    const lines = describeInventory(await takeInventory(gitops, ['api'], testConfig().gitops));
    expect(lines).toEqual([
      'api: no GitOps controller or Helm release detected (argocd-controller writes it (managedFields) but no tracking annotation or label names its owner: set gitops.tracking_label if Argo CD tracks by a custom label)',
    ]);
  });

  it('capture_context reports what manages each Deployment', async () => {
    addArgo();
    const config = testConfig();
    const capture = createCaptureContext({ backlog: { depth: async () => 7 }, backlogEnv: 'TARGET_REDIS_URL', gitops });
    const out = await capture.run(testContext('capture_context', config));
    expect(out.summary).toContain(
      'api: managed by Argo CD Application argocd/shop-prod, auto-sync on, self-heal on, prune off',
    );
    expect(out.summary).toContain('worker: managed by Argo CD Application argocd/shop-prod');
  });
});

describe('while the revert runs', () => {
  it('someone re-enables auto-sync mid-rollout: the watch fails at once naming Argo CD, and the bot does not patch back', async () => {
    addArgo();
    const { config, revert } = setup();
    await pause(config);
    kube.setRolloutBehavior(NS, 'api', { mode: 'stuck' });
    const ctx = testContext('revert_images', config, { incident: { targetVersion: 'v1.2.2' } });
    const running = revert.run(ctx);
    await until('the bot waiting for api', () =>
      ctx.progressLines.some((l) => l.startsWith('Waiting for deployment "api" rollout')),
    );
    kube.editSpec('applications', 'argocd', 'shop-prod', { syncPolicy: { automated: { selfHeal: true } } });
    const err = await failureOf(running);
    expect(err).toBeInstanceOf(OutsideChangeError);
    expect(err.message).toMatch(
      /^Argo CD Application argocd\/shop-prod \(manages api, web, worker\) changed a Deployment during the revert/,
    );
    // The reconciler puts all three images back; whichever watch sees its change first is the one named.
    expect(err.message).toMatch(/deployment prod\/(api|web|worker) was changed by someone else during the revert/);
    for (const d of ['api', 'web', 'worker']) expect(botImagePatches(d)).toBe(1);
  });

  it('guard off: the pause leaves the controllers alone and its summary carries the reason', async () => {
    addArgo();
    const paused = await pause(testConfig('gitops: { guard: false, reason: "the platform team pauses Argo CD" }'));
    expect(paused.summary).toBe(
      'GitOps guard OFF (the platform team pauses Argo CD); left Argo CD Application argocd/shop-prod as they are',
    );
    expect(automated()).toEqual({ prune: false, selfHeal: true });
    const config = testConfig('gitops: { guard: false, reason: "the platform team pauses Argo CD" }');
    const resume = createResumeDeploys({ sourceControl: null, gitops });
    const ctx = resumeContext(config, paused.record);
    const plan = await resume.plan(ctx);
    expect(plan.summary).toContain(
      'GitOps guard was off (the platform team pauses Argo CD): the bot paused nothing of Argo CD Application argocd/shop-prod, so it restores nothing',
    );
    expect((await resume.apply({ ...ctx, plan: plan.plan })).summary).toBe('No GitOps controller to hand back');
    expect(appPatches()).toEqual([]);
  });
});

describe('Argo CD in another cluster (gitops.argocd.context)', () => {
  it('reads and pauses the Application through its own kubeconfig, and asks the app cluster only about Deployments', async () => {
    const argoCluster = await startFakeKube();
    try {
      addApps(tracked);
      argoCluster.addArgoApplication({
        name: 'shop-prod',
        destinationNamespace: NS,
        deployments: [],
        automated: { selfHeal: true },
        commits: [{ revision: BAD, images: {} }],
      });
      const remote = createK8sGitOps({
        kubeConfig: loadKubeConfig({ path: kube.kubeconfigPath, context: 'fake' }),
        argocdKubeConfig: loadKubeConfig({ path: argoCluster.kubeconfigPath, context: 'fake' }),
        namespace: NS,
      });
      const config = testConfig();
      const result = await pauseGitOps({
        controllers: remote,
        config: config.gitops,
        deployments: ['api', 'web', 'worker'],
        previous: undefined,
        checkpoint: async () => undefined,
        progress: async () => undefined,
      });
      expect(result.summary).toBe(
        'Argo CD Application argocd/shop-prod: auto-sync turned off (was: auto-sync on, self-heal on, prune off)',
      );
      expect(
        (argoCluster.application('argocd', 'shop-prod')!.spec as { syncPolicy: { automated?: unknown } }).syncPolicy
          .automated,
      ).toBeUndefined();
      expect(kube.requests.filter((r) => r.path.includes('/applications'))).toEqual([]);
    } finally {
      await argoCluster.close();
    }
  });
});

describe('doctor', () => {
  const container = (config: ReturnType<typeof testConfig>) =>
    ({
      kubeError: null,
      gitops,
      config: { runbook: config },
      kubeConfig: loadKubeConfig({ path: kube.kubeconfigPath, context: 'fake' }),
    }) as unknown as Container;

  it('says what manages each Deployment and checks the guard may get and patch it', async () => {
    addArgo();
    kube.enforceRbac(deployRbacGrants());
    const managed = ['api', 'web', 'worker'].map(
      (n) =>
        `${n}: managed by Argo CD Application argocd/shop-prod, auto-sync on, self-heal on, prune off [managedFields: argocd-controller]`,
    );
    expect(await doctorGitOps(container(testConfig()))).toBe(`${managed.join('; ')}; the guard may get and patch them`);
    kube.enforceRbac(deployRbacRules());
    const denied = await failureOf(doctorGitOps(container(testConfig())));
    expect(denied.message).toContain('while reading Argo CD Application argocd/shop-prod: Kubernetes RBAC forbids it');
    expect(denied.message).toContain('add the verb to the Role in deploy/components/gitops-guard/role.yaml');
  });
});

describe('RBAC from deploy/', () => {
  it('the production-gitops overlay grants exactly what the guard uses: pause, revert and hand-back run under it', async () => {
    addArgo();
    kube.enforceRbac(deployRbacGrants());
    const { config, revert } = setup();
    const paused = await pause(config);
    expect(automated()).toBeUndefined();
    await revert.run(testContext('revert_images', config, { incident: { targetVersion: 'v1.2.2' } }));
    kube.pushCommit('argocd', 'shop-prod', { revision: REVERT, images: images('v1.2.2') });
    const resume = createResumeDeploys({ sourceControl: null, gitops });
    const ctx = resumeContext(config, paused.record);
    await resume.apply({ ...ctx, plan: (await resume.plan(ctx)).plan });
    expect(automated()).toEqual({ prune: false, selfHeal: true });
  });

  it('without the gitops overlay the pause is refused with the Role file to apply', async () => {
    addArgo();
    kube.enforceRbac(deployRbacRules());
    const err = await failureOf(pause(testConfig()));
    expect(err.message).toContain('while reading Argo CD Application argocd/shop-prod: Kubernetes RBAC forbids it');
    expect(err.message).toContain('deploy/components/gitops-guard/role.yaml');
    expect(automated()).toEqual({ prune: false, selfHeal: true });
  });
});
