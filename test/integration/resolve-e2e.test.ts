/**
 * A whole P1 incident from a terminal, start to resolve, on the fake cluster: the application
 * rollback, the smoke workflow (GitHub through nock), queue health on a real Redis, an auth probe
 * against a local server, resume, the captain-approved resolve with its issue comment, the
 * postmortem export and /metrics. The summary's figures are checked against the timeline.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import nock from 'nock';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config.ts';
import { type Container, createContainer } from '../../src/app/container.ts';
import { startHttpServer } from '../../src/app/http-server.ts';
import { createLogger } from '../../src/app/logger.ts';
import { createMetrics, type RollbackMetrics } from '../../src/app/metrics.ts';
import { type RunningWorker, startWorker } from '../../src/app/worker.ts';
import { formatDurationMs } from '../../src/domain/times.ts';
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
import { createHarness, type Harness } from '../support/e2e-harness.ts';
import { CAPTAIN, SRE } from '../support/runbook-config.ts';
import { REDIS_URL, uniqueName } from '../support/services.ts';
import { until } from '../support/wait.ts';

const API = 'https://api.github.com';
const REPO = '/repos/ValueCanvas/ValueCanvas';
const BACKLOG = uniqueName('agent:pending');
let h: Harness;
let worker: RunningWorker;
let container: Container;
let metrics: RollbackMetrics;
let metricsServer: Server;
let app: Server;
let appRedis: Redis;
const registry = new Registry();

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  // The app under rollback: its API answers 401 without the test user's token.
  app = createServer(
    (req, res) => void res.writeHead(req.headers.authorization === 'Bearer e2e-test-user' ? 200 : 401).end(),
  );
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/rest/v1/orgs`;
  process.env.E2E_AUTH_BEARER = 'Bearer e2e-test-user';
  h = await createHarness({
    configOverrides: `
target: { backlog_key: "${BACKLOG}" }
validation:
  smoke: { workflow: smoke.yml, inputs: { env: production }, poll_interval: 50ms, discovery_timeout: 5s }
  queue_health: { threshold: 100, window: 1s, interval: 200ms }
  auth:
    probes:
      - { name: anonymous is refused, url: "${appUrl}", expected_status: 401 }
      - { name: test user reads orgs, url: "${appUrl}", headers: { Authorization: E2E_AUTH_BEARER }, expected_status: 200 }
`,
  });
  appRedis = new Redis(`${REDIS_URL}/5`);
  await appRedis.rpush(BACKLOG, 'job1', 'job2', 'job3');
  metrics = createMetrics(registry, { store: () => container.deps.store, log: createLogger('silent') });
  container = await createContainer(loadConfig(h.env), { log: createLogger('silent'), observer: metrics });
  worker = await startWorker(container);
  metricsServer = await startHttpServer({ port: 0, registry, readiness: [] });
});

afterAll(async () => {
  delete process.env.E2E_AUTH_BEARER;
  await worker?.close();
  await container?.close();
  await appRedis?.del(BACKLOG);
  appRedis?.disconnect();
  await new Promise((resolve) => metricsServer?.close(resolve));
  await new Promise((resolve) => app?.close(resolve));
  await h?.close();
  nock.cleanAll();
  nock.enableNetConnect();
});

function github() {
  return nock(API).matchHeader('authorization', `token ${h.env.GITHUB_TOKEN}`);
}

async function cli(...args: string[]): Promise<string> {
  const res = await h.cli(...args);
  expect(res.code, `${args.join(' ')}: ${res.err}`).toBe(0);
  return res.out;
}

function mockPause(): void {
  const runs = `${REPO}/actions/workflows/deploy.yml/runs`;
  github().get(`${REPO}/actions/workflows/deploy.yml`).reply(200, workflowBody('deploy.yml', 'active'));
  github().put(`${REPO}/actions/workflows/deploy.yml/disable`).reply(204);
  for (const status of ['in_progress', 'queued', 'waiting', 'pending', 'requested'])
    github().get(runs).query({ status, per_page: 100 }).reply(200, runsPage([]));
  github()
    .post('/graphql', (b: { query: string }) => b.query.includes('pullRequests(states: OPEN'))
    .reply(200, prPage([prNode('PR_13', 13, null)]));
}

function mockSmoke(): void {
  github()
    .post(`${REPO}/actions/workflows/smoke.yml/dispatches`, { ref: 'main', inputs: { env: 'production' } })
    .reply(204);
  github()
    .get(`${REPO}/actions/workflows/smoke.yml/runs`)
    .query((q) => q.event === 'workflow_dispatch')
    .reply(200, runsPage([runBody(4242, 'queued')]));
  github().get(`${REPO}/actions/runs/4242`).reply(200, runBody(4242, 'in_progress'));
  github()
    .get(`${REPO}/actions/runs/4242`)
    .reply(200, runBody(4242, 'completed', 'success'));
}

function mockResume(): void {
  github()
    .get(`${REPO}/compare/v1.2.2...main`)
    .query({ per_page: 100, page: 1 })
    .reply(200, compareBody([commitBody(1)], 1));
  // resume reads the state before enabling (issue 13 item 20).
  github().get(`${REPO}/actions/workflows/deploy.yml`).reply(200, workflowBody('deploy.yml', 'disabled_manually'));
  github().put(`${REPO}/actions/workflows/deploy.yml/enable`).reply(204);
}

it('runs a P1 from start to resolve, and the summary agrees with the timeline', async () => {
  github()
    .get(`${REPO}/releases`)
    .query({ per_page: 100 })
    .reply(200, [releaseBody('v1.2.3'), releaseBody('v1.2.2')]);
  github()
    .get(`${REPO}/tags`)
    .query({ per_page: 100 })
    .reply(200, [tagBody('v1.2.3'), tagBody('v1.2.2')]);
  const started = await cli(
    'start',
    'v1.2.3',
    '--sev',
    'P1',
    '--issue',
    'https://github.com/ValueCanvas/ValueCanvas/issues/77',
    '--as',
    SRE,
  );
  const id = /started (rb-\d+)/.exec(started)![1]!;
  const detectedAt = (await container.deps.store.get(id)).incident.detectedAt;

  // The first bad request, found in the logs: two minutes before detection. Detection before it is refused.
  const impact = new Date(detectedAt.getTime() - 2 * 60_000);
  expect(await cli('correct-times', id, '--impact-started', impact.toISOString(), '--as', SRE)).toBe(
    `corrected impact_started_at: not set → ${impact.toISOString()}`,
  );
  const refused = await h.cli(
    'correct-times',
    id,
    '--detected',
    new Date(impact.getTime() - 60_000).toISOString(),
    '--as',
    CAPTAIN,
  );
  expect(refused.err).toContain('cannot be before the first bad request');

  mockPause();
  expect(await cli('run', id, 'pause_deploys', '--as', SRE)).toContain('pause_deploys: succeeded');
  await until(
    'the target proposal',
    async () => (await container.deps.store.get(id)).steps.get('select_release')!.state === 'awaiting_approval',
  );
  await cli('approve', id, 'select_release', '--as', CAPTAIN);
  expect(await cli('run', id, 'revert_images', '--as', SRE)).toContain('revert_images: succeeded');
  await cli('run', id, 'verify_cutover', '--as', SRE);
  await cli('confirm', id, 'verify_cutover', '--as', SRE, '--note', 'errors back to baseline');

  mockSmoke();
  expect(await cli('run', id, 'smoke_tests', '--as', SRE)).toContain(
    'smoke_tests: succeeded — Smoke tests passed: smoke.yml on main — https://github.com/acme/shop/actions/runs/4242',
  );
  expect(await cli('run', id, 'queue_health', '--as', SRE)).toContain(
    `queue_health: succeeded — ${BACKLOG} = 3, under the threshold of 100 (samples: 3)`,
  );
  expect(await cli('run', id, 'auth_check', '--as', SRE)).toContain(
    'auth_check: succeeded — All 2 auth probes answered as expected',
  );
  expect((await container.deps.store.get(id)).incident.restoredAt).not.toBeNull();

  mockResume();
  await cli('run', id, 'resume_deploys', '--as', SRE);
  expect(await cli('approve', id, 'resume_deploys', '--as', CAPTAIN)).toContain('resume_deploys: succeeded');

  let comment = '';
  github()
    .post(`${REPO}/issues/77/comments`, (b: { body: string }) => ((comment = b.body), true))
    .reply(201, { id: 9, html_url: 'https://github.com/ValueCanvas/ValueCanvas/issues/77#issuecomment-9' });
  await cli('approve', id, 'resolve', '--as', CAPTAIN);
  expect(await cli('run', id, 'resolve', '--as', CAPTAIN)).toMatch(
    /resolve: succeeded — Resolved: TTD 2m · TTR \S+; decide SLA met, restore SLA met; commented on https:\/\/github.com\/ValueCanvas\/ValueCanvas\/issues\/77#issuecomment-9/,
  );
  expect(nock.pendingMocks()).toEqual([]);

  // The figures, recomputed from the timeline alone.
  const timeline = await container.deps.store.timeline(id);
  const first = (kind: string) => timeline.find((e) => e.kind === kind)!;
  const decided = first('target_approved').at.getTime();
  const restored = first('app_restored').at.getTime();
  const resolved = first('incident_resolved');
  const detected = first('incident_started').at.getTime();
  const impactAt = new Date(String(first('times_corrected').payload.to)).getTime();
  expect(resolved.payload).toMatchObject({
    ttdMs: detected - impactAt,
    decideMs: decided - detected,
    ttrMs: restored - detected,
    impactMs: restored - impactAt,
  });
  const summary = String(resolved.payload.summary);
  expect(summary).toContain(
    `**TTD** ${formatDurationMs(detected - impactAt)} · **Time to decide** ${formatDurationMs(decided - detected)} · **TTR** ${formatDurationMs(restored - detected)} · **Impact** ${formatDurationMs(restored - impactAt)}`,
  );
  expect(summary).toContain('| worker | ghcr.io/valuecanvas/worker:v1.2.3 | ghcr.io/valuecanvas/worker:v1.2.2 |');
  expect(summary).toMatch(/\*\*Deploys paused\*\* \S+ \(pause_deploys → resume_deploys\)/);
  expect(comment).toContain(`**Rollback resolved** — TTD 2m · TTR ${formatDurationMs(restored - detected)}`);

  const status = await cli('status', id);
  expect(status).toMatch(new RegExp(`^Incident ${id} — resolved`));
  const md = await cli('export', id);
  expect(md).toContain('| Impact started (first bad request) |');
  expect(md).toContain('Smoke tests passed: smoke.yml on main');
  expect(md).toContain('Incident resolved: TTD 2m');

  await metrics.settled();
  const text = await (await fetch(`http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}/metrics`)).text();
  expect(text).toContain('rollback_ttd_seconds_count{severity="P1"} 1');
  expect(text).toContain(`rollback_ttr_seconds_sum{severity="P1"} ${(restored - detected) / 1000}`);
  expect(text).toContain('rollback_step_outcomes_total{step="smoke_tests",result="succeeded"} 1');
  expect(text).toContain('rollback_step_outcomes_total{step="verify_cutover",result="awaiting_confirmation"} 1');
  expect(text).toMatch(/rollback_step_duration_seconds_count\{step="revert_images",result="succeeded"\} 1/);
});
