/**
 * The application half of the runbook from a terminal: start → pause → capture → select →
 * approve → revert (three Deployments in parallel on the fake cluster) → verify → resume, with
 * GitHub through nock (exact requests), real Postgres/Redis, and an in-process worker.
 */
import nock from 'nock';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { UNCHECKED_WARNING } from '../../src/app/cli-identity.ts';
import { loadConfig } from '../../src/app/config.ts';
import { type Container, createContainer } from '../../src/app/container.ts';
import { createLogger } from '../../src/app/logger.ts';
import { type RunningWorker, startWorker } from '../../src/app/worker.ts';
import {
  commitBody,
  compareBody,
  prNode,
  prPage,
  releaseBody,
  runBody,
  runsPage,
  tagBody,
  workflowBody,
} from '../fixtures/github/github-api.ts';
import { deployRbacRules } from '../support/deploy-rbac.ts';
import { createHarness, type Harness, NS } from '../support/e2e-harness.ts';
import { CAPTAIN, SRE } from '../support/runbook-config.ts';
import { until } from '../support/wait.ts';

const API = 'https://api.github.com';
const REPO = '/repos/ValueCanvas/ValueCanvas';
let h: Harness;
let worker: RunningWorker;
let container: Container;

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  // Under exactly the RBAC rules deploy/ grants: a call the Role lacks would fail a step here.
  h = await createHarness({ rbac: deployRbacRules() });
  container = await createContainer(loadConfig(h.env), { log: createLogger('silent') });
  worker = await startWorker(container);
});

afterAll(async () => {
  await worker?.close();
  await container?.close();
  await h?.close();
  nock.cleanAll();
  nock.enableNetConnect();
});

function github() {
  return nock(API).matchHeader('authorization', `token ${h.env.GITHUB_TOKEN}`);
}

/** GitHub's answer to `git/ref/tags/<tag>`: the tag exists, or 404. */
function tagRef(tag: string, exists: boolean): void {
  const reply = exists
    ? { ref: `refs/tags/${tag}`, object: { sha: 'abc123', type: 'commit' } }
    : { message: 'Not Found' };
  github()
    .get(`${REPO}/git/ref/tags/${tag}`)
    .reply(exists ? 200 : 404, reply);
}

function expectGitHubDone(): void {
  expect(nock.pendingMocks()).toEqual([]);
}

it('refuses to start for a release that is not running or not a tag, before anything is announced', async () => {
  const before = (await container.deps.store.list({})).length;
  // A typo: v1.2.4 exists (not deployed yet) while the cluster runs v1.2.3.
  tagRef('v1.2.4', true);
  const typo = await h.cli('start', 'v1.2.4', '--as', SRE);
  expect(typo.code).toBe(1);
  expect(typo.err).toContain('no Deployment runs v1.2.4 (api runs v1.2.3, web runs v1.2.3, worker runs v1.2.3)');
  expect(typo.err).toContain(
    'did you mean v1.2.3? Start again with `/rollback v1.2.3` (CLI: `rollback-commander start v1.2.3`)',
  );
  tagRef('v0.0.0', false);
  const none = await h.cli('start', 'v0.0.0', '--as', SRE);
  expect(none.err).toContain('there is no tag v0.0.0 in ValueCanvas/ValueCanvas');
  tagRef('v1.2.3', true);
  tagRef('v1.0.0', false);
  const target = await h.cli('start', 'v1.2.3', '--to', 'v1.0.0', '--as', SRE);
  expect(target.err).toContain(
    'there is no tag v1.0.0 in ValueCanvas/ValueCanvas, so there are no images to roll back to',
  );
  expectGitHubDone();
  // Nothing opened, so nothing announced and no environment blocked.
  expect((await container.deps.store.list({})).length).toBe(before);
});

it('rolls the application back end to end from the CLI', async () => {
  // start checks that the bad release is a tag; select_release cross-checks the repo's tags.
  tagRef('v1.2.3', true);
  github()
    .get(`${REPO}/releases`)
    .query({ per_page: 100 })
    .reply(200, [releaseBody('v1.2.3'), releaseBody('v1.2.2'), releaseBody('v1.3.0-rc.1', { prerelease: true })]);
  github()
    .get(`${REPO}/tags`)
    .query({ per_page: 100 })
    .reply(200, [tagBody('v1.2.3'), tagBody('v1.2.2'), tagBody('v1.2.1')]);

  const started = await h.cli(
    'start',
    'v1.2.3',
    '--sev',
    'P1',
    '--issue',
    'https://github.com/ValueCanvas/ValueCanvas/issues/77',
    '--as',
    SRE,
  );
  // No cli.identities in this config: --as is on trust, and the command says so once.
  expect(started.err).toBe(UNCHECKED_WARNING);
  expect(started.code).toBe(0);
  const incidentId = /started (rb-\d+)/.exec(started.out)![1]!;

  // Pause deploys: disable deploy.yml, cancel its one queued run, disable auto-merge on PR #12.
  const runs = `${REPO}/actions/workflows/deploy.yml/runs`;
  github().get(`${REPO}/actions/workflows/deploy.yml`).reply(200, workflowBody('deploy.yml', 'active'));
  github().put(`${REPO}/actions/workflows/deploy.yml/disable`).reply(204);
  for (const status of ['in_progress', 'waiting', 'pending', 'requested'])
    github().get(runs).query({ status, per_page: 100 }).reply(200, runsPage([]));
  github()
    .get(runs)
    .query({ status: 'queued', per_page: 100 })
    .reply(200, runsPage([runBody(501, 'queued')]));
  github().post(`${REPO}/actions/runs/501/cancel`).reply(202, {});
  github()
    .get(`${REPO}/actions/runs/501`)
    .reply(200, runBody(501, 'completed', 'cancelled'));
  github()
    .post('/graphql', (b: { query: string }) => b.query.includes('pullRequests(states: OPEN'))
    .reply(200, prPage([prNode('PR_12', 12, 'SQUASH'), prNode('PR_13', 13, null)]));
  github()
    .post(
      '/graphql',
      (b: { query: string; variables: Record<string, unknown> }) =>
        b.query.includes('disablePullRequestAutoMerge') && b.variables.pullRequestId === 'PR_12',
    )
    .reply(200, { data: { disablePullRequestAutoMerge: { clientMutationId: null } } });

  const pause = await h.cli('run', incidentId, 'pause_deploys', '--as', SRE);
  expect(pause.code, pause.err).toBe(0);
  expect(pause.out).toContain('pause_deploys: succeeded — Disabled deploy.yml');
  expectGitHubDone();

  // capture_context and select_release ran by themselves when the incident opened.
  const status = await h.cli('status', incidentId);
  expect(status.out).toMatch(
    /\[x\] capture_context\s+succeeded\s+First bad request: not entered; detected: .*; backlog agent:pending = 0/,
  );
  expect(status.out).toMatch(
    /\[\?\] select_release\s+awaiting_approval\s+Proposed target v1\.2\.2 from the ReplicaSet history \(api: v1\.2\.2, web: v1\.2\.2, worker: v1\.2\.2\)/,
  );

  // Only the captain approves the target; nothing is patched before that.
  const refused = await h.cli('approve', incidentId, 'select_release', '--as', SRE);
  expect(refused.code).toBe(1);
  expect(refused.err).toContain('only the Release Captain may approve `select_release`');
  expect(h.patchesOf('api')).toBe(0);
  expect((await h.cli('approve', incidentId, 'select_release', '--as', CAPTAIN)).out).toBe(
    `approved select_release in ${incidentId}`,
  );

  // api's rollout is held mid-way until the step has reported waiting for it: a 150 ms rollout
  // on a busy machine can finish before the watch first lists, and then no Waiting line exists.
  h.kube.setRolloutBehavior(NS, 'api', { mode: 'stuck' });
  const reverting = h.cli('run', incidentId, 'revert_images', '--as', SRE);
  await until(
    'the Waiting progress line for api in the timeline',
    async () =>
      (await container.deps.store.timeline(incidentId)).some(
        (e) =>
          e.kind === 'step_progress' &&
          String(e.payload.message).includes('Waiting for deployment "api" rollout to finish'),
      ),
    60_000,
  );
  h.kube.setRolloutBehavior(NS, 'api', { mode: 'normal' });
  h.kube.completeRollout(NS, 'api');
  const revert = await reverting;
  expect(revert.code, revert.err).toBe(0);
  expect(revert.out).toContain('Waiting for deployment "api" rollout to finish');
  expect(revert.out).toContain('revert_images: succeeded — api, web, worker now run v1.2.2; all rollouts complete');
  expect(h.images()).toEqual({
    api: 'ghcr.io/valuecanvas/app:v1.2.2',
    web: 'ghcr.io/valuecanvas/web:v1.2.2',
    worker: 'ghcr.io/valuecanvas/worker:v1.2.2',
  });
  for (const app of ['api', 'web', 'worker']) expect(h.patchesOf(app)).toBe(1);
  const patch = h.kube.requests.find((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/web'))!;
  expect(patch.contentType).toBe('application/strategic-merge-patch+json');
  expect(patch.body).toEqual({
    spec: { template: { spec: { containers: [{ name: 'web', image: 'ghcr.io/valuecanvas/web:v1.2.2' }] } } },
  });

  // No Prometheus configured: verify_cutover waits for a person, with the dashboard link.
  const verify = await h.cli('run', incidentId, 'verify_cutover', '--as', SRE);
  expect(verify.out).toContain(
    'verify_cutover: awaiting_confirmation — Check that new pods serve traffic and the error rate drops in Grafana 00-Prod Overview (https://grafana.example.com/d/00-prod-overview)',
  );
  expect(
    (await h.cli('confirm', incidentId, 'verify_cutover', '--as', SRE, '--note', '5xx back to baseline')).code,
  ).toBe(0);

  // Resume: the plan says what resuming ships again; the captain approves; exactly what pause changed is undone.
  github()
    .get(`${REPO}/compare/v1.2.2...main`)
    .query({ per_page: 100, page: 1 })
    .reply(
      200,
      compareBody([commitBody(1)], 1, [{ filename: 'supabase/migrations/20261120_add_orgs.sql', status: 'added' }]),
    );
  const plan = await h.cli('run', incidentId, 'resume_deploys', '--as', SRE);
  expect(plan.out).toContain(
    'resume_deploys: awaiting_approval — Resuming will re-enable deploy.yml and re-enable auto-merge on #12 (squash).',
  );
  expect(plan.out).toContain('If deploys resume, main ships 1 commit made after v1.2.2');
  expect(plan.out).toContain('20261120_add_orgs.sql');
  expect((await h.cli('approve', incidentId, 'resume_deploys', '--as', SRE)).err).toContain(
    'only the Release Captain may approve `resume_deploys`',
  );
  // resume reads the state before enabling (issue 13 item 20).
  github().get(`${REPO}/actions/workflows/deploy.yml`).reply(200, workflowBody('deploy.yml', 'disabled_manually'));
  github().put(`${REPO}/actions/workflows/deploy.yml/enable`).reply(204);
  github()
    .post('/graphql', (b: { query: string }) => b.query.includes('pullRequests(states: OPEN'))
    .reply(200, prPage([prNode('PR_12', 12, null), prNode('PR_13', 13, null)]));
  github()
    .post(
      '/graphql',
      (b: { query: string; variables: Record<string, unknown> }) =>
        b.query.includes('enablePullRequestAutoMerge') &&
        b.variables.pullRequestId === 'PR_12' &&
        b.variables.mergeMethod === 'SQUASH',
    )
    .reply(200, { data: { enablePullRequestAutoMerge: { clientMutationId: null } } });
  const resume = await h.cli('approve', incidentId, 'resume_deploys', '--as', CAPTAIN);
  expect(resume.code, resume.err).toBe(0);
  expect(resume.out).toContain('every approval is in: applying the approved plan');
  expect(resume.out).toContain('resume_deploys: succeeded');
  expectGitHubDone();

  const snap = await container.deps.store.get(incidentId);
  expect(snap.incident.targetVersion).toBe('v1.2.2');
  expect(snap.incident.decidedAt).not.toBeNull();
  expect(snap.steps.get('revert_images')!.output.before).toEqual({
    api: 'ghcr.io/valuecanvas/app:v1.2.3',
    web: 'ghcr.io/valuecanvas/web:v1.2.3',
    worker: 'ghcr.io/valuecanvas/worker:v1.2.3',
  });
  const known = await container.deps.store.knownGood('production');
  expect(known[0]).toMatchObject({ version: 'v1.2.2', source: `restored by incident ${incidentId}`, recordedBy: SRE });

  const timeline = await container.deps.store.timeline(incidentId);
  const milestones = timeline
    .filter((e) => !['step_progress', 'step_queued'].includes(e.kind))
    .map((e) => `${e.kind}${e.stepId ? `:${e.stepId}` : ''}`);
  expect(milestones).toEqual(
    expect.arrayContaining([
      'incident_started',
      'step_succeeded:pause_deploys',
      'step_awaiting_approval:select_release',
      'action_refused:select_release',
      'target_approved:select_release',
      'step_succeeded:revert_images',
      'step_awaiting_confirmation:verify_cutover',
      'step_succeeded:verify_cutover',
      'step_awaiting_approval:resume_deploys',
      'approval_given:resume_deploys',
      'step_succeeded:resume_deploys',
    ]),
  );
  // Every step that ran has started → outcome, in order.
  for (const stepId of ['pause_deploys', 'revert_images']) {
    const kinds = timeline.filter((e) => e.stepId === stepId && e.kind !== 'step_progress').map((e) => e.kind);
    expect(kinds.slice(-3), stepId).toEqual(['step_queued', 'step_started', 'step_succeeded']);
  }
});

it('shows a clear error for an unknown incident, step or bad version', async () => {
  expect((await h.cli('status', 'rb-424242')).err).toContain('there is no incident `rb-424242`');
  expect((await h.cli('run', 'rb-1', 'reboot_everything', '--as', SRE)).err).toContain(
    'unknown step "reboot_everything"',
  );
  expect((await h.cli('start', 'latest', '--as', SRE)).err).toContain('`latest` is not a version for the bad release');
  expect((await h.cli('start', 'v1.2.3')).err).toContain('say who you are with --as');
});
