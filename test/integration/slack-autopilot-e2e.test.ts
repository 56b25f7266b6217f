/**
 * Issue 8's goal, counted against the fake Slack: an app-only P1 resolves in at most 4 human
 * clicks after /rollback (modal, target, resume plan, resolve) when Prometheus, a smoke workflow
 * and auth probes are configured, and in at most 6 when verify and auth are manual checks. The
 * whole bot runs: Bolt over HTTP, the worker on real Redis/Postgres, the fake cluster, a nock'd
 * GitHub with 2 deploy runs and 2 auto-merge PRs, and local Prometheus and auth endpoints.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER, REPO, TOKEN } from '../fixtures/github/github-api.ts';
import { startFakeGitHub, type FakeGitHub } from '../fixtures/github/fake-github.ts';
import { startSlackBotHarness, type SlackBotHarness } from '../support/slack-bot-harness.ts';
import { CAPTAIN, SRE } from '../support/runbook-config.ts';
import { findButton, latestChecklist, threadText } from '../support/slack-checklist.ts';
import { buttonClick, interaction, slashCommand } from '../support/slack-requests.ts';
import { until } from '../support/wait.ts';

let endpoints: Server;
let base: string;

beforeAll(async () => {
  // Prometheus (a query at the revert's start answers the "before" rate) and the app's auth endpoint.
  endpoints = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/api/v1/query') {
      const value = url.searchParams.has('time') ? 0.2 : 0.001;
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, String(value)] }] } }));
    }
    res.writeHead(url.pathname === '/rest/v1/orgs' ? 401 : 404).end();
  });
  await new Promise<void>((r) => endpoints.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(endpoints.address() as AddressInfo).port}`;
});

afterAll(async () => {
  endpoints.closeAllConnections();
  await new Promise((r) => endpoints.close(r));
});

const GITHUB = `github: { owner: ${OWNER}, repo: ${REPO}, deploy_workflows: [deploy.yml] }`;
const AUTOMATED = () => `
${GITHUB}
autopilot: true
verify: { grafana_url: "https://grafana.example.com/d/00-prod-overview", prometheus: { url: "${base}", query: "sum(rate(errors[1m]))", threshold: 0.05, hold: 200ms, interval: 50ms } }
validation:
  smoke: { workflow: smoke.yml, poll_interval: 50ms, discovery_timeout: 5s, timeout: 20s }
  queue_health: { threshold: 100, window: 1s, interval: 200ms }
  auth: { timeout: 1s, probes: [{ name: anonymous is refused, url: "${base}/rest/v1/orgs", expected_status: 401 }] }
`;
const MANUAL_CHECKS = `
${GITHUB}
autopilot: true
validation:
  smoke: { workflow: smoke.yml, poll_interval: 50ms, discovery_timeout: 5s, timeout: 20s }
  queue_health: { threshold: 100, window: 1s, interval: 200ms }
`;

function world(): Parameters<typeof startFakeGitHub>[0] {
  return {
    workflows: { 'deploy.yml': 'active', 'smoke.yml': 'active' },
    runs: [{ id: 101, workflow: 'deploy.yml', status: 'in_progress', conclusion: null }, { id: 102, workflow: 'deploy.yml', status: 'queued', conclusion: null }],
    prs: [{ id: 'PR_1', number: 41, mergeMethod: 'SQUASH', state: 'OPEN' }, { id: 'PR_2', number: 42, mergeMethod: 'MERGE', state: 'OPEN' }],
    tags: ['v1.2.3', 'v1.2.2', 'v1.2.1'],
  };
}

/** Drives a P1 from Slack like a responder who presses each button the moment it appears; counts the clicks. */
function responder(harness: SlackBotHarness) {
  const { slack, bot } = harness;
  let clicks = 0;
  const posted = () => slack.calls.some((c) => c.method === 'chat.postMessage' && c.body.channel === 'C0INCIDENTS' && !c.body.thread_ts);
  const checklist = () => (posted() ? latestChecklist(slack, 'C0INCIDENTS') : []);
  const incident = async () => bot.container.deps.store.get((await bot.container.deps.store.list({ limit: 1 }))[0]!.id);
  return {
    clicks: () => clicks,
    incident,
    async start() {
      await harness.send(slashCommand({ text: 'v1.2.3 sev P1', user: SRE }));
      await slack.waitFor('the modal', () => slack.of('views.open').length === 1);
      clicks += 1;
      const submitted = await harness.send(interaction({
        type: 'view_submission', user: { id: SRE },
        view: { id: 'V0MODAL01', callback_id: 'rollback_start', state: { values: {
          bad_version: { bad_version: { type: 'plain_text_input', value: 'v1.2.3' } },
          severity: { severity: { type: 'static_select', selected_option: { value: 'P1' } } },
          trigger: { trigger: { type: 'radio_buttons', selected_option: { value: 'slo_breach' } } },
          detected_at: { detected_at: { type: 'datetimepicker', selected_date_time: Math.floor(Date.now() / 1000) } },
          autopilot: { autopilot: { type: 'checkboxes', selected_options: [{ value: 'on' }] } },
        } } },
      }));
      expect(submitted.status).toBe(200);
    },
    async click(user: string, actionId: string, stepId: string) {
      const button = await until(`${actionId} on ${stepId}`, () => findButton(checklist(), actionId, stepId), 30_000);
      clicks += 1;
      expect((await harness.send(buttonClick(user, button))).status).toBe(200);
    },
    async resolved() {
      await until('the incident resolved', async () => (await incident()).incident.state === 'resolved', 30_000);
    },
  };
}

describe('with Prometheus, a smoke workflow and auth probes', () => {
  let harness: SlackBotHarness;
  let github: FakeGitHub;
  beforeAll(async () => {
    harness = await startSlackBotHarness({ rolloutMs: 200, configOverrides: AUTOMATED(), githubToken: TOKEN });
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
    for (const id of ['pause_deploys', 'revert_images', 'verify_cutover', 'smoke_tests', 'queue_health', 'auth_check', 'resume_deploys', 'resolve']) {
      expect([id, steps.get(id as never)!.state]).toEqual([id, 'succeeded']);
    }
    // Paused and resumed exactly: both runs cancelled, deploy.yml and the PRs' auto-merge back as they were.
    expect(github.state.runs.filter((run) => run.workflow === 'deploy.yml').map((run) => run.conclusion)).toEqual(['cancelled', 'cancelled']);
    expect(github.state.workflows['deploy.yml']).toBe('active');
    expect(github.state.prs.map((pr) => pr.mergeMethod)).toEqual(['SQUASH', 'MERGE']);
    expect(harness.h.images().api).toBe('ghcr.io/valuecanvas/app:v1.2.2');
    await harness.slack.waitFor('the resolved line', () => threadText(harness.slack, 'C0INCIDENTS').includes(':checkered_flag: Incident resolved by'));
    const thread = threadText(harness.slack, 'C0INCIDENTS');
    expect(thread).toContain(`*Revert container images* started by autopilot (the target was approved), after <@${CAPTAIN}> approved the target v1.2.2`);
    expect(thread).toContain(`*Pause deploys* started by autopilot (the incident started), after <@${SRE}> started the rollback`);
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
