/** `doctor` says what is wrong before an incident needs it; `mark-good` records the running images. */

import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHarness, type Harness, NS } from '../support/e2e-harness.ts';
import { CAPTAIN, STAKEHOLDER } from '../support/runbook-config.ts';
import { DATABASE_URL } from '../support/services.ts';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
  delete h.env.GITHUB_TOKEN;
});
afterAll(() => h?.close());

it('doctor passes what works and names what to fix', async () => {
  const first = await h.cli('doctor');
  expect(first.code).toBe(1);
  expect(first.out).toMatch(/^ok {4}bot database: PostgreSQL \d+/m);
  // The tests' role is a superuser: doctor warns that it could drop the timeline's trigger.
  expect(first.out).toContain(
    `WARN  bot timeline: the runtime role postgres owns ${h.env.DATABASE_SCHEMA}.timeline (or is a superuser)`,
  );
  expect(first.out).toContain('ok    bot redis: PING → PONG');
  expect(first.out).toContain('FAIL  slack: SLACK_BOT_TOKEN is not set');
  expect(first.out).toContain('FAIL  github: GITHUB_TOKEN is not set');
  expect(first.out).toContain(
    'ok    kubernetes access: get deployments, list deployments, watch deployments, patch deployments, list replicasets allowed in prod',
  );
  expect(first.out).toContain('ok    deployment api: prod/api runs ghcr.io/valuecanvas/app:v1.2.3');
  expect(first.out).toMatch(/ok {4}app redis \(backlog\): LLEN agent:pending = \d+/);

  h.kube.setAccess({ verb: 'patch', group: 'apps', resource: 'deployments' }, false);
  h.kube.deleteDeployment(NS, 'worker');
  h.kube.addDeployment({
    namespace: NS,
    name: 'worker',
    containers: [{ name: 'worker', image: 'ghcr.io/valuecanvas/worker:v1.2.3' }],
    paused: true,
  });
  const second = await h.cli('doctor');
  expect(second.out).toContain('FAIL  kubernetes access: RBAC denies patch deployments in prod');
  expect(second.out).toContain(
    'FAIL  deployment worker: paused — a new image would never roll out: kubectl rollout resume deploy/worker -n prod',
  );
  h.kube.setAccess({ verb: 'patch', group: 'apps', resource: 'deployments' }, true);
});

it('mark-good records the running images for select_release, and only for the roles that may', async () => {
  expect((await h.cli('mark-good', '--as', STAKEHOLDER)).err).toContain(
    'only the Release Captain or On-Call SRE may record known-good images',
  );
  const res = await h.cli('mark-good', '--as', CAPTAIN);
  expect(res.out).toBe(
    'recorded v1.2.3 as known good: api=ghcr.io/valuecanvas/app:v1.2.3, web=ghcr.io/valuecanvas/web:v1.2.3, worker=ghcr.io/valuecanvas/worker:v1.2.3',
  );
  const pool = new pg.Pool({ connectionString: DATABASE_URL, options: `-c search_path=${h.env.DATABASE_SCHEMA}` });
  const rows = await pool.query('select version, source, recorded_by from known_good');
  await pool.end();
  expect(rows.rows).toEqual([{ version: 'v1.2.3', source: 'mark-good', recorded_by: CAPTAIN }]);
});

it('mark-good refuses what is not a release, so no later proposal can trip over it', async () => {
  // A build deployed by commit: its tag is not a release.
  h.kube.deleteDeployment(NS, 'worker');
  h.kube.addDeployment({
    namespace: NS,
    name: 'worker',
    containers: [{ name: 'worker', image: 'ghcr.io/valuecanvas/worker:sha-abc1234' }],
  });
  for (const app of ['api', 'web']) {
    h.kube.deleteDeployment(NS, app);
    h.kube.addDeployment({
      namespace: NS,
      name: app,
      containers: [{ name: app, image: `ghcr.io/valuecanvas/${app === 'api' ? 'app' : app}:sha-abc1234` }],
    });
  }
  const sha = await h.cli('mark-good', '--as', CAPTAIN);
  expect(sha.code).toBe(1);
  expect(sha.err).toContain('not recorded: sha-abc1234 does not match github.tag_pattern (^v\\d+\\.\\d+\\.\\d+$)');
  expect((await h.cli('mark-good', '--version', 'v1.3.0-rc.1', '--as', CAPTAIN)).err).toContain(
    'not recorded: v1.3.0-rc.1 does not match',
  );
  const pool = new pg.Pool({ connectionString: DATABASE_URL, options: `-c search_path=${h.env.DATABASE_SCHEMA}` });
  const rows = await pool.query('select version from known_good');
  await pool.end();
  expect(rows.rows).toEqual([{ version: 'v1.2.3' }]);
});
