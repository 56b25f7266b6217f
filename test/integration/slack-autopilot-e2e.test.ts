/**
 * Issue 8's goal, counted against the fake Slack: an app-only P1 resolves in at most 4 human
 * clicks after /rollback (modal, target, resume plan, resolve) when Prometheus, a smoke workflow
 * and auth probes are configured, and in at most 6 when verify and auth are manual checks. The
 * whole bot runs: Bolt over HTTP, the worker on real Redis/Postgres, the fake cluster, a nock'd
 * GitHub with 2 deploy runs and 2 auto-merge PRs, and local Prometheus and auth endpoints.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from '../fixtures/github/fake-github.ts';
import { TOKEN } from '../fixtures/github/github-api.ts';
import {
  automatedConfig,
  type Endpoints,
  MANUAL_CHECKS_CONFIG as MANUAL_CHECKS,
  responder,
  startEndpoints,
  githubWorld as world,
} from '../support/responder.ts';
import { CAPTAIN, SRE } from '../support/runbook-config.ts';
import { type SlackBotHarness, startSlackBotHarness } from '../support/slack-bot-harness.ts';
import { threadText } from '../support/slack-checklist.ts';

let endpoints: Endpoints;
beforeAll(async () => {
  endpoints = await startEndpoints();
});
afterAll(() => endpoints.close());

describe('with Prometheus, a smoke workflow and auth probes', () => {
  let harness: SlackBotHarness;
  let github: FakeGitHub;
  beforeAll(async () => {
    harness = await startSlackBotHarness({
      rolloutMs: 200,
      configOverrides: automatedConfig(endpoints.base),
      githubToken: TOKEN,
    });
    github = startFakeGitHub(world());
  });
  afterAll(() => harness?.close());

  it('resolves in 4 human clicks after /rollback: modal, target, resume plan, resolve', async () => {
    const r = responder(harness);
    await r.start();
    await r.click(CAPTAIN, 'step_approve', 'select_release');
    await r.click(CAPTAIN, 'step_approve', 'resume_deploys');
    await r.click(CAPTAIN, 'step_approve', 'resolve');
    await r.resolved();
    expect(r.clicks()).toBe(4);

    const { steps } = await r.incident();
    for (const id of [
      'pause_deploys',
      'revert_images',
      'verify_cutover',
      'smoke_tests',
      'queue_health',
      'auth_check',
      'resume_deploys',
      'resolve',
    ]) {
      expect([id, steps.get(id as never)!.state]).toEqual([id, 'succeeded']);
    }
    // Paused and resumed exactly: both runs cancelled, deploy.yml and the PRs' auto-merge back as they were.
    expect(github.state.runs.filter((run) => run.workflow === 'deploy.yml').map((run) => run.conclusion)).toEqual([
      'cancelled',
      'cancelled',
    ]);
    expect(github.state.workflows['deploy.yml']).toBe('active');
    expect(github.state.prs.map((pr) => pr.mergeMethod)).toEqual(['SQUASH', 'MERGE']);
    expect(harness.h.images().api).toBe('ghcr.io/valuecanvas/app:v1.2.2');
    await harness.slack.waitFor('the resolved line', () =>
      threadText(harness.slack, 'C0INCIDENTS').includes(':checkered_flag: Incident resolved by'),
    );
    const thread = threadText(harness.slack, 'C0INCIDENTS');
    expect(thread).toContain(
      `*Revert container images* started by autopilot (the target was approved), after <@${CAPTAIN}> approved the target v1.2.2`,
    );
    expect(thread).toContain(
      `*Pause deploys* started by autopilot (the incident started), after <@${SRE}> started the rollback`,
    );
    expect(thread).toContain(`Incident resolved by <@${CAPTAIN}>`);
  });
});

describe('with manual verify and auth checks', () => {
  let harness: SlackBotHarness;
  beforeAll(async () => {
    harness = await startSlackBotHarness({ rolloutMs: 200, configOverrides: MANUAL_CHECKS, githubToken: TOKEN });
    startFakeGitHub(world());
  });
  afterAll(() => harness?.close());

  it('resolves in 6 human clicks: the two Confirms on top', async () => {
    const r = responder(harness);
    await r.start();
    await r.click(CAPTAIN, 'step_approve', 'select_release');
    await r.click(SRE, 'step_confirm', 'verify_cutover');
    await r.click(SRE, 'step_confirm', 'auth_check');
    await r.click(CAPTAIN, 'step_approve', 'resume_deploys');
    await r.click(CAPTAIN, 'step_approve', 'resolve');
    await r.resolved();
    expect(r.clicks()).toBe(6);
  });
});
