/**
 * An app-only P1 as a responder walks it (issue 8), shared by the click-count e2e and the bench:
 * local Prometheus and auth endpoints, the GitHub world (2 deploy runs, 2 auto-merge PRs, a smoke
 * workflow), the rollback.yml that configures them, and a responder who presses each button the
 * moment it appears in the #incidents checklist and counts the clicks.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeGitHubState } from '../fixtures/github/fake-github.ts';
import { OWNER, REPO } from '../fixtures/github/github-api.ts';
import { SRE } from './runbook-config.ts';
import type { SlackBotHarness } from './slack-bot-harness.ts';
import { findButton, latestChecklist } from './slack-checklist.ts';
import { buttonClick, interaction, slashCommand } from './slack-requests.ts';
import { until } from './wait.ts';

export interface Endpoints {
  base: string;
  close(): Promise<void>;
}

/** Prometheus (a query at the revert's start answers the "before" rate) and the app's auth endpoint. */
export async function startEndpoints(): Promise<Endpoints> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/api/v1/query') {
      const value = url.searchParams.has('time') ? 0.2 : 0.001;
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, String(value)] }] },
        }),
      );
    }
    res.writeHead(url.pathname === '/rest/v1/orgs' ? 401 : 404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

const GITHUB = `github: { owner: ${OWNER}, repo: ${REPO}, deploy_workflows: [deploy.yml] }`;
const SMOKE_AND_QUEUE = `
  smoke: { workflow: smoke.yml, poll_interval: 50ms, discovery_timeout: 5s, timeout: 20s }
  queue_health: { threshold: 100, window: 1s, interval: 200ms }`;

/** Prometheus, the smoke workflow and an auth probe: nothing for a person to confirm. */
export function automatedConfig(base: string): string {
  return `
${GITHUB}
autopilot: true
verify: { grafana_url: "https://grafana.example.com/d/00-prod-overview", prometheus: { url: "${base}", query: "sum(rate(errors[1m]))", threshold: 0.05, hold: 200ms, interval: 50ms } }
validation:${SMOKE_AND_QUEUE}
  auth: { timeout: 1s, probes: [{ name: anonymous is refused, url: "${base}/rest/v1/orgs", expected_status: 401 }] }
`;
}

/** No Prometheus and no auth probes: verify and auth wait for a person's Confirm. */
export const MANUAL_CHECKS_CONFIG = `
${GITHUB}
autopilot: true
validation:${SMOKE_AND_QUEUE}
`;

export function githubWorld(): FakeGitHubState {
  return {
    workflows: { 'deploy.yml': 'active', 'smoke.yml': 'active' },
    runs: [
      { id: 101, workflow: 'deploy.yml', status: 'in_progress', conclusion: null },
      { id: 102, workflow: 'deploy.yml', status: 'queued', conclusion: null },
    ],
    prs: [
      { id: 'PR_1', number: 41, mergeMethod: 'SQUASH', state: 'OPEN' },
      { id: 'PR_2', number: 42, mergeMethod: 'MERGE', state: 'OPEN' },
    ],
    tags: ['v1.2.3', 'v1.2.2', 'v1.2.1'],
  };
}

export function responder(harness: SlackBotHarness, options: { pollMs?: number } = {}) {
  const { slack, bot } = harness;
  let clicks = 0;
  const posted = () =>
    slack.calls.some((c) => c.method === 'chat.postMessage' && c.body.channel === 'C0INCIDENTS' && !c.body.thread_ts);
  const checklist = () => (posted() ? latestChecklist(slack, 'C0INCIDENTS') : []);
  const incident = async () => bot.container.deps.store.get((await bot.container.deps.store.list({ limit: 1 }))[0]!.id);
  const send = async (body: string) => {
    const answer = await harness.send(body);
    if (answer.status !== 200) throw new Error(`the bot answered ${answer.status}: ${answer.text}`);
  };
  return {
    clicks: () => clicks,
    incident,
    async start() {
      const opened = slack.of('views.open').length;
      await send(slashCommand({ text: 'v1.2.3 sev P1', user: SRE }));
      await slack.waitFor('the modal', () => slack.of('views.open').length > opened);
      clicks += 1;
      await send(
        interaction({
          type: 'view_submission',
          user: { id: SRE },
          view: {
            id: 'V0MODAL01',
            callback_id: 'rollback_start',
            state: {
              values: {
                bad_version: { bad_version: { type: 'plain_text_input', value: 'v1.2.3' } },
                severity: { severity: { type: 'static_select', selected_option: { value: 'P1' } } },
                trigger: { trigger: { type: 'radio_buttons', selected_option: { value: 'slo_breach' } } },
                detected_at: {
                  detected_at: { type: 'datetimepicker', selected_date_time: Math.floor(Date.now() / 1000) },
                },
                autopilot: { autopilot: { type: 'checkboxes', selected_options: [{ value: 'on' }] } },
              },
            },
          },
        }),
      );
    },
    async click(user: string, actionId: string, stepId: string) {
      const button = await until(
        `${actionId} on ${stepId}`,
        () => findButton(checklist(), actionId, stepId),
        30_000,
        options.pollMs,
      );
      clicks += 1;
      await send(buttonClick(user, button));
    },
    async resolved() {
      await until(
        'the incident resolved',
        async () => (await incident()).incident.state === 'resolved',
        30_000,
        options.pollMs,
      );
    },
  };
}
