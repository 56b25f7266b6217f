/**
 * The responder's loop (issue 8), on the in-repo fakes with the bot's production timings:
 * (a) click → checklist: a Run click's effect (its button gone) shown in both checklists, measured
 *     from the ack, on an idle bot (target p99 ≤ 300 ms);
 * (b) a whole app-only P1 under autopilot, each button pressed the moment it appears: /rollback →
 *     resolved, beside the rollout time (target ≤ rollout + 2 s), median of the runs.
 * Everything runs in this process: Slack and GitHub behind nock, the fake cluster, Prometheus and
 * auth endpoints on 127.0.0.1, Redis/Postgres for real.
 */
import { encodeButtonValue } from '../src/adapters/slack/action-ids.ts';
import { startFakeGitHub } from '../test/fixtures/github/fake-github.ts';
import { TOKEN } from '../test/fixtures/github/github-api.ts';
import { automatedConfig, githubWorld, responder, startEndpoints } from '../test/support/responder.ts';
import { CAPTAIN, SRE } from '../test/support/runbook-config.ts';
import { type SlackBotHarness, startSlackBotHarness } from '../test/support/slack-bot-harness.ts';
import { buttonClick } from '../test/support/slack-requests.ts';
import { until } from '../test/support/wait.ts';
import { createBenchIncident } from './support-bench-bot.ts';
import { median, percentile, round, verdict } from './support-stats.ts';
import type { BenchTable } from './table.ts';

/** Steps a Run click can start on a fresh incident, one after another (each settles in well under a second). */
const CLICKED = ['capture_context', 'announce', 'select_release', 'pause_deploys', 'migration_scope'] as const;
const INCIDENTS_PER_RUN = 2;
const ROLLOUT_MS = 1500;
const CLICK_TARGET_MS = 300;
const P1_OVERHEAD_TARGET_MS = 2000;

export async function benchResponderLoop(runs: number): Promise<BenchTable[]> {
  const clicks = await clickToChecklist(runs);
  const p1 = await wholeP1(runs);
  return [
    {
      title: `Click → both checklists show it (quiet bot, ${clicks.length} Run clicks over ${runs} runs, ${CLICKED.length} per incident; target p99 ≤ ${CLICK_TARGET_MS} ms)`,
      columns: ['measure', 'p50 ms', 'p99 ms', 'verdict'],
      rows: [
        [
          'ack → chat.update in #incidents and #releases',
          round(percentile(clicks, 50)),
          round(percentile(clicks, 99)),
          verdict(percentile(clicks, 99), CLICK_TARGET_MS),
        ],
      ],
    },
    {
      title: `Whole app-only P1 under autopilot, clicks as soon as buttons appear (median of ${runs}; target ≤ rollout + 2 s)`,
      columns: ['rollout ms', '/rollback → resolved ms', 'bot overhead ms', 'human clicks', 'verdict'],
      rows: [
        [
          ROLLOUT_MS,
          round(median(p1.totals)),
          round(median(p1.totals) - ROLLOUT_MS),
          p1.clicks,
          verdict(median(p1.totals), ROLLOUT_MS + P1_OVERHEAD_TARGET_MS),
        ],
      ],
    },
  ];
}

/**
 * Run clicks on the steps of one incident after another (autopilot off, so nothing else moves),
 * each once the bot is quiet again — the same checklist message each time, as a responder sees it.
 */
async function clickToChecklist(runs: number): Promise<number[]> {
  const harness = await startSlackBotHarness({ rolloutMs: 150, production: true });
  const samples: number[] = [];
  try {
    for (let i = 0; i < runs * INCIDENTS_PER_RUN + 1; i += 1) {
      const id = await openIncident(harness, `bench-click-${i}`);
      for (const stepId of CLICKED) {
        const ms = await oneClick(harness, id, stepId);
        if (i > 0) samples.push(ms); // the first incident warms up JIT and pools
      }
    }
  } finally {
    await harness.close();
  }
  return samples;
}

async function openIncident(harness: SlackBotHarness, environment: string): Promise<string> {
  return createBenchIncident(harness.bot.container.deps.store, environment, { autopilot: false });
}

async function oneClick(
  harness: SlackBotHarness,
  incidentId: string,
  stepId: (typeof CLICKED)[number],
): Promise<number> {
  const store = harness.bot.container.deps.store;
  const step = (await store.get(incidentId)).steps.get(stepId)!;
  await quiet(harness);
  const value = encodeButtonValue({ incidentId, stepId, version: step.version });
  await harness.send(buttonClick(SRE, { action_id: 'step_run', value }));
  const ackAt = performance.now();
  const shown = (channel: string) =>
    harness.slack.calls.find(
      (c) =>
        c.method === 'chat.update' &&
        c.at >= ackAt &&
        c.body.channel === channel &&
        !JSON.stringify(c.body.blocks).includes(value.replace(/"/g, '\\"')),
    );
  const [a, b] = await until(
    'the click in both checklists',
    () => {
      const both = [shown('C0INCIDENTS'), shown('C0RELEASES')];
      return both.every(Boolean) && both;
    },
    20_000,
    1,
  );
  const latency = Math.max(a!.at, b!.at) - ackAt;
  // Settled: succeeded, failed (no GitHub token, no database: section) or waiting for a person.
  await until(
    `${stepId} settled`,
    async () => !['queued', 'running'].includes((await store.get(incidentId)).steps.get(stepId)!.state),
  );
  return latency;
}

/** Nothing sent to Slack for 300 ms: the relay and the coalescer are idle. */
async function quiet(harness: SlackBotHarness): Promise<void> {
  await harness.bot.relay!.tick();
  await until('a quiet bot', () => performance.now() - (harness.slack.calls.at(-1)?.at ?? 0) > 300, 20_000, 10);
}

async function wholeP1(runs: number): Promise<{ totals: number[]; clicks: number }> {
  const endpoints = await startEndpoints();
  const totals: number[] = [];
  let clicks = 0;
  try {
    for (let run = 0; run < runs; run += 1) {
      const harness = await startSlackBotHarness({
        rolloutMs: ROLLOUT_MS,
        configOverrides: automatedConfig(endpoints.base),
        githubToken: TOKEN,
        production: true,
      });
      startFakeGitHub(githubWorld());
      try {
        const r = responder(harness, { pollMs: 2 });
        const started = performance.now();
        await r.start();
        await r.click(CAPTAIN, 'step_approve', 'select_release');
        await r.click(CAPTAIN, 'step_approve', 'resume_deploys');
        await r.click(CAPTAIN, 'step_approve', 'resolve');
        await r.resolved();
        totals.push(performance.now() - started);
        clicks = r.clicks();
      } finally {
        await harness.close();
      }
    }
  } finally {
    await endpoints.close();
  }
  return { totals, clicks };
}
