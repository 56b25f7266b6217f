/**
 * Least privilege, proven on the wire: the fake API server enforces the Roles deploy/ binds to
 * the bot (cli-e2e and db-steps-backup run the whole application rollback and a backup promotion
 * under them). Here: what it answers outside them, and what an operator sees when the Role lacks
 * a verb — doctor names it before an incident, and the step that needs it says which file to fix.
 */
import nock from 'nock';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config.ts';
import { type Container, createContainer } from '../../src/app/container.ts';
import { createLogger } from '../../src/app/logger.ts';
import { type RunningWorker, startWorker } from '../../src/app/worker.ts';
import { releaseBody, tagBody } from '../fixtures/github/github-api.ts';
import { BOT_USER, deployRbacRules, withoutVerb } from '../support/deploy-rbac.ts';
import { createHarness, type Harness, NS } from '../support/e2e-harness.ts';
import { CAPTAIN, SRE } from '../support/runbook-config.ts';
import { until } from '../support/wait.ts';

const API = 'https://api.github.com';
const REPO = '/repos/ValueCanvas/ValueCanvas';
let h: Harness;
let container: Container;
let worker: RunningWorker;

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  h = await createHarness({
    rbac: deployRbacRules(),
    configOverrides:
      'database: { backups: { directory: /nonexistent }, promotion: { secret: app-db, key: DATABASE_URL, deployments: [api] } }',
  });
  h.kube.addSecret({ namespace: NS, name: 'app-db', data: { DATABASE_URL: 'postgres://app@db/app' } });
  h.kube.addSecret({ namespace: NS, name: 'other', data: { TOKEN: 'x' } });
  container = await createContainer(loadConfig(h.env), { log: createLogger('silent'), env: h.env });
  worker = await startWorker(container);
  nock(API)
    .get(`${REPO}/releases`)
    .query({ per_page: 100 })
    .reply(200, [releaseBody('v1.2.3'), releaseBody('v1.2.2')])
    .persist();
  nock(API)
    .get(`${REPO}/tags`)
    .query({ per_page: 100 })
    .reply(200, [tagBody('v1.2.3'), tagBody('v1.2.2')])
    .persist();
});

afterAll(async () => {
  await worker?.close();
  await container?.close();
  await h?.close();
  nock.cleanAll();
  nock.enableNetConnect();
});

const call = (method: string, path: string) =>
  fetch(`${h.kube.url}${path}`, { method, headers: { authorization: 'Bearer fake-kube-token' } }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as { message?: string; details?: unknown },
  }));

it('answers what the Role does not allow with the API server’s 403 Status, and only the promotion Secret is readable', async () => {
  const forbidden = await call('GET', `/api/v1/namespaces/${NS}/secrets/other`);
  expect(forbidden).toEqual({
    status: 403,
    body: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `secrets "other" is forbidden: User "${BOT_USER}" cannot get resource "secrets" in API group "" in the namespace "prod"`,
      reason: 'Forbidden',
      details: { name: 'other', group: '', kind: 'secrets' },
      code: 403,
    },
  });
  expect((await call('GET', `/api/v1/namespaces/${NS}/secrets/app-db`)).status).toBe(200);
  // resourceNames never cover a list: the bot cannot enumerate Secrets.
  expect((await call('GET', `/api/v1/namespaces/${NS}/secrets`)).body.message).toBe(
    `secrets is forbidden: User "${BOT_USER}" cannot list resource "secrets" in API group "" in the namespace "prod"`,
  );
  // Nothing outside the namespace, and no verb the bot does not use.
  expect((await call('GET', '/apis/apps/v1/namespaces/kube-system/deployments/api')).status).toBe(403);
  expect((await call('DELETE', `/apis/apps/v1/namespaces/${NS}/deployments/api`)).body.details).toEqual({
    name: 'api',
    group: 'apps',
    kind: 'deployments',
  });
});

it('doctor checks every verb the bot uses against the Role, the promotion Secret by name', async () => {
  const ok = await h.cli('doctor');
  expect(ok.out).toContain(
    'ok    kubernetes access: get deployments, list deployments, watch deployments, patch deployments, list replicasets, get secrets/app-db, patch secrets/app-db allowed in prod',
  );
  h.kube.enforceRbac(withoutVerb(deployRbacRules(), 'secrets', 'patch'), BOT_USER);
  expect((await h.cli('doctor')).out).toContain(
    "FAIL  kubernetes access: RBAC denies patch secrets/app-db in prod: grant them to the bot's service account (the Role in deploy/components/database-promotion/role.yaml)",
  );
  h.kube.enforceRbac(deployRbacRules(), BOT_USER);
});

it('without patch on deployments, doctor says so first and revert_images fails naming the verb, the resource and the file to fix', async () => {
  h.kube.enforceRbac(withoutVerb(deployRbacRules(), 'deployments', 'patch'), BOT_USER);
  const doctor = await h.cli('doctor');
  expect(doctor.out).toContain(
    "FAIL  kubernetes access: RBAC denies patch deployments in prod: grant them to the bot's service account (the Role in deploy/base/rbac/role.yaml)",
  );

  const started = await h.cli('start', 'v1.2.3', '--as', SRE);
  expect(started.code, started.err).toBe(0);
  const incidentId = /started (rb-\d+)/.exec(started.out)![1]!;
  // select_release reads the ReplicaSet history (get/list, still allowed) to propose the target.
  await until(
    'the proposal',
    async () => (await container.deps.store.get(incidentId)).steps.get('select_release')?.state === 'awaiting_approval',
  );
  expect((await h.cli('approve', incidentId, 'select_release', '--as', CAPTAIN)).code).toBe(0);
  const revert = await h.cli('run', incidentId, 'revert_images', '--as', SRE);
  expect(revert.code).toBe(1);
  expect(revert.out).toContain(
    `deployments.apps "api" is forbidden: User "${BOT_USER}" cannot patch resource "deployments"`,
  );
  expect(revert.out).toContain(
    'RBAC must allow verb "patch" on resource "deployments" (API group "apps") in namespace "prod"',
  );
  expect(revert.out).toContain('add the verb to the Role in deploy/base/rbac/role.yaml');
  expect(h.images().api).toBe('ghcr.io/valuecanvas/app:v1.2.3');
  await h.cli('abort', incidentId, '--reason', 'test done', '--as', CAPTAIN);
});
