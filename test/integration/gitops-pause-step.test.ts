/**
 * pause_deploys as the step runner drives it, GitHub (stateful fake behind nock) and Argo CD (the
 * fake API server) together: one checkpointed output for both, and a worker that dies between
 * the GitOps checkpoint and its patch re-runs cleanly — nothing sent twice, the recorded policy kept.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { createGitHubSourceControl } from '../../src/adapters/github/github-source-control.ts';
import { createK8sGitOps } from '../../src/adapters/k8s/gitops-controllers.ts';
import { loadKubeConfig } from '../../src/adapters/k8s/kube-config.ts';
import { createPauseDeploys } from '../../src/flows/steps/pause_deploys/index.ts';
import { type FakeKube, startFakeKube } from '../../src/sim/kube/server.ts';
import { type FakeGitHub, startFakeGitHub } from '../fixtures/github/fake-github.ts';
import { OWNER, REPO, TOKEN } from '../fixtures/github/github-api.ts';
import { testConfig } from '../support/runbook-config.ts';
import { failureOf, testContext } from '../support/step-context.ts';

const NS = 'prod';
let kube: FakeKube;
let github: FakeGitHub;

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterAll(() => nock.enableNetConnect());

beforeEach(async () => {
  kube = await startFakeKube();
  for (const name of ['api', 'web', 'worker']) {
    kube.addDeployment({
      namespace: NS,
      name,
      containers: [{ name, image: `ghcr.io/valuecanvas/${name}:v1.2.3` }],
      annotations: { 'argocd.argoproj.io/tracking-id': `shop-prod:apps/Deployment:${NS}/${name}` },
    });
  }
  kube.addArgoApplication({
    name: 'shop-prod',
    destinationNamespace: NS,
    deployments: ['api', 'web', 'worker'],
    automated: { prune: false, selfHeal: true, allowEmpty: false },
    commits: [{ revision: 'b'.repeat(40), images: {} }],
  });
  github = startFakeGitHub({ workflows: { 'deploy.yml': 'active' }, runs: [], prs: [] });
});
afterEach(async () => {
  nock.cleanAll();
  await kube.close();
});

function executor() {
  const gitops = createK8sGitOps({
    kubeConfig: loadKubeConfig({ path: kube.kubeconfigPath, context: 'fake' }),
    namespace: NS,
  });
  return createPauseDeploys({
    sourceControl: createGitHubSourceControl({ token: TOKEN, owner: OWNER, repo: REPO, retries: 0 }),
    gitops,
  });
}

const automated = () =>
  (kube.application('argocd', 'shop-prod')!.spec as { syncPolicy: { automated?: unknown } }).syncPolicy.automated;
const appPatches = () =>
  kube.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/applications/shop-prod'));

it('pauses GitHub and Argo CD in one step, survives a worker dying between the checkpoint and the patch, and sends nothing twice', async () => {
  const config = testConfig();
  const first = testContext('pause_deploys', config);
  // The progress line comes right before the Argo CD patch: failing there is dying in between.
  first.progress = async (m) => {
    if (m.startsWith('Turning auto-sync off')) throw new Error('worker killed');
    first.progressLines.push(m);
  };
  expect((await failureOf(executor().run(first))).message).toBe('worker killed');
  expect(first.previous.gitops).toMatchObject({
    entries: [{ kind: 'argocd', prior: { prune: false, selfHeal: true, allowEmpty: false }, done: false }],
  });
  expect(automated()).toEqual({ prune: false, selfHeal: true, allowEmpty: false });
  // The GitHub side still ran: a GitOps failure must not keep deploys running.
  expect(github.state.workflows['deploy.yml']).toBe('disabled_manually');
  // What the failure tells the captain before Retry.
  expect(executor().describeProgress!(first.previous, config)).toMatch(
    /^GitOps: recorded the policy of Argo CD Application argocd\/shop-prod but did NOT pause it yet; GitHub: disabled workflow deploy.yml/,
  );

  const rerun = testContext('pause_deploys', config, { previous: first.previous });
  const out = await executor().run(rerun);
  expect(out.summary).toBe(
    'Disabled deploy.yml; no active runs; no open PR had auto-merge; ' +
      'Argo CD Application argocd/shop-prod: auto-sync turned off (was: auto-sync on, self-heal on, prune off)',
  );
  expect(out.output).toMatchObject({
    gitops: {
      guard: 'on',
      entries: [{ prior: { prune: false, selfHeal: true, allowEmpty: false }, pausedByUs: true, done: true }],
    },
  });
  expect(automated()).toBeUndefined();
  expect(appPatches()).toHaveLength(1);
  expect(github.mutations().filter((m) => m.includes('/disable'))).toHaveLength(1);
});
