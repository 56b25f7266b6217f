/**
 * ROLLBACK_MODE=web with a separate `rollback-commander worker` process: Slack acks in one
 * process, steps run in another, and /readyz says whether any worker is connected.
 */
import type { ChildProcess } from 'node:child_process';
import nock from 'nock';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeButtonValue } from '../../src/adapters/slack/action-ids.ts';
import { type Bot, startBot } from '../../src/app/bot.ts';
import { loadConfig } from '../../src/app/config.ts';
import { createLogger } from '../../src/app/logger.ts';
import { startRollback } from '../../src/flows/start-rollback.ts';
import { createHarness, type Harness } from '../support/e2e-harness.ts';
import { type FakeSlack, SLACK_API_URL, startFakeSlack } from '../support/fake-slack.ts';
import { SRE } from '../support/runbook-config.ts';
import { buttonClick, SIGNING_SECRET, sendToSlackEndpoint } from '../support/slack-requests.ts';
import { until } from '../support/wait.ts';
import { CHILD_PROCESS_TEST_MS, startWorkerProcess } from '../support/worker-process.ts';

let h: Harness;
let web: Bot;
let slack: FakeSlack;
let worker: ChildProcess | null = null;

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  slack = startFakeSlack();
  h = await createHarness();
  delete h.env.GITHUB_TOKEN;
  const webEnv = {
    ...h.env,
    SLACK_BOT_TOKEN: 'xoxb-web',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL,
    PORT: '0',
  };
  web = await startBot(loadConfig(webEnv), createLogger('silent'), { mode: 'web' });
});

afterAll(async () => {
  worker?.kill('SIGKILL');
  await web?.stop();
  await h?.close();
  slack?.close();
  nock.enableNetConnect();
});

const readyz = async () =>
  (await fetch(`http://127.0.0.1:${web.port}/readyz`)).json() as Promise<{
    ok: boolean;
    checks: { name: string; ok: boolean }[];
  }>;

it(
  'acks in the web process, runs the step in a worker process, and is ready only with a worker',
  async () => {
    const before = await readyz();
    expect(before.ok).toBe(false);
    expect(before.checks.find((c) => c.name === 'worker')).toEqual({ name: 'worker', ok: false });

    // The worker process talks to Postgres, Redis and the cluster; Slack stays with the web process here.
    const started: ChildProcess[] = [];
    const ready = startWorkerProcess(h.env, started);
    worker = started[0]!;
    await ready;
    // The worker said it is ready; /readyz sees it once its heartbeat reaches Redis.
    await until('/readyz to see the worker', async () => (await readyz()).ok, 30_000);

    const deps = web.container.deps;
    const incident = await startRollback(deps, {
      badVersion: 'v1.2.3',
      severity: 'P1',
      trigger: 'slo_breach',
      actor: SRE,
    });
    await until(
      'the proposal, computed by the worker process',
      async () => (await deps.store.get(incident.id)).steps.get('select_release')!.state === 'awaiting_approval',
      60_000,
    );
    const version = (await deps.store.get(incident.id)).steps.get('pause_deploys')!.version;
    const click = await sendToSlackEndpoint(
      web.port,
      buttonClick(SRE, {
        action_id: 'step_run',
        value: encodeButtonValue({ incidentId: incident.id, stepId: 'pause_deploys', version }),
      }),
    );
    expect(click.status).toBe(200);
    // No GITHUB_TOKEN in the worker: the step fails there with the fix, which proves it ran there.
    await until(
      'the worker to run the step',
      async () => (await deps.store.get(incident.id)).steps.get('pause_deploys')!.state === 'failed',
      60_000,
    );
    expect((await deps.store.get(incident.id)).steps.get('pause_deploys')!.error).toContain('GITHUB_TOKEN is not set');
  },
  CHILD_PROCESS_TEST_MS,
);
