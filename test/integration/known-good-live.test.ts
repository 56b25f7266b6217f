/**
 * A person confirming verify_cutover records the reverted images as known-good — only if they
 * still run. Someone's `kubectl set image` after the revert must not become a future target.
 * Real Postgres, the fake cluster over HTTP, and a second client doing the outside change.
 */
import { AppsV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createPgIncidentStore } from '../../src/adapters/db/pg-incident-store.ts';
import { createK8sDeployments } from '../../src/adapters/k8s/k8s-deployments.ts';
import { loadKubeConfig } from '../../src/adapters/k8s/kube-config.ts';
import { createBullmqStepQueue } from '../../src/adapters/queue/bullmq-step-queue.ts';
import { createConfigRoleDirectory } from '../../src/adapters/roles/config-role-directory.ts';
import type { FlowDeps } from '../../src/flows/deps.ts';
import { startRollback } from '../../src/flows/start-rollback.ts';
import { confirmStep } from '../../src/flows/step-commands.ts';
import { type FakeKube, startFakeKube } from '../../src/sim/kube/server.ts';
import { abortOpenIncidents } from '../support/incidents.ts';
import { releasesRunning } from '../support/releases.ts';
import { SRE, testConfig } from '../support/runbook-config.ts';
import { clearPrefix, createTestDb, createTestRedis, type TestDb, uniqueName } from '../support/services.ts';

const NS = 'prod';
const REPOS = {
  api: 'ghcr.io/valuecanvas/app',
  web: 'ghcr.io/valuecanvas/web',
  worker: 'ghcr.io/valuecanvas/worker',
} as const;
const AFTER = Object.fromEntries(Object.entries(REPOS).map(([name, repo]) => [name, `${repo}:v1.2.2`]));
let db: TestDb;
let redis: Redis;
let prefix: string;
let kube: FakeKube;
let deps: FlowDeps;
let queue: ReturnType<typeof createBullmqStepQueue>;

beforeAll(async () => {
  db = await createTestDb();
  redis = createTestRedis();
  prefix = uniqueName('rcq');
  kube = await startFakeKube({ rollout: { durationMs: 20 } });
  const config = testConfig();
  queue = createBullmqStepQueue({ connection: redis, prefix, attempts: 1, backoffMs: 100 });
  const kubeConfig = loadKubeConfig({ path: kube.kubeconfigPath });
  const deployments = createK8sDeployments({ kubeConfig, namespace: NS });
  const roles = createConfigRoleDirectory(config.roles);
  const store = createPgIncidentStore(db.pool, config.environment.name);
  deps = {
    store,
    queue,
    roles,
    config,
    now: () => new Date(),
    log: pino({ level: 'silent' }),
    deployments,
    // The cluster already runs what the revert set; start's checks see the bad release running.
    releases: releasesRunning(config),
  };
});

afterAll(async () => {
  await queue.close();
  await clearPrefix(redis, prefix);
  redis.disconnect();
  await db.drop();
  await kube.close();
});

beforeEach(async () => {
  await abortOpenIncidents(deps);
  for (const name of Object.keys(REPOS)) {
    if (kube.deployment(NS, name)) kube.deleteDeployment(NS, name);
    kube.addDeployment({ namespace: NS, name, containers: [{ name, image: AFTER[name]! }] });
  }
});

/** An incident whose revert set AFTER and whose verify_cutover waits for a person. */
async function awaitingConfirmation(): Promise<string> {
  const incident = await startRollback(deps, {
    badVersion: 'v1.2.3',
    severity: 'P1',
    trigger: 'slo_breach',
    actor: SRE,
  });
  await deps.store.mutate(incident.id, (snap) => ({
    incident: { targetVersion: 'v1.2.2' },
    steps: [
      { ...snap.steps.get('revert_images')!, state: 'succeeded', output: { after: AFTER } },
      { ...snap.steps.get('verify_cutover')!, state: 'awaiting_confirmation' },
    ],
    events: [],
    result: null,
  }));
  return incident.id;
}

it('records what the revert set once a person confirms the cutover', async () => {
  const id = await awaitingConfirmation();
  await confirmStep(deps, { incidentId: id, stepId: 'verify_cutover', actor: SRE });
  const [latest] = await deps.store.knownGood('production');
  expect(latest).toMatchObject({ version: 'v1.2.2', images: AFTER, source: `restored by incident ${id}` });
});

it('records nothing when a Deployment no longer runs what the revert set, and says why in the timeline', async () => {
  const id = await awaitingConfirmation();
  const person = new KubeConfig();
  person.loadFromFile(kube.kubeconfigPath);
  const body = { spec: { template: { spec: { containers: [{ name: 'api', image: `${REPOS.api}:v9.9.9` }] } } } };
  await person
    .makeApiClient(AppsV1Api)
    .patchNamespacedDeployment(
      { name: 'api', namespace: NS, body, fieldManager: 'kubectl-set' },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
  const before = (await deps.store.knownGood('production')).length;
  await confirmStep(deps, { incidentId: id, stepId: 'verify_cutover', actor: SRE });
  expect(await deps.store.knownGood('production')).toHaveLength(before);
  const said = (await deps.store.timeline(id)).filter((e) => e.kind === 'step_progress').map((e) => e.payload.message);
  expect(said).toContain(
    `Not recorded as known-good: api runs ${REPOS.api}:v9.9.9 (set by kubectl-set), ` +
      `not ${REPOS.api}:v1.2.2 as revert_images set it`,
  );
  expect((await deps.store.get(id)).steps.get('verify_cutover')!.state).toBe('succeeded');
});
