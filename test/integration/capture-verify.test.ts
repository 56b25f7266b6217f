/**
 * capture_context reads the backlog on the app's real Redis; verify_cutover asks a local
 * Prometheus-compatible HTTP server, or a person when no query is configured.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppsV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createK8sDeployments } from '../../src/adapters/k8s/k8s-deployments.ts';
import { loadKubeConfig } from '../../src/adapters/k8s/kube-config.ts';
import { createPrometheusQuery } from '../../src/adapters/prometheus/prometheus-query.ts';
import { createRedisBacklog } from '../../src/adapters/redis/redis-backlog.ts';
import type { Deployments, IncidentStore, KnownGood } from '../../src/flows/ports.ts';
import { createCaptureContext } from '../../src/flows/steps/capture_context/index.ts';
import { createVerifyCutover } from '../../src/flows/steps/verify_cutover/index.ts';
import { type FakeKube, startFakeKube } from '../../src/sim/kube/server.ts';
import { testConfig } from '../support/runbook-config.ts';
import { createTestRedis, REDIS_URL, uniqueName } from '../support/services.ts';
import { failureOf, testContext, testStep } from '../support/step-context.ts';

const APP_REDIS = `${REDIS_URL}/7`;

describe('capture_context', () => {
  it('records the times and LLEN of the backlog key on the app Redis', async () => {
    const key = uniqueName('agent:pending');
    const redis = createTestRedis();
    await redis.select(7);
    await redis.rpush(key, 'a', 'b', 'c');
    const backlog = createRedisBacklog(APP_REDIS);
    const config = testConfig(`target: { backlog_key: "${key}" }`);
    const ctx = testContext('capture_context', config, {
      incident: { impactStartedAt: new Date('2026-11-24T02:51:00Z') },
    });
    const out = await createCaptureContext({ backlog, backlogEnv: 'TARGET_REDIS_URL' }).run(ctx);
    expect(out.summary).toBe(
      `First bad request: 2026-11-24T02:51:00.000Z; detected: 2026-11-24T03:00:00.000Z; backlog ${key} = 3`,
    );
    expect(out.output).toMatchObject({ backlogDepth: 3, impactStartedAt: '2026-11-24T02:51:00.000Z' });
    await redis.del(key);
    redis.disconnect();
    await backlog.close();
  });

  it('says which env var to set when the app Redis is not configured, and reports a key of the wrong type', async () => {
    const config = testConfig();
    await expect(
      createCaptureContext({ backlog: null, backlogEnv: 'TARGET_REDIS_URL' }).run(
        testContext('capture_context', config),
      ),
    ).rejects.toThrow(/TARGET_REDIS_URL is not set/);
    const key = uniqueName('notalist');
    const redis = createTestRedis();
    await redis.select(7);
    await redis.set(key, 'x');
    const backlog = createRedisBacklog(APP_REDIS);
    await expect(
      createCaptureContext({ backlog, backlogEnv: 'TARGET_REDIS_URL' }).run(
        testContext('capture_context', testConfig(`target: { backlog_key: "${key}" }`)),
      ),
    ).rejects.toThrow(/is a string, not a list/);
    await redis.del(key);
    redis.disconnect();
    await backlog.close();
  });

  it('reports an unreachable app Redis as transient', async () => {
    const backlog = createRedisBacklog('redis://127.0.0.1:1/0');
    const err = await failureOf(backlog.depth('agent:pending'));
    expect(err.transient).toBe(true);
    expect(err.message).toMatch(/cannot reach the app's Redis/);
    await backlog.close();
  });
});

describe('verify_cutover', () => {
  let server: Server;
  let url: string;
  let rates: number[] = [];
  const queries: URLSearchParams[] = [];
  let kube: FakeKube;
  let deployments: Deployments;

  beforeAll(async () => {
    kube = await startFakeKube({ rollout: { durationMs: 20 } });
    const api = { name: 'api', image: 'ghcr.io/valuecanvas/app:v1.2.2' };
    kube.addDeployment({ namespace: 'prod', name: 'api', containers: [api] });
    const kubeConfig = loadKubeConfig({ path: kube.kubeconfigPath });
    deployments = createK8sDeployments({ kubeConfig, namespace: 'prod' });
    server = createServer((req, res) => {
      const params = new URL(req.url!, 'http://x').searchParams;
      queries.push(params);
      // A query at a past time (the revert's start) answers the "before" rate.
      const value = params.has('time') ? 0.2 : (rates.shift() ?? 0.001);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, String(value)] }] },
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await kube.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const recorded: KnownGood[] = [];
  const store = { recordKnownGood: async (k: KnownGood) => void recorded.push(k) } as unknown as IncidentStore;
  const withProm = (hold: string) =>
    testConfig(
      `verify: { grafana_url: "https://grafana.example.com/d/00-prod-overview", prometheus: { url: "${url}", query: "sum(rate(errors[1m]))", threshold: 0.05, hold: ${hold}, interval: 100ms } }`,
    );
  const revertDone = () => [
    testStep('revert_images', {
      state: 'succeeded',
      startedAt: new Date('2026-11-24T03:05:00Z'),
      output: { after: { api: 'ghcr.io/valuecanvas/app:v1.2.2' } },
    }),
  ];

  it('passes once the error rate holds under the threshold and below its pre-revert value, and records the images as good', async () => {
    rates = [0.3, 0.01, 0.01, 0.01, 0.01];
    const ctx = testContext('verify_cutover', withProm('250ms'), {
      incident: { targetVersion: 'v1.2.2' },
      steps: revertDone(),
    });
    const out = await createVerifyCutover({ metrics: createPrometheusQuery(url), store, deployments }).run(ctx);
    expect(out.outcome).toBe('succeeded');
    expect(out.summary).toMatch(/^Error rate 0.01 stayed under 0.05 \(was 0.2 when the revert started\) for 250 ms$/);
    expect(queries[0]!.get('time')).toBe(`${String(new Date('2026-11-24T03:05:00Z').getTime() / 1000)}.000`);
    expect(recorded.at(-1)).toMatchObject({ version: 'v1.2.2', images: { api: 'ghcr.io/valuecanvas/app:v1.2.2' } });
  });

  it('fails with the numbers when the error rate stays high', async () => {
    rates = Array(50).fill(0.4);
    const ctx = testContext('verify_cutover', withProm('200ms'), {
      incident: { targetVersion: 'v1.2.2' },
      steps: revertDone(),
    });
    await expect(
      createVerifyCutover({ metrics: createPrometheusQuery(url), store, deployments }).run(ctx),
    ).rejects.toThrow(/did not stay under 0.05 .*last 0.4, 0.2 before the revert/);
  });

  it('records nothing as known-good when someone changed a Deployment after the revert, and names who', async () => {
    rates = [0.01, 0.01, 0.01, 0.01];
    const person = new KubeConfig();
    person.loadFromFile(kube.kubeconfigPath);
    const containers = [{ name: 'api', image: 'ghcr.io/valuecanvas/app:v9.9.9' }];
    const body = { spec: { template: { spec: { containers } } } };
    await person
      .makeApiClient(AppsV1Api)
      .patchNamespacedDeployment(
        { name: 'api', namespace: 'prod', body, fieldManager: 'kubectl-set' },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      );
    const count = recorded.length;
    try {
      const incident = { targetVersion: 'v1.2.2' };
      const ctx = testContext('verify_cutover', withProm('100ms'), { incident, steps: revertDone() });
      const verify = createVerifyCutover({ metrics: createPrometheusQuery(url), store, deployments });
      const err = await failureOf(verify.run(ctx));
      expect(err.message).toContain(
        'api runs ghcr.io/valuecanvas/app:v9.9.9 (set by kubectl-set), ' +
          'not ghcr.io/valuecanvas/app:v1.2.2 as revert_images set it',
      );
      expect(err.message).toContain('Nothing was recorded as known-good');
      expect(recorded).toHaveLength(count);
    } finally {
      await deployments.setImages('api', [{ container: 'api', image: 'ghcr.io/valuecanvas/app:v1.2.2' }]);
    }
  });

  it('asks a person with the Grafana link when no query is configured', async () => {
    const out = await createVerifyCutover({ metrics: null, store, deployments }).run(
      testContext('verify_cutover', testConfig()),
    );
    expect(out).toMatchObject({
      outcome: 'awaiting_confirmation',
      output: { manual: true, dashboard: 'https://grafana.example.com/d/00-prod-overview' },
    });
  });
});
