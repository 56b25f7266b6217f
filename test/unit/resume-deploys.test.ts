/**
 * resume_deploys undoes exactly what pause_deploys recorded, through the real adapter against a
 * stateful GitHub behind nock; describeResume shows the captain what would ship again.
 */
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubSourceControl } from '../../src/adapters/github/github-source-control.ts';
import type { PauseRecord } from '../../src/flows/steps/pause_deploys/output.ts';
import { pauseDeploys } from '../../src/flows/steps/pause_deploys/pause-deploys.ts';
import type { ResumeRecord } from '../../src/flows/steps/resume_deploys/output.ts';
import { describeResume, resumeDeploys } from '../../src/flows/steps/resume_deploys/resume-deploys.ts';
import { type FakeGitHubState, startFakeGitHub } from '../fixtures/github/fake-github.ts';
import { API, commitBody, compareBody, OWNER, REPO, TOKEN } from '../fixtures/github/github-api.ts';

const R = `/repos/${OWNER}/${REPO}`;

/** What pause_deploys recorded during the incident (see pause-deploys.test.ts). */
const PAUSED: PauseRecord = {
  workflows: [
    { workflow: 'deploy.yml', priorState: 'active', disabledByUs: true, done: true },
    { workflow: 'deploy-web.yml', priorState: 'disabled_manually', disabledByUs: false, done: true },
  ],
  runs: [
    {
      workflow: 'deploy.yml',
      runId: 101,
      htmlUrl: 'https://github.com/acme/shop/actions/runs/101',
      status: 'in_progress',
      outcome: 'cancelled',
      forced: false,
    },
  ],
  pullRequests: [
    { nodeId: 'PR_a', number: 7, mergeMethod: 'SQUASH', done: true },
    { nodeId: 'PR_c', number: 9, mergeMethod: 'REBASE', done: true },
  ],
};

/** GitHub as pause_deploys left it. */
function whilePaused(): FakeGitHubState {
  return {
    workflows: { 'deploy.yml': 'disabled_manually', 'deploy-web.yml': 'disabled_manually' },
    runs: [],
    prs: [
      { id: 'PR_a', number: 7, mergeMethod: null, state: 'OPEN' },
      { id: 'PR_b', number: 8, mergeMethod: null, state: 'OPEN' },
      { id: 'PR_c', number: 9, mergeMethod: null, state: 'OPEN' },
    ],
  };
}

const RESUME_MUTATIONS = [
  `PUT ${R}/actions/workflows/deploy.yml/enable`,
  'POST /graphql enablePullRequestAutoMerge {"pullRequestId":"PR_a","mergeMethod":"SQUASH"}',
  'POST /graphql enablePullRequestAutoMerge {"pullRequestId":"PR_c","mergeMethod":"REBASE"}',
];

class WorkerDied extends Error {}

async function attempt(previous: ResumeRecord | undefined, crash?: { at: number; stored: boolean }) {
  const saved: ResumeRecord[] = [];
  let calls = 0;
  try {
    const result = await resumeDeploys({
      sourceControl: createGitHubSourceControl({ token: TOKEN, owner: OWNER, repo: REPO, retries: 0 }),
      record: PAUSED,
      previous,
      checkpoint: async (record) => {
        calls += 1;
        if (crash?.at === calls && !crash.stored) throw new WorkerDied();
        saved.push(record);
        if (crash?.at === calls) throw new WorkerDied();
      },
      progress: async () => {},
    });
    return { result, saved };
  } catch (err) {
    if (!(err instanceof WorkerDied)) throw err;
    return { result: undefined, saved };
  }
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => {
  nock.cleanAll();
});

describe('resumeDeploys', () => {
  it("re-enables only the workflow pause disabled, and auto-merge with each PR's original method", async () => {
    const github = startFakeGitHub(whilePaused());
    const { result } = await attempt(undefined);

    expect(github.mutations()).toEqual(RESUME_MUTATIONS);
    // deploy-web.yml was disabled before the incident: it stays disabled.
    expect(github.state.workflows).toEqual({ 'deploy.yml': 'active', 'deploy-web.yml': 'disabled_manually' });
    expect(github.state.prs.map((p) => [p.number, p.mergeMethod])).toEqual([
      [7, 'SQUASH'],
      [8, null],
      [9, 'REBASE'],
    ]);
    expect(result!.summary).toBe(
      'Re-enabled deploy.yml; left deploy-web.yml (disabled_manually) disabled as before the incident; auto-merge back on #7 (squash), #9 (rebase)',
    );
  });

  it('reports a PR merged during the incident instead of failing', async () => {
    const state = whilePaused();
    state.prs[2]!.state = 'MERGED';
    const github = startFakeGitHub(state);
    const { result } = await attempt(undefined);

    expect(github.mutations()).toEqual(RESUME_MUTATIONS);
    expect(result!.record.pullRequests.find((p) => p.number === 9)).toMatchObject({ outcome: 'not_enabled' });
    expect(result!.summary).toContain(
      'auto-merge NOT re-enabled on #9 (rebase): while enabling auto-merge (rebase) on #9 in acme/shop: GitHub refused: Pull request is closed — enable it by hand if it should still merge',
    );
  });

  it('leaves alone a PR whose auto-merge someone already turned back on', async () => {
    const state = whilePaused();
    state.prs[0]!.mergeMethod = 'MERGE';
    const github = startFakeGitHub(state);
    const { result } = await attempt(undefined);

    expect(github.mutations()).toEqual([RESUME_MUTATIONS[0], RESUME_MUTATIONS[2]]);
    expect(github.state.prs[0]!.mergeMethod).toBe('MERGE');
    expect(result!.record.pullRequests[0]).toMatchObject({ number: 7, outcome: 'already_enabled' });
  });

  for (const stored of [true, false]) {
    it(`re-run after the worker dies at any checkpoint (${stored ? 'after' : 'before'} it is stored) enables each PR's auto-merge once`, async () => {
      startFakeGitHub(whilePaused());
      const straight = await attempt(undefined);
      nock.cleanAll();
      for (let at = 1; at <= straight.saved.length; at += 1) {
        const github = startFakeGitHub(whilePaused());
        const crashed = await attempt(undefined, { at, stored });
        expect(crashed.result, `crash at checkpoint ${at}`).toBeUndefined();
        const rerun = await attempt(crashed.saved.at(-1));
        const autoMerge = github.mutations().filter((m) => m.includes('AutoMerge'));
        expect(autoMerge, `crash at checkpoint ${at}`).toEqual(RESUME_MUTATIONS.slice(1));
        // Every call exactly once, even a workflow enable GitHub applied before the record was stored.
        expect(github.mutations(), `crash at checkpoint ${at}`).toEqual(RESUME_MUTATIONS);
        expect(rerun.result!.record, `crash at checkpoint ${at}`).toEqual(straight.result!.record);
        expect(github.state.workflows['deploy-web.yml']).toBe('disabled_manually');
        nock.cleanAll();
      }
    });
  }

  it('does not send enable again for a workflow GitHub already shows active (the worker died before recording it)', async () => {
    const state = whilePaused();
    state.workflows['deploy.yml'] = 'active';
    const github = startFakeGitHub(state);
    const { result } = await attempt(undefined);

    expect(github.mutations()).toEqual(RESUME_MUTATIONS.slice(1));
    expect(result!.record.workflows).toEqual(['deploy.yml']);
    expect(result!.summary).toMatch(/^Re-enabled deploy.yml;/);
  });

  it('pause then resume leaves workflows and auto-merge exactly as they were before the incident', async () => {
    const before: FakeGitHubState = {
      workflows: { 'deploy.yml': 'active', 'deploy-web.yml': 'disabled_inactivity', 'deploy-worker.yml': 'active' },
      runs: [{ id: 201, workflow: 'deploy-worker.yml', status: 'queued', conclusion: null }],
      prs: [
        { id: 'PR_x', number: 11, mergeMethod: 'MERGE', state: 'OPEN' },
        { id: 'PR_y', number: 12, mergeMethod: null, state: 'OPEN' },
        { id: 'PR_z', number: 13, mergeMethod: 'REBASE', state: 'OPEN' },
      ],
    };
    const github = startFakeGitHub(before);
    const sourceControl = createGitHubSourceControl({ token: TOKEN, owner: OWNER, repo: REPO, retries: 0 });
    const noop = async () => {};
    const paused = await pauseDeploys({
      sourceControl,
      workflows: Object.keys(before.workflows),
      previous: undefined,
      checkpoint: noop,
      progress: noop,
      sleep: noop,
    });
    expect(Object.values(github.state.workflows)).toEqual([
      'disabled_manually',
      'disabled_inactivity',
      'disabled_manually',
    ]);
    await resumeDeploys({
      sourceControl,
      record: paused.record,
      previous: undefined,
      checkpoint: noop,
      progress: noop,
    });

    expect(github.state.workflows).toEqual(before.workflows);
    expect(github.state.prs).toEqual(before.prs);
    expect(github.mutations().filter((m) => m.includes('enable'))).toEqual([
      `PUT ${R}/actions/workflows/deploy.yml/enable`,
      `PUT ${R}/actions/workflows/deploy-worker.yml/enable`,
      'POST /graphql enablePullRequestAutoMerge {"pullRequestId":"PR_x","mergeMethod":"MERGE"}',
      'POST /graphql enablePullRequestAutoMerge {"pullRequestId":"PR_z","mergeMethod":"REBASE"}',
    ]);
  });

  it('does nothing when run again after it finished', async () => {
    startFakeGitHub(whilePaused());
    const first = await attempt(undefined);
    nock.cleanAll();
    const github = startFakeGitHub(whilePaused());
    const again = await attempt(first.result!.record);
    expect(github.log).toEqual([]);
    expect(again.result!.summary).toBe(first.result!.summary);
  });
});

describe('describeResume', () => {
  it('lists the commits the default branch would ship again and the migrations still in it', async () => {
    const commits = Array.from({ length: 23 }, (_, i) => commitBody(i + 1, i === 0 ? null : 'bob'));
    const files = [
      { filename: 'supabase/migrations/20261120_add_flags.sql', status: 'added' },
      { filename: 'supabase/migrations/20261120_add_flags.down.sql', status: 'added' },
      { filename: 'src/flags.ts', status: 'modified' },
    ];
    const api = nock(API).matchHeader('authorization', `token ${TOKEN}`);
    api
      .get(`${R}/compare/v1.2.2...main`)
      .query({ per_page: 100, page: 1 })
      .reply(200, compareBody(commits, 23, files));
    api
      .get(`${R}/contents/supabase/migrations/20261120_add_flags.sql`)
      .query({ ref: 'main' })
      .reply(200, {
        type: 'file',
        encoding: 'base64',
        content: Buffer.from('alter table x add column f int;').toString('base64'),
      });
    api
      .get(`${R}/contents/supabase/migrations/20261101_old.sql`)
      .query({ ref: 'main' })
      .reply(404, { message: 'Not Found' });

    const text = await describeResume({
      sourceControl: createGitHubSourceControl({ token: TOKEN, owner: OWNER, repo: REPO, retries: 0 }),
      targetTag: 'v1.2.2',
      defaultBranch: 'main',
      revertedMigrations: ['supabase/migrations/20261120_add_flags.sql', 'supabase/migrations/20261101_old.sql'],
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('If deploys resume, main ships 23 commits made after v1.2.2:');
    expect(lines[1]).toBe(`• ${commits[0]!.sha.slice(0, 7)} Change number 1 — Alice Example`);
    expect(lines[2]).toBe(`• ${commits[1]!.sha.slice(0, 7)} Change number 2 — bob`);
    expect(lines).toHaveLength(1 + 20 + 1 + 2);
    expect(lines[21]).toBe('• … and 3 more');
    expect(lines[22]).toBe(
      'Migrations changed since v1.2.2 (they run on the next deploy): supabase/migrations/20261120_add_flags.sql (added)',
    );
    expect(lines[23]).toBe(
      'Reverted migration still in main — the next deploy applies it again unless it is removed or fixed forward: supabase/migrations/20261120_add_flags.sql',
    );
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('says plainly when nothing new would ship', async () => {
    nock(API).get(`${R}/compare/v1.2.2...main`).query({ per_page: 100, page: 1 }).reply(200, compareBody([], 0));
    const text = await describeResume({
      sourceControl: createGitHubSourceControl({ token: TOKEN, owner: OWNER, repo: REPO, retries: 0 }),
      targetTag: 'v1.2.2',
      defaultBranch: 'main',
    });
    expect(text).toBe('main has no commits after v1.2.2: resuming deploys ships nothing new.');
    expect(nock.pendingMocks()).toEqual([]);
  });
});
