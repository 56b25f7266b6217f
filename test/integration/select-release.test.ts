/**
 * select_release: known-good record first, then ReplicaSet history (skipping bad tags, including
 * the renumbered-rollback trap), cross-checked with the repo's tags; disagreements shown.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPgIncidentStore } from '../../src/adapters/db/pg-incident-store.ts';
import { createGitHubSourceControl } from '../../src/adapters/github/github-source-control.ts';
import { createK8sDeployments } from '../../src/adapters/k8s/k8s-deployments.ts';
import { loadKubeConfig } from '../../src/adapters/k8s/kube-config.ts';
import type { IncidentStore } from '../../src/flows/ports.ts';
import { createSelectRelease } from '../../src/flows/steps/select_release/index.ts';
import { type FakeKube, startFakeKube } from '../../src/sim/kube/server.ts';
import { releaseBody, tagBody } from '../fixtures/github/github-api.ts';
import { testConfig } from '../support/runbook-config.ts';
import { createTestDb, type TestDb } from '../support/services.ts';
import { testContext } from '../support/step-context.ts';

const NS = 'prod';
const REPOS = {
  api: 'ghcr.io/valuecanvas/app',
  web: 'ghcr.io/valuecanvas/web',
  worker: 'ghcr.io/valuecanvas/worker',
} as const;
const TOKEN = 'ghp_fake_select_release';
let kube: FakeKube;
let db: TestDb;
let store: IncidentStore;
const config = testConfig();

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterAll(() => {
  nock.enableNetConnect();
});

// Each test gets its own schema: bad releases recorded by one must not leak into the next.
beforeEach(async () => {
  kube = await startFakeKube({ rollout: { durationMs: 20 } });
  db = await createTestDb();
  store = createPgIncidentStore(db.pool, config.environment.name);
});
afterEach(async () => {
  await kube.close();
  await db.drop();
  nock.cleanAll();
});

/** Ships each version in turn through the fake cluster, building ReplicaSet history. */
async function ship(...versions: string[]) {
  const deployments = createK8sDeployments({
    kubeConfig: loadKubeConfig({ path: kube.kubeconfigPath }),
    namespace: NS,
  });
  for (const [name, repo] of Object.entries(REPOS))
    kube.addDeployment({ namespace: NS, name, containers: [{ name, image: `${repo}:${versions[0]}` }] });
  for (const v of versions.slice(1)) {
    await Promise.all(
      Object.entries(REPOS).map(async ([name, repo]) => {
        await deployments.setImages(name, [{ container: name, image: `${repo}:${v}` }]);
        await deployments.waitForRollout(name, { timeoutMs: 20_000 });
      }),
    );
  }
  return deployments;
}

function github(releases: string[], tags: string[]) {
  const api = nock('https://api.github.com').matchHeader('authorization', `token ${TOKEN}`);
  api
    .get('/repos/ValueCanvas/ValueCanvas/releases')
    .query({ per_page: 100 })
    .reply(
      200,
      releases.map((t) => releaseBody(t, { prerelease: t.includes('-') })),
    );
  api.get('/repos/ValueCanvas/ValueCanvas/tags').query({ per_page: 100 }).reply(200, tags.map(tagBody));
  return createGitHubSourceControl({ token: TOKEN, owner: 'ValueCanvas', repo: 'ValueCanvas', retries: 0 });
}

/** An earlier incident for `badVersion`: its revert ran (so the version is bad), or it was aborted before any revert. */
async function pastIncident(badVersion: string, how: 'reverted' | 'aborted_before_revert') {
  const incident = await store.create(
    {
      environment: 'production',
      badVersion,
      targetVersion: null,
      targetSource: null,
      severity: 'P1',
      trigger: 'slo_breach',
      critical: false,
      issueUrl: null,
      createdBy: 'U1',
      createdAt: new Date(),
      impactStartedAt: null,
      detectedAt: new Date(),
    },
    [],
  );
  await store.mutate(incident.id, (snap) => {
    const revert = snap.steps.get('revert_images')!;
    const steps =
      how === 'reverted'
        ? [{ ...revert, state: 'succeeded' as const, attempt: 1, output: { patched: ['api', 'web', 'worker'] } }]
        : [];
    return { steps, incident: { state: 'aborted' }, events: [], result: null };
  });
  return incident;
}

const record = (version: string, recordedAt: string) =>
  store.recordKnownGood({
    environment: 'production',
    version,
    images: {},
    source: 'mark-good',
    recordedBy: 'UCAPTAIN1',
    recordedAt: new Date(recordedAt),
  });

describe('select_release', () => {
  it('proposes the previous ReplicaSet release when there is no known-good record, with the tags agreeing', async () => {
    const deployments = await ship('v1.2.1', 'v1.2.2', 'v1.2.3');
    const executor = createSelectRelease({
      store,
      deployments,
      sourceControl: github(['v1.2.3', 'v1.2.2', 'v1.3.0-rc.1'], ['v1.2.1']),
    });
    const out = await executor.run(testContext('select_release', config));
    expect(out.outcome).toBe('awaiting_approval');
    expect(out.output?.proposal).toEqual({
      version: 'v1.2.2',
      source: 'ReplicaSet history (api: v1.2.2, web: v1.2.2, worker: v1.2.2)',
    });
    expect(out.output?.validTargets).toEqual(['v1.2.2', 'v1.2.1']);
    expect(out.output?.disagreements).toEqual([]);
  });

  it('prefers the known-good record and says where the others disagree', async () => {
    const deployments = await ship('v1.2.1', 'v1.2.2', 'v1.2.3');
    await store.recordKnownGood({
      environment: 'production',
      version: 'v1.2.1',
      images: {},
      source: 'mark-good',
      recordedBy: 'UCAPTAIN1',
      recordedAt: new Date('2026-11-20T10:00:00Z'),
    });
    const executor = createSelectRelease({ store, deployments, sourceControl: github(['v1.2.2', 'v1.2.1'], []) });
    const out = await executor.run(testContext('select_release', config));
    expect((out.output!.proposal as { version: string }).version).toBe('v1.2.1');
    expect(out.summary).toContain(
      'Proposed target v1.2.1 from the known-good record (mark-good, recorded 2026-11-20T10:00:00.000Z by UCAPTAIN1).',
    );
    expect(out.summary).toContain('Note: ReplicaSet history suggests v1.2.2');
    expect(out.summary).toContain('Note: repo tags suggests v1.2.2');
  });

  it('skips a release recorded as bad — the trap of a renumbered rollback ReplicaSet', async () => {
    // v1.2.2 was bad once already (rolled back to v1.2.1), then v1.2.3 shipped and is bad too.
    const deployments = await ship('v1.2.1', 'v1.2.2', 'v1.2.1', 'v1.2.3');
    await pastIncident('v1.2.2', 'reverted');
    const executor = createSelectRelease({
      store,
      deployments,
      sourceControl: github(['v1.2.3', 'v1.2.2', 'v1.2.1'], []),
    });
    const out = await executor.run(testContext('select_release', config));
    expect((out.output!.proposal as { version: string }).version).toBe('v1.2.1');
    expect(out.output?.validTargets).toEqual(['v1.2.1']);
  });

  it('honours a requested target only when its images exist in history or tags', async () => {
    const deployments = await ship('v1.2.2', 'v1.2.3');
    const ok = await createSelectRelease({ store, deployments, sourceControl: github(['v1.2.0'], []) }).run(
      testContext('select_release', config, { previous: { requestedTarget: 'v1.2.0' } }),
    );
    expect(ok.output?.proposal).toEqual({ version: 'v1.2.0', source: 'requested with the rollback (`to`)' });
    const bad = createSelectRelease({ store, deployments, sourceControl: github([], []) }).run(
      testContext('select_release', config, { previous: { requestedTarget: 'v0.9.0' } }),
    );
    await expect(bad).rejects.toThrow(
      /v0.9.0 is neither in the Deployments' history nor in the repo's tags.*pick one of v1.2.2/,
    );
  });

  it('still proposes from history when GitHub fails, and says the tags were not checked', async () => {
    const deployments = await ship('v1.2.2', 'v1.2.3');
    nock('https://api.github.com')
      .get('/repos/ValueCanvas/ValueCanvas/releases')
      .query(true)
      .reply(401, { message: 'Bad credentials' });
    const sc = createGitHubSourceControl({ token: TOKEN, owner: 'ValueCanvas', repo: 'ValueCanvas', retries: 0 });
    const out = await createSelectRelease({ store, deployments, sourceControl: sc }).run(
      testContext('select_release', config),
    );
    expect((out.output!.proposal as { version: string }).version).toBe('v1.2.2');
    expect(out.summary).toMatch(/Repo tags could not be checked: .*401/);
    expect(out.summary).not.toContain(TOKEN);
  });

  it('never lets a known-good record that is not a release stop a proposal, even with a requested target', async () => {
    const deployments = await ship('v1.2.1', 'v1.2.2', 'v1.2.3');
    await record('v1.2.1', '2026-11-20T10:00:00Z');
    await record('sha-abc1234', '2026-11-21T10:00:00Z');
    const out = await createSelectRelease({ store, deployments, sourceControl: null }).run(
      testContext('select_release', config),
    );
    expect((out.output!.proposal as { version: string }).version).toBe('v1.2.1');
    const asked = await createSelectRelease({ store, deployments, sourceControl: null }).run(
      testContext('select_release', config, { previous: { requestedTarget: 'v1.2.2' } }),
    );
    expect((asked.output!.proposal as { version: string }).version).toBe('v1.2.2');
  });

  it('proposes the newest known-good release older than the bad one, never a prerelease', async () => {
    const deployments = await ship('v1.4.0', 'v1.6.0', 'v1.7.0');
    await record('v1.6.0', '2026-11-20T10:00:00Z');
    await record('v1.4.0', '2026-11-22T10:00:00Z');
    await record('v1.7.0-rc.1', '2026-11-23T10:00:00Z');
    const bad = testContext('select_release', config, { incident: { badVersion: 'v1.7.0' } });
    const out = await createSelectRelease({ store, deployments, sourceControl: null }).run(bad);
    expect((out.output!.proposal as { version: string }).version).toBe('v1.6.0');
    expect(out.output?.validTargets).toEqual(['v1.6.0', 'v1.4.0']);
  });

  it('counts a version as bad only when an incident reverted away from it; a named one is allowed with a warning', async () => {
    const deployments = await ship('v1.4.0', 'v1.6.0', 'v1.7.0');
    const bad = testContext('select_release', config, { incident: { badVersion: 'v1.7.0' } });
    // Opened by mistake and aborted before any revert: v1.6.0 is still a good target.
    await pastIncident('v1.6.0', 'aborted_before_revert');
    expect(
      (
        (await createSelectRelease({ store, deployments, sourceControl: null }).run(bad)).output!.proposal as {
          version: string;
        }
      ).version,
    ).toBe('v1.6.0');
    const reverted = await pastIncident('v1.6.0', 'reverted');
    const out = await createSelectRelease({ store, deployments, sourceControl: null }).run(bad);
    expect((out.output!.proposal as { version: string }).version).toBe('v1.4.0');
    expect(out.output?.validTargets).toEqual(['v1.4.0']);
    const named = await createSelectRelease({ store, deployments, sourceControl: null }).run(
      testContext('select_release', config, {
        incident: { badVersion: 'v1.7.0' },
        previous: { requestedTarget: 'v1.6.0' },
      }),
    );
    expect((named.output!.proposal as { version: string }).version).toBe('v1.6.0');
    expect(named.summary).toContain(
      `Warning: incident ${reverted.id} rolled back away from v1.6.0; it is the target only because it was named`,
    );
  });

  it('fails clearly when nothing older is known', async () => {
    const deployments = await ship('v1.2.3');
    await expect(
      createSelectRelease({ store, deployments, sourceControl: null }).run(testContext('select_release', config)),
    ).rejects.toThrow(/no known-good release below v1.2.3 was found.*name the target yourself/);
  });
});
